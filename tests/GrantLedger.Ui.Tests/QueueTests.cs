using System.Globalization;
using Microsoft.Playwright;

namespace GrantLedger.Ui.Tests;

/// <summary>
/// Each role's home page is its work queue: a seeded (or just proposed) item is listed, its link leads to the page
/// where it is done, and the count in the navigation is the number of items waiting.
/// </summary>
[Collection(BrowserCollection.Name)]
public class QueueTests(BrowserHost host)
{
    private const string SnowLeopardTrust = "9d141e30-a7ee-491f-55a9-eb570dbde673";
    private const string Slc = "c3f618db-0995-0c1f-4a90-5f600de26e81";

    [Fact]
    public async Task finance_finds_a_submitted_milestone_and_spending_to_review_on_its_home_page()
    {
        var page = await host.SignedIn("finance@ecaro.example");

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Waiting for you");
        await Assertions.Expect(page.Locator("#queue-expenditure").GetByRole(AriaRole.Link, new() { Name = "Snow Leopard Trust:", Exact = false }).First)
            .ToHaveAttributeAsync("href", $"/grants/{SnowLeopardTrust}/budget");
        await AssertNavCountAddsUp(page);

        await page.Locator("#queue-submissions").GetByRole(AriaRole.Link, new() { Name = "Snow Leopard Trust: Final technical and financial report", Exact = false }).ClickAsync();

        Assert.EndsWith($"/grants/{SnowLeopardTrust}", page.Url.Split('#')[0]);
        await Assertions.Expect(page.Locator("tr", new() { HasText = "Final technical and financial report" }).GetByRole(AriaRole.Button, new() { Name = "Confirm" }))
            .ToBeVisibleAsync();
    }

    [Fact]
    public async Task an_amendment_finance_proposed_waits_in_the_approvers_queue_not_in_the_proposers()
    {
        var finance = await host.SignedIn("finance@ecaro.example");
        await finance.GotoAsync($"/grants/{Slc}");
        await finance.Disclose("No-cost extension");
        await finance.GetByLabel("New end date").FillAsync("2021-09-20");
        await finance.GetByLabel("Reason", new() { Exact = true }).FillAsync("Queue test: sacred-site survey runs late");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Propose" }).ClickAsync();
        await Assertions.Expect(finance.GetByRole(AriaRole.Status)).ToContainTextAsync("The amendment was proposed");
        await finance.GotoAsync("/");
        await Assertions.Expect(finance.Locator("#queue-proposed")).Not.ToContainTextAsync("Queue test: sacred-site survey");

        var approver = await host.SignedIn("approver@ecaro.example");
        var before = await NavCount(approver);
        var item = approver.Locator("#queue-approvals").GetByRole(AriaRole.Link, new() { Name = "Queue test: sacred-site survey", Exact = false });
        await Assertions.Expect(item).ToBeVisibleAsync();
        Assert.True(before >= 1);
        await AssertNavCountAddsUp(approver);
        await item.ClickAsync();

        Assert.EndsWith($"/grants/{Slc}", approver.Url.Split('#')[0]);
        var row = approver.Locator("#amendments tr", new() { HasText = "Queue test: sacred-site survey" });
        await row.Disclose("Reject this amendment");
        await row.GetByLabel("Reason to reject the amendment").FillAsync("Not agreed with the donor");
        await row.GetByRole(AriaRole.Button, new() { Name = "Reject amendment" }).ClickAsync();
        await Assertions.Expect(approver.GetByRole(AriaRole.Status)).ToContainTextAsync("The amendment was rejected");
        Assert.Equal(before - 1, await NavCount(approver));
    }

    [Fact]
    public async Task a_grantee_is_asked_to_confirm_a_payment_that_arrived_and_the_link_leads_to_the_form()
    {
        var page = await host.SignedIn("grantee@snowleopard.example");

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Waiting for you");
        await AssertNavCountAddsUp(page);
        await page.Locator("#queue-receipts").GetByRole(AriaRole.Link, new() { Name = "Payment ECARO-2021-0031", Exact = false }).ClickAsync();

        Assert.EndsWith($"/grants/{SnowLeopardTrust}", page.Url.Split('#')[0]);
        await Assertions.Expect(page.Locator("#disbursements tr", new() { HasText = "ECARO-2021-0031" }).GetByRole(AriaRole.Button, new() { Name = "Confirm receipt" }))
            .ToBeVisibleAsync();
    }

    [Fact]
    public async Task a_grantee_finds_an_expense_sent_back_with_the_reason_and_the_link_leads_to_its_budget_page()
    {
        var page = await host.SignedIn("grantee@snowleopard.example");

        var item = page.Locator("#queue-sent-back").GetByRole(AriaRole.Link, new() { Name = "Personal travel is not eligible under the grant.", Exact = false });
        await item.ClickAsync();

        Assert.EndsWith($"/grants/{SnowLeopardTrust}/budget", page.Url.Split('#')[0]);
    }

    [Fact]
    public async Task the_auditor_sees_the_chain_status_and_its_link_leads_to_the_audit_trail()
    {
        var page = await host.SignedIn("auditor@audit.example");

        var chain = page.Locator("#queue-chain").GetByRole(AriaRole.Link, new() { Name = "Audit chain verified", Exact = false });
        await Assertions.Expect(chain).ToBeVisibleAsync();
        Assert.Equal(0, await NavCount(page));
        await chain.ClickAsync();

        await Assertions.Expect(page.Locator("#chain")).ToContainTextAsync("Audit chain verified");
    }

    private static async Task<int> NavCount(IPage page)
    {
        await page.GotoAsync("/");
        return int.Parse((await page.Locator("#nav-queue .count").TextContentAsync())!.Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>The navigation's count is the sum of the counted sections on the home page.</summary>
    private static async Task AssertNavCountAddsUp(IPage page)
    {
        var counts = await page.Locator("main h2 .count").AllTextContentsAsync();
        Assert.Equal(counts.Sum(c => int.Parse(c.Trim(), CultureInfo.InvariantCulture)),
            int.Parse((await page.Locator("#nav-queue .count").TextContentAsync())!.Trim(), CultureInfo.InvariantCulture));
    }
}
