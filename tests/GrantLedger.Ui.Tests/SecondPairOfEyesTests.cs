using Microsoft.Playwright;

namespace GrantLedger.Ui.Tests;

/// <summary>
/// The decisions a second person takes in the browser that no other browser test takes: an award turned down, a
/// payment approved and its reversal approved, approval rules turned down; and an administrator changing a role.
/// Each on a programme of its own (fresh code), so the demo's figures stay as the other tests expect.
/// </summary>
[Collection(BrowserCollection.Name)]
public class SecondPairOfEyesTests(BrowserHost host)
{
    [Fact]
    public async Task an_award_at_the_threshold_is_turned_down_on_the_approvals_page_and_nothing_can_be_paid()
    {
        var finance = await host.SignedIn("finance@ecaro.example");
        var code = SetUpTests.Code();
        await SetUpTests.OpenProgramme(finance, code, allocation: "100000.00", threshold: "10000.00");
        var grantee = "Chatkal Herders " + code;
        await finance.GetByRole(AriaRole.Link, new() { Name = "Award a grant" }).ClickAsync();
        await SetUpTests.FillAward(host, finance, grantee, "30000.00");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Award grant" }).ClickAsync();
        await Assertions.Expect(finance.GetByRole(AriaRole.Status)).ToContainTextAsync("waits for a second person's approval");

        var approver = await host.SignedIn("approver@ecaro.example");
        await approver.GotoAsync("/approvals");
        var row = approver.Locator("tr", new() { HasText = grantee });
        await row.GetByLabel("Reason to reject", new() { Exact = false }).FillAsync("The donor has not confirmed the co-financing");
        await row.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();
        await Assertions.Expect(approver.GetByRole(AriaRole.Status)).ToContainTextAsync("The award was rejected.");
        await Assertions.Expect(approver.Locator("tr", new() { HasText = grantee })).ToHaveCountAsync(0);

        await finance.GotoAsync("/grants");
        await finance.GetByRole(AriaRole.Link, new() { Name = grantee }).ClickAsync();
        await Assertions.Expect(finance.Locator(".badge.hold")).ToContainTextAsync("award rejected: nothing can be paid");
    }

    [Fact]
    public async Task a_payment_and_its_reversal_at_the_threshold_each_wait_for_the_approver_who_approves_them()
    {
        var finance = await host.SignedIn("finance@ecaro.example");
        var code = SetUpTests.Code();
        await SetUpTests.OpenProgramme(finance, code, allocation: "100000.00", threshold: "10000.00");
        var programme = finance.Url;
        var grantee = "Naryn Rangers " + code;
        await finance.GetByRole(AriaRole.Link, new() { Name = "Award a grant" }).ClickAsync();
        await SetUpTests.FillAward(host, finance, grantee, "9000.00");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Award grant" }).ClickAsync();
        await Assertions.Expect(finance.GetByRole(AriaRole.Status)).ToContainTextAsync("The grant was awarded.");
        await finance.GetByLabel("Tranche amount (EUR)").FillAsync("9000.00");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Add tranche" }).ClickAsync();
        await Assertions.Expect(finance.GetByRole(AriaRole.Status)).ToContainTextAsync("The tranche was added");
        await finance.GetByRole(AriaRole.Link, new() { Name = "Back to the grant" }).ClickAsync();
        var grant = finance.Url;

        // 9,000.00 is below the threshold: paid at once; its reversal is below it too, so lower the threshold first.
        await finance.Disclose("Record a disbursement");
        await finance.GetByLabel("Amount (EUR)").FillAsync("9000.00");
        await finance.GetByLabel("Value date").FillAsync("2021-04-01");
        await finance.GetByLabel("Bank reference").FillAsync("REV-" + code);
        await finance.GetByRole(AriaRole.Button, new() { Name = "Record disbursement" }).ClickAsync();
        await Assertions.Expect(finance.GetByRole(AriaRole.Status)).ToHaveTextAsync("The disbursement was recorded.");

        await finance.GotoAsync(programme);
        await finance.Disclose("Change the approval rules");
        await finance.GetByLabel("New approval threshold (EUR)").FillAsync("5000.00");
        await finance.GetByLabel("Reason", new() { Exact = true }).FillAsync("Audit finding: lower the threshold");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Propose the new rules" }).ClickAsync();
        var approver = await host.SignedIn("approver@ecaro.example");
        await approver.GotoAsync("/approvals");
        await approver.Locator("tr", new() { HasText = code }).GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true }).ClickAsync();
        await Assertions.Expect(approver.GetByRole(AriaRole.Status)).ToContainTextAsync("The new approval rules apply.");

        // A second proposal is turned down with a reason; the rule stays.
        await finance.GotoAsync(programme);
        await finance.Disclose("Change the approval rules");
        await finance.GetByLabel("New approval threshold (EUR)").FillAsync("90000.00");
        await finance.GetByLabel("Reason", new() { Exact = true }).FillAsync("Fewer approvals please");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Propose the new rules" }).ClickAsync();
        await approver.GotoAsync("/approvals");
        var rules = approver.Locator("tr", new() { HasText = "Fewer approvals please" });
        await rules.GetByLabel("Reason to reject").FillAsync("Four eyes stay at 5,000 after the audit");
        await rules.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();
        await Assertions.Expect(approver.GetByRole(AriaRole.Status)).ToContainTextAsync("The proposed rules were rejected.");
        await finance.ReloadAsync();
        await Assertions.Expect(finance.Locator("#four-eyes")).ToContainTextAsync("5,000.00 EUR or more");
        await Assertions.Expect(finance.Locator("#four-eyes")).Not.ToContainTextAsync("proposed");

        // Now the reversal of 9,000.00 waits for the approver, who applies it.
        await finance.GotoAsync(grant);
        var paid = finance.Locator("#disbursements tbody tr", new() { HasText = "REV-" + code });
        await paid.Disclose("Correct by reversal");
        await paid.GetByLabel("Reason for reversal").FillAsync("Paid to the wrong grant");
        await paid.GetByRole(AriaRole.Button, new() { Name = "Reverse" }).ClickAsync();
        await Assertions.Expect(finance.GetByRole(AriaRole.Status)).ToContainTextAsync("a second person must approve it");
        await Assertions.Expect(finance.Locator("#disbursed")).ToHaveTextAsync("9,000.00 EUR");

        await approver.GotoAsync("/approvals");
        await approver.Locator("tr", new() { HasText = "Paid to the wrong grant" }).GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true }).ClickAsync();
        await Assertions.Expect(approver.GetByRole(AriaRole.Status)).ToContainTextAsync("The reversal was approved and applied.");
        await finance.ReloadAsync();
        await Assertions.Expect(finance.Locator("#disbursed")).ToHaveTextAsync("0.00 EUR");
        await Assertions.Expect(finance.Locator("#disbursements tbody tr", new() { HasText = "REV-" + code })).ToContainTextAsync("Paid to the wrong grant");
    }

    [Fact]
    public async Task an_administrator_changes_a_users_role_with_a_reason_and_the_user_gets_the_new_menu()
    {
        var admin = await host.SignedIn("admin@ecaro.example");
        var email = $"mover-{Guid.NewGuid():N}@ecaro.example";
        await UserForms.AddUser(admin, email, "Moves to finance", "auditor");

        var row = admin.Locator("#users tr", new() { HasText = email });
        await row.GetByText("Change " + email).ClickAsync();
        await row.GetByLabel("Change to").SelectOptionAsync("finance");
        await row.Locator("form", new() { HasText = "Change role" }).GetByLabel("Why (recorded)").FillAsync("Joined the finance team");
        await row.GetByRole(AriaRole.Button, new() { Name = "Change role of " + email }).ClickAsync();
        await Assertions.Expect(admin.GetByRole(AriaRole.Status)).ToContainTextAsync("The roles were changed");
        await Assertions.Expect(admin.Locator("#users tr", new() { HasText = email })).ToContainTextAsync("finance");

        var user = await host.SignedIn(email);
        await user.GotoAsync("/programmes/new");
        await Assertions.Expect(user.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("programme");
    }
}
