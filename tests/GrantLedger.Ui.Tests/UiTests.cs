using Microsoft.Playwright;

namespace GrantLedger.Ui.Tests;

[Collection(BrowserCollection.Name)]
public class UiTests(BrowserHost host)
{
    private const string Conservancy = "Snow Leopard Conservancy";

    [Theory]
    [InlineData("finance@ecaro.example", "Waiting for you")]
    [InlineData("approver@ecaro.example", "Waiting for you")]
    [InlineData("auditor@audit.example", "Waiting for you")]
    [InlineData("grantee@snowleopard.example", "Waiting for you")]
    public async Task each_role_signs_in_to_its_own_home(string email, string heading)
    {
        var page = await host.SignedIn(email);

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(heading);
    }

    [Fact]
    public async Task a_wrong_password_is_refused_in_words()
    {
        var context = await host.Browser.NewContextAsync(new() { BaseURL = host.BaseUrl });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.GetByLabel("E-mail").FillAsync("finance@ecaro.example");
        await page.GetByLabel("Password").FillAsync("not the password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The e-mail or password is not right");
    }

    [Fact]
    public async Task a_grantee_sees_only_its_own_grant()
    {
        var page = await host.SignedIn("grantee@snowleopard.example");

        var rows = page.Locator("table tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync("Snow Leopard Trust");
    }

    [Fact]
    public async Task finance_records_a_disbursement_and_a_double_click_records_one()
    {
        var page = await host.SignedIn("finance@ecaro.example");
        await page.GotoAsync("/grants");
        await page.GetByRole(AriaRole.Link, new() { Name = Conservancy, Exact = true }).ClickAsync();
        var before = await page.Locator("#disbursements tbody tr").CountAsync();

        await page.Disclose("Record a disbursement");
        await page.GetByLabel("Tranche").SelectOptionAsync(new SelectOptionValue { Label = await TrancheLabel(page, 2) });
        await page.GetByLabel("Amount (EUR)").FillAsync("5000.00");
        await page.GetByLabel("Value date").FillAsync("2021-02-03");
        await page.GetByLabel("Bank reference").FillAsync("ECARO-UI-0001");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record disbursement" }).DblClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The disbursement was recorded.");
        await Assertions.Expect(page.Locator("#disbursements tbody tr")).ToHaveCountAsync(before + 1);
        await Assertions.Expect(page.Locator("#disbursements tbody tr", new() { HasText = "ECARO-UI-0001" })).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task a_refused_payment_is_explained_next_to_the_form_in_plain_words()
    {
        var page = await host.SignedIn("finance@ecaro.example");
        await page.GotoAsync("/grants");
        await page.GetByRole(AriaRole.Link, new() { Name = "Wildlife Without Borders, with the Institute of Zoology of Kazakhstan" }).ClickAsync();

        await page.Disclose("Record a disbursement");
        await page.GetByLabel("Amount (EUR)").FillAsync("1000.00");
        await page.GetByLabel("Value date").FillAsync("2021-02-01");
        await page.GetByLabel("Bank reference").FillAsync("ECARO-UI-HOLD");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record disbursement" }).ClickAsync();

        var alert = page.GetByRole(AriaRole.Alert);
        await Assertions.Expect(alert).ToContainTextAsync("is on hold");
        await Assertions.Expect(alert).Not.ToContainTextAsync("grantee-on-hold");
    }

    [Fact]
    public async Task the_auditor_sees_the_audit_trail_and_a_verified_chain()
    {
        var page = await host.SignedIn("auditor@audit.example");
        await page.GotoAsync("/audit");

        await Assertions.Expect(page.Locator("#chain")).ToContainTextAsync("Audit chain verified");
        await Assertions.Expect(page.Locator("#trail tbody tr").First).ToBeVisibleAsync();
    }

    [Fact]
    public async Task the_grant_page_fits_a_phone_screen()
    {
        var page = await host.SignedIn("finance@ecaro.example", width: 390);
        await page.GotoAsync("/grants");
        await page.GetByRole(AriaRole.Link, new() { Name = "Snow Leopard Trust", Exact = true }).ClickAsync();

        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        var culprits = await page.EvaluateAsync<string>(
            "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-wrap'))" +
            ".slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id).join(', ')");
        Assert.True(overflow <= 1, $"the page is {overflow}px wider than the screen: {culprits}");
    }

    [Fact]
    public async Task a_grantee_submits_a_milestone_with_a_file_finance_confirms_it_and_the_gated_tranche_is_paid()
    {
        var grantee = await host.SignedIn("grantee@wwb.example");
        await grantee.GotoAsync("/grants");
        await grantee.GetByRole(AriaRole.Link, new() { Name = Wwb }).ClickAsync();
        var midTerm = grantee.Locator("tr", new() { HasText = "Mid-term technical and financial report" });
        await midTerm.Disclose("Deliver this milestone");
        await midTerm.GetByLabel("Note").FillAsync("Resubmitted with the financial annex");
        await midTerm.GetByLabel("Evidence (PDF, image or spreadsheet)").SetInputFilesAsync(new FilePayload
        {
            Name = "mid-term-report.pdf", MimeType = "application/pdf", Buffer = "%PDF-1.4\n% mid-term report\n%%EOF\n"u8.ToArray(),
        });
        await midTerm.GetByRole(AriaRole.Button, new() { Name = "Submit" }).ClickAsync();
        await Assertions.Expect(grantee.GetByRole(AriaRole.Status)).ToContainTextAsync("Your submission was received");

        var finance = await host.SignedIn("finance@ecaro.example");
        await finance.GotoAsync("/grants");
        await finance.GetByRole(AriaRole.Link, new() { Name = Wwb }).ClickAsync();
        var row = finance.Locator("tr", new() { HasText = "Mid-term technical and financial report" });
        await Assertions.Expect(row.GetByRole(AriaRole.Link, new() { Name = "mid-term-report.pdf" })).ToBeVisibleAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        await Assertions.Expect(finance.GetByRole(AriaRole.Status)).ToContainTextAsync("The milestone was confirmed.");

        await finance.Disclose("Record a disbursement");
        await finance.GetByLabel("Tranche").SelectOptionAsync(new SelectOptionValue { Label = await TrancheLabel(finance, 2) });
        await finance.GetByLabel("Amount (EUR)").FillAsync("2000.00");
        await finance.GetByLabel("Value date").FillAsync("2021-02-10");
        await finance.GetByLabel("Bank reference").FillAsync("ECARO-UI-GATED");
        await finance.GetByLabel("Override reason", new() { Exact = false }).FillAsync("Final report agreed late with the donor; field season cannot wait");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Record disbursement" }).ClickAsync();

        await Assertions.Expect(finance.GetByRole(AriaRole.Status)).ToContainTextAsync("The disbursement was recorded.");
        await Assertions.Expect(finance.Locator("#disbursements tbody tr", new() { HasText = "ECARO-UI-GATED" })).ToContainTextAsync("recorded");
    }

    [Fact]
    public async Task an_auditor_generates_and_downloads_a_report()
    {
        var page = await host.SignedIn("auditor@audit.example");
        await page.GotoAsync("/reports");
        await page.GetByLabel("Report", new() { Exact = true }).SelectOptionAsync("programme-financial");
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate" }).ClickAsync();
        await page.WaitForURLAsync("**/reports");

        var row = page.Locator("#reports tbody tr", new() { HasText = "programme-financial" }).Filter(new() { HasText = "auditor@audit.example" }).First;
        var link = row.GetByRole(AriaRole.Link, new() { Name = "Download PDF" });
        await Assertions.Expect(link).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var download = await page.RunAndWaitForDownloadAsync(() => link.ClickAsync());
        var path = await download.PathAsync();

        Assert.StartsWith("programme-financial-as-of-", download.SuggestedFilename);
        Assert.Equal("%PDF-"u8.ToArray(), File.ReadAllBytes(path!)[..5]);

        // The auditor hands the same file back to the ledger to verify it.
        await page.GetByLabel("Report PDF").SetInputFilesAsync(path!);
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("Genuine: the ledger recorded generating exactly these bytes");
        await Assertions.Expect(page.Locator("#message")).ToHaveClassAsync("notice");
    }

    [Fact]
    public async Task a_grantee_cannot_open_another_grantees_grant_by_its_address()
    {
        var page = await host.SignedIn("grantee@wwb.example");

        var response = await page.GotoAsync($"/grants/{SnowLeopardTrust}");

        Assert.Equal(404, response!.Status);
    }

    [Fact]
    public async Task a_grantee_reports_spending_from_a_spreadsheet_and_sees_it_awaiting_review()
    {
        var page = await host.SignedIn("grantee@snowleopard.example");
        await page.GotoAsync($"/grants/{SnowLeopardTrust}/budget");
        await page.Disclose("Report spending from a spreadsheet");
        await page.GetByLabel("Period from", new() { Exact = true }).FillAsync("2021-04-01");
        await page.GetByLabel("Period to", new() { Exact = true }).FillAsync("2021-09-30");
        await page.GetByLabel("CSV file").SetInputFilesAsync(new FilePayload
        {
            Name = "spending.csv", MimeType = "text/csv",
            Buffer = "budgetLine,date,description,amount,currency\nC1,2021-05-14,\"Corrals, village of Tosor\",250000.00,KGS\n"u8.ToArray(),
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Submit report" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Your expenditure report was received");
        await Assertions.Expect(page.Locator("tr", new() { HasText = "Corrals, village of Tosor" })).ToContainTextAsync("submitted");
    }

    [Fact]
    public async Task finance_enters_an_exchange_rate_and_everyone_sees_it()
    {
        var finance = await host.SignedIn("finance@ecaro.example");
        await finance.GotoAsync("/rates");
        await finance.GetByLabel("Currency").SelectOptionAsync("TJS");
        await finance.GetByLabel("Month").FillAsync("2019-12");
        await finance.GetByLabel("Units per 1 EUR").FillAsync("10.987654");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Save rate" }).ClickAsync();
        await Assertions.Expect(finance.GetByRole(AriaRole.Status)).ToContainTextAsync("The rates were saved.");

        var grantee = await host.SignedIn("grantee@slconservancy.example");
        await grantee.GotoAsync("/rates");
        await Assertions.Expect(grantee.Locator("#rates tr", new() { HasText = "2019-12" })).ToContainTextAsync("10.987654");
    }

    [Fact]
    public async Task a_reallocation_over_the_cap_is_refused_in_words_on_the_budget_page()
    {
        var page = await host.SignedIn("finance@ecaro.example");
        await page.GotoAsync("/grants/c3f618db-0995-0c1f-4a90-5f600de26e81/budget");
        await page.Disclose("Move money between lines");
        var revision = page.Locator("#revise-budget");
        await revision.GetByLabel("T1 – ", new() { Exact = false }).FillAsync("3000.00");
        var gatherings = revision.GetByLabel("C1 – ", new() { Exact = false });
        var now = decimal.Parse(await gatherings.InputValueAsync(), System.Globalization.CultureInfo.InvariantCulture);
        await gatherings.FillAsync((now + 6_000m).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture));
        await revision.GetByLabel("Reason").FillAsync("Move travel money to the gatherings");
        await page.GetByRole(AriaRole.Button, new() { Name = "Revise the budget" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("needs an amendment");
    }

    [Fact]
    public async Task an_amendment_proposed_by_finance_takes_effect_when_an_approver_approves_it()
    {
        var finance = await host.SignedIn("finance@ecaro.example");
        await finance.GotoAsync($"/grants/{SnowLeopardTrust}");
        await finance.Disclose("No-cost extension");
        await finance.GetByLabel("New end date").FillAsync("2021-08-31");
        await finance.GetByLabel("Reason", new() { Exact = true }).FillAsync("Field work ends early; donor letter of 2021-05-03");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Propose" }).ClickAsync();
        await Assertions.Expect(finance.Locator("#amendments")).ToContainTextAsync("proposed");

        var approver = await host.SignedIn("approver@ecaro.example");
        await approver.GotoAsync($"/grants/{SnowLeopardTrust}");
        await approver.GetByRole(AriaRole.Button, new() { Name = "Approve amendment" }).ClickAsync();

        await Assertions.Expect(approver.GetByRole(AriaRole.Status)).ToContainTextAsync("approved and is in effect");
        await Assertions.Expect(approver.Locator("main > p").First).ToContainTextAsync("to 2021-08-31");
    }

    [Fact]
    public async Task a_grantee_on_hold_finds_the_overdue_notice_among_its_notifications()
    {
        var page = await host.SignedIn("grantee@wwb.example");
        await page.GotoAsync("/notifications");

        await Assertions.Expect(page.Locator("#notifications")).ToContainTextAsync("overdue");
    }

    [Fact]
    public async Task a_grantee_reports_a_single_expense_in_local_currency()
    {
        var page = await host.SignedIn("grantee@slconservancy.example");
        await page.GotoAsync("/grants/c3f618db-0995-0c1f-4a90-5f600de26e81/budget");
        await page.Disclose("Report an expense");
        await page.GetByLabel("Expense period from").FillAsync("2021-01-01");
        await page.GetByLabel("Expense period to").FillAsync("2021-06-30");
        await page.GetByLabel("Budget line", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "T1 – Travel to sacred sites network" });
        await page.GetByLabel("Date paid").FillAsync("2021-03-12");
        await page.GetByLabel("Description", new() { Exact = true }).FillAsync("Jeep hire to Alay, 4 days");
        await page.GetByLabel("Amount", new() { Exact = true }).FillAsync("18500.00");
        await page.GetByLabel("Currency").SelectOptionAsync("TJS");
        await page.GetByRole(AriaRole.Button, new() { Name = "Submit expense" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Your expense was received");
        await Assertions.Expect(page.Locator("tr", new() { HasText = "Jeep hire to Alay" })).ToContainTextAsync("18,500.00 TJS");
    }

    [Fact]
    public async Task more_money_for_a_grant_is_an_amendment_a_second_person_approves()
    {
        var finance = await host.SignedIn("finance@ecaro.example");
        await finance.GotoAsync("/grants/c3f618db-0995-0c1f-4a90-5f600de26e81/budget");
        await finance.Disclose("Propose an amendment");
        await finance.GetByLabel("New grant amount", new() { Exact = false }).FillAsync("75000.00");
        await finance.GetByLabel("C1 – Land of the Snow Leopard network gatherings (budget now", new() { Exact = false }).FillAsync("27500.00");
        await finance.GetByLabel("Reason").Last.FillAsync("Donor added 5,000 EUR for a second gathering");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Propose amendment" }).ClickAsync();
        await Assertions.Expect(finance.GetByRole(AriaRole.Status)).ToContainTextAsync("The amendment was proposed");

        var approver = await host.SignedIn("approver@ecaro.example");
        await approver.GotoAsync("/grants/c3f618db-0995-0c1f-4a90-5f600de26e81");
        await approver.Locator("#amendments tr", new() { HasText = "second gathering" }).GetByRole(AriaRole.Button, new() { Name = "Approve amendment" }).ClickAsync();

        await Assertions.Expect(approver.GetByRole(AriaRole.Status)).ToContainTextAsync("approved and is in effect");
        await Assertions.Expect(approver.Locator("dl.facts")).ToContainTextAsync("75,000.00 EUR");
    }

    [Fact]
    public async Task the_administrator_adds_a_grantee_user_who_can_then_sign_in()
    {
        var admin = await host.SignedIn("admin@ecaro.example");
        await Assertions.Expect(admin.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Users");
        await UserForms.AddUser(admin, "field.officer@snowleopard.example", "Field officer, Snow Leopard Trust", "grantee", "Snow Leopard Trust");

        var officer = await host.SignedIn("field.officer@snowleopard.example");
        await Assertions.Expect(officer.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Waiting for you");
        await Assertions.Expect(officer.Locator("#my-grants + .table-wrap tbody tr")).ToContainTextAsync("Snow Leopard Trust");
    }

    [Fact]
    public async Task a_large_reversal_waits_on_the_approvals_page_and_the_approver_can_turn_it_down()
    {
        var finance = await host.SignedIn("finance@ecaro.example");
        await finance.GotoAsync($"/grants/{SnowLeopardTrust}");
        var row = finance.Locator("#disbursements tbody tr", new() { HasText = "ECARO-2021-0031" });
        await row.Disclose("Correct by reversal");
        await row.GetByLabel("Reason for reversal").FillAsync("Suspected duplicate of ECARO-2020-0412");
        await row.GetByRole(AriaRole.Button, new() { Name = "Reverse" }).ClickAsync();
        await Assertions.Expect(finance.GetByRole(AriaRole.Status)).ToContainTextAsync("a second person must approve it");

        var approver = await host.SignedIn("approver@ecaro.example");
        await approver.GotoAsync("/approvals");
        var pending = approver.Locator("tr", new() { HasText = "Suspected duplicate of ECARO-2020-0412" });
        await pending.GetByLabel("Reason to reject").FillAsync("Not a duplicate: the second tranche");
        await pending.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();

        await Assertions.Expect(approver.GetByRole(AriaRole.Status)).ToContainTextAsync("The reversal was rejected; the payment stands.");
        await Assertions.Expect(approver.Locator("tr", new() { HasText = "Suspected duplicate" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task a_reset_password_must_be_changed_at_sign_in_and_a_disabled_user_cannot_sign_in()
    {
        var admin = await host.SignedIn("admin@ecaro.example");
        var email = $"leaver-{Guid.NewGuid():N}@snowleopard.example";
        await UserForms.AddUser(admin, email, "A leaver", "auditor");

        var row = admin.Locator("#users tr", new() { HasText = email });
        await row.GetByText("Change " + email).ClickAsync();
        await row.GetByLabel("One-time password", new() { Exact = false }).FillAsync("one time pass 42");
        await row.Locator("form", new() { HasText = "Reset password" }).GetByLabel("Why (recorded)").FillAsync("forgot it");
        await row.GetByRole(AriaRole.Button, new() { Name = "Reset password of " + email }).ClickAsync();
        await Assertions.Expect(admin.GetByRole(AriaRole.Status)).ToContainTextAsync("one-time password was set");

        var context = await host.Browser.NewContextAsync(new() { BaseURL = host.BaseUrl });
        var user = await context.NewPageAsync();
        await user.GotoAsync("/signin");
        await user.GetByLabel("E-mail").FillAsync(email);
        await user.GetByLabel("Password").FillAsync("one time pass 42");
        await user.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(user.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Change your password");
        await user.GotoAsync("/grants");
        await Assertions.Expect(user.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Change your password");
        await user.GetByLabel("Current password").FillAsync("one time pass 42");
        await user.GetByLabel("New password", new() { Exact = false }).FillAsync("my own pass 4242");
        await user.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Assertions.Expect(user.GetByRole(AriaRole.Heading, new() { Level = 1 })).Not.ToHaveTextAsync("Change your password");

        await admin.GotoAsync("/users");
        row = admin.Locator("#users tr", new() { HasText = email });
        await row.GetByText("Change " + email).ClickAsync();
        await row.Locator("form", new() { HasText = "Disable" }).GetByLabel("Why (recorded)").FillAsync("left the organisation");
        await row.GetByRole(AriaRole.Button, new() { Name = "Disable " + email }).ClickAsync();
        await Assertions.Expect(admin.GetByRole(AriaRole.Status)).ToContainTextAsync("disabled");

        await user.GotoAsync("/grants");
        await Assertions.Expect(user).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"));
        await user.GetByLabel("E-mail").FillAsync(email);
        await user.GetByLabel("Password").FillAsync("my own pass 4242");
        await user.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(user.GetByRole(AriaRole.Alert)).ToContainTextAsync("The e-mail or password is not right");
    }

    [Fact]
    public async Task a_page_outside_your_role_says_so()
    {
        var page = await host.SignedIn("grantee@wwb.example");

        var response = await page.GotoAsync("/approvals");

        Assert.Equal(403, response!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Your role does not allow this.");
    }

    [Fact]
    public async Task several_reports_asked_for_in_a_row_are_all_generated()
    {
        var page = await host.SignedIn("finance@ecaro.example");
        await page.GotoAsync("/reports");
        for (var i = 0; i < 3; i++)
        {
            await page.GetByLabel("Report", new() { Exact = true }).SelectOptionAsync("milestone-status");
            await page.GetByRole(AriaRole.Button, new() { Name = "Generate" }).ClickAsync();
            await page.WaitForURLAsync("**/reports");
        }

        // The page polls live progress; every one of the three requests must finish without a reload.
        await Assertions.Expect(page.Locator("#reports tbody tr", new() { HasText = "milestone-status" }).Filter(new() { HasText = "queued" }))
            .ToHaveCountAsync(0, new() { Timeout = 30_000 });
    }

    [Fact]
    public async Task finance_downloads_the_ledger_entries_from_the_programme_page_and_they_add_up_to_its_disbursed_figure()
    {
        var page = await host.SignedIn("finance@ecaro.example");
        await page.GotoAsync($"/programmes/{SosCentralAsia}");
        var disbursed = decimal.Parse((await page.Locator("dt:text-is('Disbursed') + dd").TextContentAsync())!.Replace(" EUR", "").Replace(",", ""),
            System.Globalization.CultureInfo.InvariantCulture);

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Ledger entries (CSV)" }).ClickAsync());
        var bytes = File.ReadAllBytes((await download.PathAsync())!);

        Assert.StartsWith("ledger-entries-SOS-CA-1-as-of-", download.SuggestedFilename);
        Assert.EndsWith(".csv", download.SuggestedFilename);
        Assert.Equal(System.Text.Encoding.UTF8.Preamble.ToArray(), bytes[..3]);
        using var csv = new CsvHelper.CsvReader(new StreamReader(new MemoryStream(bytes)), System.Globalization.CultureInfo.InvariantCulture);
        var amounts = csv.GetRecords<dynamic>().Select(r => decimal.Parse((string)((IDictionary<string, object>)r)["amount"], System.Globalization.NumberStyles.Number,
            System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(amounts);
        Assert.Equal(disbursed, amounts.Sum());
    }

    [Fact]
    public async Task an_auditor_downloads_the_programmes_iati_file()
    {
        var page = await host.SignedIn("auditor@audit.example");
        await page.GotoAsync($"/programmes/{SosCentralAsia}");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "IATI 2.03 (XML)" }).ClickAsync());
        var file = System.Xml.Linq.XDocument.Load((await download.PathAsync())!);

        Assert.StartsWith("iati-activities-SOS-CA-1-as-of-", download.SuggestedFilename);
        Assert.Equal("2.03", file.Root!.Attribute("version")!.Value);
        Assert.Equal(4, file.Root.Elements("iati-activity").Count());
    }

    [Fact]
    public async Task an_auditor_downloads_the_journal_of_a_period_for_the_books_and_every_entry_balances()
    {
        var page = await host.SignedIn("auditor@audit.example");
        await page.GotoAsync($"/programmes/{SosCentralAsia}");
        await Disclosures.Disclose(page, "Journal for the books (CSV)…");
        await page.FillAsync("#journalFrom", "2020-04-01");
        await page.FillAsync("#journalTo", "2021-01-01");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download the journal" }).ClickAsync());
        using var csv = new CsvHelper.CsvReader(new StreamReader((await download.PathAsync())!), System.Globalization.CultureInfo.InvariantCulture);
        var lines = csv.GetRecords<dynamic>().Cast<IDictionary<string, object>>().ToList();

        Assert.StartsWith("journal-SOS-CA-1-as-of-", download.SuggestedFilename);
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.InRange(string.CompareOrdinal((string)l["date"], "2020-04-01"), 0, int.MaxValue));
        Assert.All(lines, l => Assert.True(string.CompareOrdinal((string)l["date"], "2021-01-01") < 0));
        static decimal Amount(object cell) => decimal.Parse((string)cell, System.Globalization.CultureInfo.InvariantCulture);
        Assert.All(lines.GroupBy(l => (string)l["entry"]), e => Assert.Equal(e.Sum(l => Amount(l["debit"])), e.Sum(l => Amount(l["credit"]))));
        Assert.Contains(lines, l => (string)l["kind"] == "disbursement" && (string)l["account"] == "1010");
    }

    [Fact]
    public async Task a_grantee_downloads_its_budget_against_actual_from_the_budget_page()
    {
        var page = await host.SignedIn("grantee@snowleopard.example");
        await page.GotoAsync($"/grants/{SnowLeopardTrust}/budget");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Budget vs actual (CSV)" }).ClickAsync());
        var text = File.ReadAllText((await download.PathAsync())!);

        Assert.StartsWith("budget-vs-actual-grant-", download.SuggestedFilename);
        Assert.Contains("Snow Leopard Trust", text);
        Assert.DoesNotContain("Snow Leopard Conservancy", text);
    }

    private const string Wwb = "Wildlife Without Borders, with the Institute of Zoology of Kazakhstan";
    private const string SosCentralAsia = "5a83f8c3-204d-42b4-0e08-51609e37565e";
    private const string SnowLeopardTrust = "9d141e30-a7ee-491f-55a9-eb570dbde673";

    private static async Task<string> TrancheLabel(IPage page, int number) =>
        (await page.Locator($"#trancheId option", new() { HasText = $"Tranche {number} " }).First.TextContentAsync())!.Trim();
}
