using Microsoft.Playwright;

namespace GrantLedger.Ui.Tests;

/// <summary>
/// The actions that had no page: an approver rejects a payment and an amendment, a grantee confirms what arrived.
/// Each is done by the role that may, and refused to one that may not even when it forges the form with its own
/// valid anti-forgery token (the page checks the same policy as the API endpoint).
/// </summary>
[Collection(BrowserCollection.Name)]
public class ActionTests(BrowserHost host)
{
    [Fact]
    public async Task an_approver_rejects_a_payment_with_a_reason_and_finance_cannot()
    {
        var finance = await host.SignedIn("finance@ecaro.example");
        await finance.GotoAsync("/grants");
        await finance.GetByRole(AriaRole.Link, new() { Name = WwbName }).ClickAsync();
        await finance.Disclose("Record a disbursement");
        await finance.GetByLabel("Tranche").SelectOptionAsync(new SelectOptionValue { Index = 0 });
        await finance.GetByLabel("Amount (EUR)").FillAsync("10500.00");
        await finance.GetByLabel("Value date").FillAsync("2021-03-01");
        await finance.GetByLabel("Bank reference").FillAsync("ECARO-UI-REJECT");
        await finance.GetByLabel("Override reason", new() { Exact = false }).FillAsync("Donor asked for the second half early");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Record disbursement" }).ClickAsync();
        await Assertions.Expect(finance.GetByRole(AriaRole.Status)).ToContainTextAsync("awaits a second person's approval");
        await Assertions.Expect(finance.GetByRole(AriaRole.Button, new() { Name = "Reject payment" })).ToHaveCountAsync(0);

        var approver = await host.SignedIn("approver@ecaro.example");
        await approver.GotoAsync("/approvals");
        var pending = approver.Locator("tr", new() { HasText = "ECARO-UI-REJECT" });
        var action = await pending.Locator("form").Last.GetAttributeAsync("action");
        Assert.Equal(403, await ForgedPost(finance, action!, new() { ["reason"] = "finance tries to reject" }));

        await pending.GetByLabel("Reason to reject").FillAsync("The bank details do not match the grant agreement");
        await pending.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();

        await Assertions.Expect(approver.GetByRole(AriaRole.Status)).ToContainTextAsync("The payment was rejected");
        await Assertions.Expect(approver.Locator("tr", new() { HasText = "ECARO-UI-REJECT" })).ToHaveCountAsync(0);
        await finance.ReloadAsync();
        await Assertions.Expect(finance.Locator("#disbursements tr", new() { HasText = "ECARO-UI-REJECT" }))
            .ToContainTextAsync("rejected The bank details do not match");
    }

    [Fact]
    public async Task an_approver_rejects_a_proposed_amendment_with_a_reason_and_finance_cannot()
    {
        var finance = await host.SignedIn("finance@ecaro.example");
        await finance.GotoAsync("/grants");
        await finance.GetByRole(AriaRole.Link, new() { Name = WwbName }).ClickAsync();
        var grant = finance.Url;
        await finance.Disclose("No-cost extension");
        await finance.GetByLabel("New end date").FillAsync("2021-09-15");
        await finance.GetByLabel("Reason", new() { Exact = true }).FillAsync("Camera-trap season runs late (UI rejection test)");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Propose" }).ClickAsync();
        await Assertions.Expect(finance.GetByRole(AriaRole.Status)).ToContainTextAsync("The amendment was proposed");
        await Assertions.Expect(finance.GetByRole(AriaRole.Button, new() { Name = "Reject amendment" })).ToHaveCountAsync(0);

        var approver = await host.SignedIn("approver@ecaro.example");
        await approver.GotoAsync(grant);
        var row = approver.Locator("#amendments tr", new() { HasText = "UI rejection test" });
        await row.Disclose("Reject this amendment");
        await row.GetByRole(AriaRole.Button, new() { Name = "Reject amendment" }).ClickAsync();
        await Assertions.Expect(row.GetByLabel("Reason to reject the amendment")).ToBeFocusedAsync();

        var action = await row.Locator("form", new() { HasText = "Reject amendment" }).GetAttributeAsync("action");
        Assert.Equal(403, await ForgedPost(finance, action!, new() { ["reason"] = "finance tries to reject" }));

        await row.GetByLabel("Reason to reject the amendment").FillAsync("The donor has not agreed to the extension");
        await row.GetByRole(AriaRole.Button, new() { Name = "Reject amendment" }).ClickAsync();

        await Assertions.Expect(approver.GetByRole(AriaRole.Status)).ToContainTextAsync("The amendment was rejected");
        await Assertions.Expect(approver.Locator("#amendments tr", new() { HasText = "UI rejection test" }))
            .ToContainTextAsync("rejected The donor has not agreed");
    }

    [Fact]
    public async Task a_grantee_confirms_what_arrived_in_its_currency_and_finance_cannot()
    {
        var grantee = await host.SignedIn("grantee@slconservancy.example");
        await grantee.GotoAsync(Slc);
        var row = Paid28000(grantee);

        await row.Disclose("Record what arrived");
        await row.GetByLabel("Amount that arrived", new() { Exact = false }).FillAsync("a lot");
        await row.GetByRole(AriaRole.Button, new() { Name = "Confirm receipt" }).ClickAsync();
        row = Paid28000(grantee);
        await Assertions.Expect(row.Locator(".error")).ToContainTextAsync("Enter the amount that arrived as a number");

        var action = await row.Locator("form").GetAttributeAsync("action");
        var finance = await host.SignedIn("finance@ecaro.example");
        await finance.GotoAsync(Slc);
        await Assertions.Expect(finance.GetByRole(AriaRole.Button, new() { Name = "Confirm receipt" })).ToHaveCountAsync(0);
        Assert.Equal(403, await ForgedPost(finance, action!, new() { ["amount"] = "1.00", ["currency"] = "KGS" }));

        await row.Disclose("Record what arrived");
        await row.GetByLabel("Amount that arrived", new() { Exact = false }).FillAsync("2380000.00");
        await row.GetByLabel("Currency", new() { Exact = true }).SelectOptionAsync("KGS");
        await row.GetByLabel("Bank statement reference", new() { Exact = true }).FillAsync("KICB 2020-05-06 No 0042");
        await row.GetByRole(AriaRole.Button, new() { Name = "Confirm receipt" }).ClickAsync();

        await Assertions.Expect(grantee.GetByRole(AriaRole.Status)).ToContainTextAsync("the amount that arrived was recorded");
        await Assertions.Expect(Paid28000(grantee)).ToContainTextAsync("arrived as 2,380,000.00 KGS, statement ref KICB 2020-05-06 No 0042");
    }

    /// <summary>Posts a form as the page's user, with the anti-forgery token of a page it may open: only the role check is left to refuse.</summary>
    internal static async Task<int> ForgedPost(IPage page, string action, Dictionary<string, string> fields)
    {
        var token = await page.Locator("input[name=__RequestVerificationToken]").First.GetAttributeAsync("value");
        var form = page.APIRequest.CreateFormData();
        form.Set("__RequestVerificationToken", token!);
        foreach (var (name, value) in fields)
        {
            form.Set(name, value);
        }

        var response = await page.APIRequest.PostAsync(action, new() { Form = form, MaxRedirects = 0 });
        return response.Status;
    }

    /// <summary>Conservancy's first tranche as paid (the 2,800.00 keyed in error, reversed, mentions 28,000.00 in its reason).</summary>
    private static ILocator Paid28000(IPage page) =>
        page.Locator("#disbursements tbody tr", new() { HasText = "28,000.00" }).Filter(new() { HasNotText = "keyed in error" });

    private const string WwbName = "Wildlife Without Borders, with the Institute of Zoology of Kazakhstan";
    private const string Slc = "/grants/c3f618db-0995-0c1f-4a90-5f600de26e81";
}
