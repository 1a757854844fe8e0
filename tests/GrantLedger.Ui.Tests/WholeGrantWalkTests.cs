using System.Globalization;
using Microsoft.Playwright;

namespace GrantLedger.Ui.Tests;

/// <summary>
/// One grant walked from the programme's set-up to its final payment, in the browser only: each person signs in in a
/// browser of their own and does their part on the pages they would use, and each step is checked by what they see.
/// The award is at the programme's approval threshold and the two tranches add up to it within 30 days, so a second
/// person approves twice (the award, then the final payment on the cumulative rule); the grantee reports enough
/// spending, and finance accepts it, for the further tranche to be paid without an override.
/// </summary>
[Collection(BrowserCollection.Name)]
public class WholeGrantWalkTests(BrowserHost host)
{
    [Fact]
    public async Task a_grant_is_walked_from_the_programme_set_up_to_the_final_payment_in_the_browser()
    {
        var code = "WALK-" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var title = "Snow leopard corridors " + code;
        var milestone = "Mid-term report " + code;
        var first = code + "-T1";
        var last = code + "-T2";
        var expense = "Ranger salaries, March 2025 " + code;
        // A grantee organisation of its own (the demo's grantees keep exactly their seeded grants for the other tests).
        var organisation = "Alatoo Rangers " + code;
        var granteeEmail = $"rangers-{code.ToLowerInvariant()}@walk.example";

        // Finance registers the organisation and proposes the bank account of its grant agreement; a second person
        // approves the account (four eyes on where money goes) before anything can be paid to it.
        var finance = await host.SignedIn("finance@ecaro.example");
        await finance.GotoAsync("/organisations");
        await finance.Disclose("Register an organisation…");
        await finance.Locator("#legalName").FillAsync(organisation + " Public Foundation");
        await finance.Locator("#shortName").FillAsync(organisation);
        await finance.Locator("#countries").FillAsync("KG");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Register organisation" }).ClickAsync();
        await finance.GetByRole(AriaRole.Link, new() { Name = organisation, Exact = true }).ClickAsync();
        await finance.Disclose("Propose a bank account…");
        await finance.Locator("#holder-new").FillAsync(organisation + " Public Foundation");
        await finance.Locator("#number-new").FillAsync("1280016012345678");
        await finance.Locator("#swift-new").FillAsync("KICBKG22");
        await finance.Locator("#bank-new").FillAsync("Kyrgyz Investment and Credit Bank");
        await finance.Locator("#bankCountry-new").FillAsync("KG");
        await finance.Locator("#account-reason-new").FillAsync("Account named in the grant agreement");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Propose account" }).ClickAsync();
        await Assertions.Expect(finance.Locator("main")).ToContainTextAsync("1280016012345678");
        var accountApprover = await host.SignedIn("approver@ecaro.example");
        await accountApprover.GotoAsync("/approvals");
        var pendingAccount = accountApprover.Locator("#pending-accounts tr", new() { HasText = organisation });
        await pendingAccount.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(accountApprover.GetByRole(AriaRole.Status)).ToContainTextAsync("approved");

        // The administrator adds the grantee's user, bound to its organisation.
        var admin = await host.SignedIn("admin@ecaro.example");
        await UserForms.AddUser(admin, granteeEmail, "Project lead, " + organisation, "grantee", organisation);

        // Finance opens the programme with its rules.
        await finance.GotoAsync("/");
        await finance.GetByRole(AriaRole.Link, new() { Name = "Open a programme" }).ClickAsync();
        await finance.GetByLabel("Code", new() { Exact = false }).FillAsync(code);
        await finance.GetByLabel("Name", new() { Exact = true }).FillAsync("High mountain corridors " + code);
        await finance.GetByLabel("Allocation (EUR)").FillAsync("100000.00");
        await finance.GetByLabel("Window from").FillAsync("2021-01-01");
        await finance.GetByLabel("Window to").FillAsync("2035-12-31");
        await finance.GetByLabel("Time zone", new() { Exact = false }).FillAsync("Asia/Bishkek");
        await finance.GetByLabel("Approval threshold", new() { Exact = false }).FillAsync("40000.00");
        await finance.GetByLabel("Indirect cost cap", new() { Exact = false }).FillAsync("7");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Open programme" }).ClickAsync();
        await Assertions.Expect(finance.GetByRole(AriaRole.Status)).ToContainTextAsync($"Programme {code} was opened.");
        await Assertions.Expect(finance.Locator("dt:text-is('Allocation') + dd")).ToHaveTextAsync("100,000.00 EUR");

        // Finance awards the grant at the threshold: it waits for a second person.
        await finance.GetByRole(AriaRole.Link, new() { Name = "Award a grant" }).ClickAsync();
        await finance.GetByLabel("Grantee organisation").SelectOptionAsync(new SelectOptionValue { Label = organisation + " – " + organisation + " Public Foundation" });
        await finance.GetByLabel("Countries", new() { Exact = false }).FillAsync("KG");
        await finance.GetByLabel("Title", new() { Exact = true }).FillAsync(title);
        await finance.GetByLabel("Amount (EUR)").FillAsync("40000.00");
        await finance.GetByLabel("Grant window from").FillAsync("2021-03-01");
        await finance.GetByLabel("Grant window to").FillAsync("2034-12-31");
        await Assertions.Expect(finance.Locator("#amount-check")).ToContainTextAsync("waits for a second person");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Award grant" }).ClickAsync();
        await Assertions.Expect(finance.GetByRole(AriaRole.Status)).ToContainTextAsync("waits for a second person's approval");
        await finance.WaitForURLAsync("**/agreement");
        var grant = new Uri(finance.Url).AbsolutePath[..new Uri(finance.Url).AbsolutePath.LastIndexOf("/agreement", StringComparison.Ordinal)];

        // The approver finds the award in its queue and approves it on the approvals page.
        var approver = await host.SignedIn("approver@ecaro.example");
        await approver.Locator("#queue-approvals").GetByRole(AriaRole.Link, new() { Name = $"Award of 40,000.00 EUR to {organisation}", Exact = false }).First.ClickAsync();
        await Assertions.Expect(approver.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Waiting for a second pair of eyes");
        await approver.Locator("tr", new() { HasText = title }).GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(approver.GetByRole(AriaRole.Status)).ToContainTextAsync("The award was approved; the grant can be paid.");
        await Assertions.Expect(approver.Locator("tr", new() { HasText = title })).ToHaveCountAsync(0);

        // Finance plans two tranches and a milestone that gates the second.
        await finance.GotoAsync(grant + "/agreement");
        await finance.GetByLabel("Tranche amount (EUR)").FillAsync("20000.00");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Add tranche" }).ClickAsync();
        await Assertions.Expect(finance.GetByRole(AriaRole.Status)).ToContainTextAsync("The tranche was added");
        await finance.GetByLabel("Tranche amount (EUR)").FillAsync("20000.00");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Add tranche" }).ClickAsync();
        await Assertions.Expect(finance.Locator("#schedule tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(finance.Locator("#unplanned")).ToHaveTextAsync("0.00");
        // Due within the grantee's "due soon" window of the work queue (the app runs on the real clock).
        var due = DateTime.UtcNow.AddDays(10).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await finance.GetByLabel("Milestone (report or deliverable)").FillAsync(milestone);
        await finance.GetByLabel("Kind").SelectOptionAsync("interim");
        await finance.GetByLabel("Due date", new() { Exact = false }).FillAsync(due);
        await finance.GetByLabel("Tranche it gates", new() { Exact = false }).SelectOptionAsync(new SelectOptionValue { Label = "Tranche 2 (20,000.00 EUR)" });
        await finance.GetByRole(AriaRole.Button, new() { Name = "Plan milestone" }).ClickAsync();
        await Assertions.Expect(finance.GetByRole(AriaRole.Status)).ToContainTextAsync("paid only after it is confirmed");
        await Assertions.Expect(finance.Locator("#schedule tbody tr").Nth(1)).ToContainTextAsync($"after “{milestone}” is confirmed");

        // Finance sets the budget.
        await finance.Locator("main").GetByRole(AriaRole.Link, new() { Name = "Budget", Exact = true }).ClickAsync();
        await Line(finance, 0, "P1", "personnel", "Two rangers, 24 months", "28000.00");
        await Line(finance, 1, "E1", "equipment", "Camera traps", "10000.00");
        await Line(finance, 2, "X1", "indirect-costs", "Office share", "2000.00");
        await Assertions.Expect(finance.Locator("#budget-total")).ToContainTextAsync("40,000.00 of 40,000.00 EUR: adds up.");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Set the budget" }).ClickAsync();
        await Assertions.Expect(finance.GetByRole(AriaRole.Status)).ToContainTextAsync("The budget was set.");

        // Finance pays tranche 1 from the grant page; the gated tranche 2 waits for its milestone.
        await finance.GotoAsync(grant);
        await Assertions.Expect(finance.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(organisation);
        await finance.Disclose("Record a disbursement");
        await Assertions.Expect(finance.GetByLabel("Tranche")).ToContainTextAsync("Tranche 2 (20,000.00 EUR left, waiting for its milestone)");
        await finance.GetByLabel("Tranche").SelectOptionAsync(new SelectOptionValue { Label = "Tranche 1 (20,000.00 EUR left)" });
        await finance.GetByLabel("Amount (EUR)").FillAsync("20000.00");
        await finance.GetByLabel("Value date").FillAsync("2025-03-03");
        await finance.GetByLabel("Bank reference").FillAsync(first);
        await finance.GetByRole(AriaRole.Button, new() { Name = "Record disbursement" }).ClickAsync();
        await Assertions.Expect(finance.GetByRole(AriaRole.Status)).ToHaveTextAsync("The disbursement was recorded.");
        await Assertions.Expect(finance.Locator("#disbursed")).ToHaveTextAsync("20,000.00 EUR");
        await Assertions.Expect(Fact(finance, "Remaining")).ToHaveTextAsync("20,000.00 EUR");

        // The grantee is asked to confirm what arrived and to submit the milestone, both from its home page.
        var grantee = await host.SignedIn(granteeEmail);
        await Assertions.Expect(grantee.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Waiting for you");
        await Assertions.Expect(grantee.Locator("#queue-due").GetByRole(AriaRole.Link, new() { Name = milestone, Exact = false })).ToBeVisibleAsync();
        await grantee.Locator("#queue-receipts").GetByRole(AriaRole.Link, new() { Name = $"Payment {first} of 20,000.00 EUR", Exact = false }).ClickAsync();
        Assert.EndsWith(grant, grantee.Url.Split('#')[0]);
        var paid = grantee.Locator("#disbursements tbody tr", new() { HasText = first });
        await paid.Disclose("Record what arrived");
        await paid.GetByLabel("Amount that arrived", new() { Exact = false }).FillAsync("20000.00");
        await paid.GetByLabel("Currency", new() { Exact = true }).SelectOptionAsync("EUR");
        await paid.GetByRole(AriaRole.Button, new() { Name = "Confirm receipt" }).ClickAsync();
        await Assertions.Expect(grantee.GetByRole(AriaRole.Status)).ToContainTextAsync("the amount that arrived was recorded");
        await Assertions.Expect(grantee.Locator("#disbursements tbody tr", new() { HasText = first })).ToContainTextAsync("arrived as 20,000.00 EUR");

        await grantee.GotoAsync("/");
        await Assertions.Expect(grantee.Locator("#queue-receipts")).Not.ToContainTextAsync(first);
        await grantee.Locator("#queue-due").GetByRole(AriaRole.Link, new() { Name = milestone, Exact = false }).ClickAsync();
        var report = grantee.Locator("tr", new() { HasText = milestone });
        await report.Disclose("Deliver this milestone");
        await report.GetByLabel("Note").FillAsync("Camera-trap results and the first six months' accounts");
        await report.GetByLabel("Evidence (PDF, image or spreadsheet)").SetInputFilesAsync(new FilePayload
        {
            Name = "mid-term-report.pdf", MimeType = "application/pdf", Buffer = "%PDF-1.4\n% mid-term report\n%%EOF\n"u8.ToArray(),
        });
        await report.GetByRole(AriaRole.Button, new() { Name = "Submit" }).ClickAsync();
        await Assertions.Expect(grantee.GetByRole(AriaRole.Status)).ToContainTextAsync("Your submission was received");
        await Assertions.Expect(grantee.Locator("tr", new() { HasText = milestone })).ToContainTextAsync("submitted");

        // The grantee reports what it spent: a further tranche needs accepted spending of 70% of what was received.
        await grantee.Locator("main").GetByRole(AriaRole.Link, new() { Name = "Budget and spending" }).ClickAsync();
        await grantee.Disclose("Report an expense");
        await grantee.GetByLabel("Expense period from").FillAsync("2025-03-01");
        await grantee.GetByLabel("Expense period to").FillAsync("2025-03-31");
        await grantee.GetByLabel("Budget line", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "P1 – Two rangers, 24 months" });
        await grantee.GetByLabel("Date paid").FillAsync("2025-03-28");
        await grantee.GetByLabel("Description", new() { Exact = true }).FillAsync(expense);
        await grantee.GetByLabel("Amount", new() { Exact = true }).FillAsync("15000.00");
        await grantee.GetByLabel("Currency").SelectOptionAsync("EUR");
        await grantee.GetByRole(AriaRole.Button, new() { Name = "Submit expense" }).ClickAsync();
        await Assertions.Expect(grantee.GetByRole(AriaRole.Status)).ToContainTextAsync("Your expense was received");
        await Assertions.Expect(grantee.Locator("tr", new() { HasText = expense })).ToContainTextAsync("15,000.00 EUR");

        // Finance finds the submission in its work queue and sends it back: the accounts are missing.
        await finance.GotoAsync("/");
        await finance.Locator("#queue-submissions").GetByRole(AriaRole.Link, new() { Name = $"{organisation}: {milestone}", Exact = false }).ClickAsync();
        Assert.EndsWith(grant, finance.Url.Split('#')[0]);
        var submitted = finance.Locator("tr", new() { HasText = milestone });
        await submitted.Disclose("Send it back");
        await submitted.GetByLabel("Reason to send it back").FillAsync("The six months' accounts are not attached");
        await submitted.GetByRole(AriaRole.Button, new() { Name = "Send back" }).ClickAsync();
        await Assertions.Expect(finance.GetByRole(AriaRole.Status)).ToContainTextAsync("The milestone was sent back with your reason.");

        // The grantee finds it sent back with the reason in its queue and hands it in again with the accounts.
        await grantee.GotoAsync("/");
        await grantee.Locator("#queue-sent-back").GetByRole(AriaRole.Link, new() { Name = "The six months' accounts are not attached", Exact = false }).ClickAsync();
        var again = grantee.Locator("tr", new() { HasText = milestone });
        await Assertions.Expect(again).ToContainTextAsync("Sent back: The six months' accounts are not attached");
        await again.Disclose("Deliver this milestone");
        await again.GetByLabel("Note").FillAsync("Accounts attached");
        await again.GetByLabel("Evidence (PDF, image or spreadsheet)").SetInputFilesAsync(new FilePayload
        {
            Name = "accounts.pdf", MimeType = "application/pdf", Buffer = "%PDF-1.4\n% accounts\n%%EOF\n"u8.ToArray(),
        });
        await again.GetByRole(AriaRole.Button, new() { Name = "Submit" }).ClickAsync();
        await Assertions.Expect(grantee.GetByRole(AriaRole.Status)).ToContainTextAsync("Your submission was received");

        // Finance sees both files and confirms it.
        await finance.ReloadAsync();
        submitted = finance.Locator("tr", new() { HasText = milestone });
        await Assertions.Expect(submitted.GetByRole(AriaRole.Link, new() { Name = "mid-term-report.pdf" })).ToBeVisibleAsync();
        await Assertions.Expect(submitted.GetByRole(AriaRole.Link, new() { Name = "accounts.pdf" })).ToBeVisibleAsync();
        await submitted.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        await Assertions.Expect(finance.GetByRole(AriaRole.Status)).ToContainTextAsync("The milestone was confirmed.");
        await Assertions.Expect(finance.Locator("tr", new() { HasText = milestone })).ToContainTextAsync("confirmed");

        // Finance follows its queue to the reported spending and accepts it.
        await finance.GotoAsync("/");
        await finance.Locator("#queue-expenditure").GetByRole(AriaRole.Link, new() { Name = $"{organisation}: 1 entry reported for 2025-03-01 to 2025-03-31", Exact = false }).ClickAsync();
        Assert.EndsWith(grant + "/budget", finance.Url.Split('#')[0]);
        await finance.GetByLabel($"Decision for {expense}").SelectOptionAsync("accept");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Record decisions" }).ClickAsync();
        await Assertions.Expect(finance.GetByRole(AriaRole.Status)).ToContainTextAsync("The decisions were recorded.");
        await Assertions.Expect(finance.Locator("tr", new() { HasText = expense })).ToContainTextAsync("accepted");

        // Finance records the final payment: with the first it reaches the threshold within 30 days, so it waits.
        await finance.GotoAsync(grant);
        await finance.Disclose("Record a disbursement");
        await finance.GetByLabel("Tranche").SelectOptionAsync(new SelectOptionValue { Label = "Tranche 2 (20,000.00 EUR left)" });
        await finance.GetByLabel("Amount (EUR)").FillAsync("20000.00");
        await finance.GetByLabel("Value date").FillAsync("2025-03-17");
        await finance.GetByLabel("Bank reference").FillAsync(last);
        await finance.GetByRole(AriaRole.Button, new() { Name = "Record disbursement" }).ClickAsync();
        await Assertions.Expect(finance.GetByRole(AriaRole.Status))
            .ToContainTextAsync("awaits a second person's approval (with this grant's other recent payments it reaches the approval threshold)");
        await Assertions.Expect(Fact(finance, "Awaiting approval")).ToHaveTextAsync("20,000.00 EUR");
        await Assertions.Expect(finance.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true })).ToHaveCountAsync(0);

        // The approver follows its queue to the payment and approves it on the grant page.
        await approver.GotoAsync("/");
        await approver.Locator("#queue-approvals").GetByRole(AriaRole.Link, new() { Name = $"Payment {last} of 20,000.00 EUR to {organisation}", Exact = false }).ClickAsync();
        var pending = approver.Locator("tr", new() { HasText = last });
        await Assertions.Expect(pending).ToContainTextAsync("20,000.00");
        await pending.GetByRole(AriaRole.Link, new() { Name = "Review and approve" }).ClickAsync();
        Assert.EndsWith(grant, approver.Url.Split('#')[0]);
        await approver.Locator("#disbursements tbody tr", new() { HasText = last }).GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true }).ClickAsync();
        await Assertions.Expect(approver.GetByRole(AriaRole.Status)).ToContainTextAsync("The disbursement was approved and is now paid.");

        // The grant is paid in full, as finance sees it; the grantee confirms the second receipt too.
        await finance.ReloadAsync();
        await Assertions.Expect(Fact(finance, "Awarded")).ToHaveTextAsync("40,000.00 EUR");
        await Assertions.Expect(finance.Locator("#disbursed")).ToHaveTextAsync("40,000.00 EUR");
        await Assertions.Expect(Fact(finance, "Awaiting approval")).ToHaveTextAsync("0.00 EUR");
        await Assertions.Expect(Fact(finance, "Remaining")).ToHaveTextAsync("0.00 EUR");
        await Assertions.Expect(finance.Locator("#disbursements tbody tr", new() { HasText = last })).ToContainTextAsync("recorded");

        await grantee.GotoAsync("/");
        await grantee.Locator("#queue-receipts").GetByRole(AriaRole.Link, new() { Name = $"Payment {last} of 20,000.00 EUR", Exact = false }).ClickAsync();
        paid = grantee.Locator("#disbursements tbody tr", new() { HasText = last });
        await paid.Disclose("Record what arrived");
        await paid.GetByLabel("Amount that arrived", new() { Exact = false }).FillAsync("20000.00");
        await paid.GetByLabel("Currency", new() { Exact = true }).SelectOptionAsync("EUR");
        await paid.GetByRole(AriaRole.Button, new() { Name = "Confirm receipt" }).ClickAsync();
        await Assertions.Expect(grantee.GetByRole(AriaRole.Status)).ToContainTextAsync("the amount that arrived was recorded");
        await Assertions.Expect(grantee.Locator("#disbursed")).ToHaveTextAsync("40,000.00 EUR");
        await Assertions.Expect(Fact(grantee, "Remaining")).ToHaveTextAsync("0.00 EUR");
    }

    private static ILocator Fact(IPage page, string term) => page.Locator($"dt:text-is('{term}') + dd");

    private static async Task Line(IPage page, int index, string code, string heading, string description, string amount)
    {
        var n = index + 1;
        await page.GetByLabel($"Code (line {n})").FillAsync(code);
        await page.GetByLabel($"Heading (line {n})").SelectOptionAsync(heading);
        await page.GetByLabel($"Description (line {n})").FillAsync(description);
        await page.GetByLabel($"Amount in EUR (line {n})").FillAsync(amount);
    }
}
