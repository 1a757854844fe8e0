using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace GrantLedger.Ui.Tests;

/// <summary>
/// The work that starts a programme, done in the browser as finance: open it with its rules, award a grant, plan the
/// payment schedule with its gates and milestones, set the budget. Each test opens its own programme (a fresh code),
/// so none depends on another's data; refusals must show the ledger's sentence next to the field it is about.
/// </summary>
[Collection(BrowserCollection.Name)]
public class SetUpTests(BrowserHost host)
{
    private const string Finance = "finance@ecaro.example";
    private const string SosCentralAsia = "5a83f8c3-204d-42b4-0e08-51609e37565e";
    private const string SnowLeopardTrust = "9d141e30-a7ee-491f-55a9-eb570dbde673";

    [Fact]
    public async Task finance_opens_a_programme_with_its_rules_from_the_programmes_list()
    {
        var page = await host.SignedIn(Finance);
        var code = Code();

        await OpenProgramme(page, code, allocation: "250000.00", threshold: "20000.00");

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Programme {code} was opened.");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(code);
        await Assertions.Expect(page.Locator("dt:text-is('Allocation') + dd")).ToHaveTextAsync("250,000.00 EUR");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("dates in Asia/Bishkek");
    }

    [Fact]
    public async Task a_threshold_above_the_allocation_is_refused_next_to_the_threshold_field_and_nothing_is_opened()
    {
        var page = await host.SignedIn(Finance);
        var code = Code();

        await OpenProgramme(page, code, allocation: "50000.00", threshold: "60000.00");

        var threshold = page.GetByLabel("Approval threshold", new() { Exact = false });
        var error = page.Locator("#error-approvalThreshold");
        await Assertions.Expect(error).ToContainTextAsync("above the allocation");
        await Assertions.Expect(threshold).ToHaveAttributeAsync("aria-describedby", new Regex("error-approvalThreshold"));
        await Assertions.Expect(threshold).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(threshold).ToHaveValueAsync("60000.00");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert).GetByRole(AriaRole.Link, new() { Name = "approval threshold" })).ToHaveAttributeAsync("href", "#approvalThreshold");
        await Assertions.Expect(page.Locator("#error-allocation")).ToHaveCountAsync(0);

        await page.GotoAsync("/");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = code, Exact = false })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task finance_awards_a_grant_and_one_at_or_above_the_threshold_waits_for_a_second_person()
    {
        var page = await host.SignedIn(Finance);
        var code = Code();
        await OpenProgramme(page, code, allocation: "100000.00", threshold: "40000.00");
        await page.GetByRole(AriaRole.Link, new() { Name = "Award a grant" }).ClickAsync();
        await Assertions.Expect(page.Locator("#award-rules")).ToContainTextAsync("Σ grants ≤ allocation: 100,000.00 EUR, 100,000.00 EUR uncommitted.");

        await FillAward(host, page, "Pamir Herders Association", "120000.00");
        await Assertions.Expect(page.Locator("#amount-check")).ToContainTextAsync("20,000.00 EUR more than is uncommitted");
        await page.GetByRole(AriaRole.Button, new() { Name = "Award grant" }).ClickAsync();
        await Assertions.Expect(page.Locator("#error-amount")).ToContainTextAsync("would exceed the programme allocation");

        await page.GetByLabel("Amount (EUR)").FillAsync("45000.00");
        await Assertions.Expect(page.Locator("#amount-check")).ToContainTextAsync("waits for a second person");
        await page.GetByRole(AriaRole.Button, new() { Name = "Award grant" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("waits for a second person's approval");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Pamir Herders Association");
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to the grant" }).ClickAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("award awaiting a second person's approval");
    }

    [Fact]
    public async Task finance_plans_tranches_and_a_gating_milestone_and_restates_the_schedule()
    {
        var page = await host.SignedIn(Finance);
        await OpenProgrammeWithGrant(page, "Issyk-Kul Water Users");

        await page.GetByLabel("Tranche amount (EUR)").FillAsync("20000.00");
        await Assertions.Expect(page.Locator("#add-total")).ToContainTextAsync("20,000.00 of 45,000.00 EUR planned, 25,000.00 left.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add tranche" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The tranche was added");
        await page.GetByLabel("Tranche amount (EUR)").FillAsync("30000.00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add tranche" }).ClickAsync();
        await Assertions.Expect(page.Locator("#error-trancheAmount")).ToContainTextAsync("more than the grant");
        await page.GetByLabel("Tranche amount (EUR)").FillAsync("25000.00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add tranche" }).ClickAsync();
        await Assertions.Expect(page.Locator("#schedule tbody tr")).ToHaveCountAsync(2);

        await page.GetByLabel("Milestone (report or deliverable)").FillAsync("Mid-term report on the irrigation canals");
        await page.GetByLabel("Kind").SelectOptionAsync("interim");
        // Due after today (the real clock): a milestone already overdue would be marked so within a second, changing the
        // grant's version under the open page (the restatement below would then rightly be refused as stale).
        await page.GetByLabel("Due date", new() { Exact = false }).FillAsync("2034-06-30");
        await page.GetByLabel("Tranche it gates", new() { Exact = false }).SelectOptionAsync(new SelectOptionValue { Label = "Tranche 2 (25,000.00 EUR)" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Plan milestone" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("paid only after it is confirmed");
        await Assertions.Expect(page.Locator("#schedule tbody tr").Nth(1)).ToContainTextAsync("after “Mid-term report on the irrigation canals” is confirmed");

        var restate = page.Locator("form", new() { HasText = "Restate the payment schedule" });
        await restate.GetByLabel("Tranche 1 (EUR)").FillAsync("25000.00");
        await Assertions.Expect(page.Locator("#restate-total")).ToContainTextAsync("5,000.00 more than allowed");
        await restate.GetByLabel("Reason (recorded)").FillAsync("Donor letter: larger first tranche");
        await restate.GetByRole(AriaRole.Button, new() { Name = "Restate schedule" }).ClickAsync();
        await Assertions.Expect(page.Locator("#error-tranches")).ToContainTextAsync("more than the grant");
        await Assertions.Expect(page.Locator("#tranches")).ToHaveAttributeAsync("aria-describedby", new Regex("error-tranches"));

        restate = page.Locator("form", new() { HasText = "Restate the payment schedule" });
        await restate.GetByLabel("Tranche 1 (EUR)").FillAsync("15000.00");
        await restate.GetByLabel("New tranche", new() { Exact = false }).FillAsync("5000.00");
        await restate.GetByRole(AriaRole.Button, new() { Name = "Restate schedule" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The payment schedule was restated");
        await Assertions.Expect(page.Locator("#schedule tbody tr")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#schedule tbody tr").Nth(1)).ToContainTextAsync("Mid-term report on the irrigation canals");
    }

    [Fact]
    public async Task finance_sets_a_budget_seeing_the_totals_while_typing_and_an_indirect_cost_over_the_cap_is_refused_next_to_the_lines()
    {
        var page = await host.SignedIn(Finance);
        var grantUrl = await OpenProgrammeWithGrant(page, "Kazakh Steppe Rangers");
        await page.GotoAsync(grantUrl + "/budget");
        await Assertions.Expect(page.Locator("#budget-rules")).ToContainTextAsync("Indirect costs (indirect-costs) ≤ 7% of the direct costs");

        await Line(page, 0, "P1", "personnel", "Two rangers, 24 months", "30000.00");
        await Line(page, 1, "E1", "equipment", "Binoculars and camera traps", "8000.00");
        await Line(page, 2, "X1", "indirect-costs", "Office share", "7000.00");
        await Assertions.Expect(page.Locator("#budget-total")).ToContainTextAsync("45,000.00 of 45,000.00 EUR: adds up.");
        await Assertions.Expect(page.Locator("#budget-total")).ToContainTextAsync("Indirect costs 7,000.00 of at most 2,660.00 EUR.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set the budget" }).ClickAsync();
        await Assertions.Expect(page.Locator("#error-lines")).ToContainTextAsync("exceed 7");
        await Assertions.Expect(page.GetByLabel("Description (line 3)")).ToHaveValueAsync("Office share");

        await Line(page, 1, "E1", "equipment", "Binoculars and camera traps", "13000.00");
        await Line(page, 2, "X1", "indirect-costs", "Office share", "2000.00");
        await Assertions.Expect(page.Locator("#budget-total")).ToContainTextAsync("adds up.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set the budget" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The budget was set.");
        await Assertions.Expect(page.Locator("dt:text-is('Planned') + dd")).ToHaveTextAsync("45,000.00 EUR");
        await Assertions.Expect(page.Locator("table tr", new() { HasText = "Binoculars and camera traps" })).ToContainTextAsync("13,000.00");
        await page.Disclose("Replace all budget lines");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Replace the budget" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task a_budget_line_code_used_twice_is_refused_next_to_that_line()
    {
        var page = await host.SignedIn(Finance);
        var grantUrl = await OpenProgrammeWithGrant(page, "Tajik Beekeepers", headings: "personnel\ntravel\nindirect-costs");
        await page.GotoAsync(grantUrl + "/budget");
        await Line(page, 0, "P1", "personnel", "Coordinator", "45000.00");
        await Line(page, 1, "P1", "travel", "Field visits", "0.00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set the budget" }).ClickAsync();

        await Assertions.Expect(page.Locator("#error-line1-code")).ToContainTextAsync("code P1 is used twice");
        await Assertions.Expect(page.GetByLabel("Code (line 2)")).ToHaveAttributeAsync("aria-describedby", "error-line1-code");
    }

    [Theory]
    [InlineData("auditor@audit.example")]
    [InlineData("admin@ecaro.example")]
    [InlineData("grantee@snowleopard.example")]
    public async Task a_role_that_may_not_set_up_is_refused_every_set_up_page_and_sees_no_set_up_form(string email)
    {
        var page = await host.SignedIn(email);

        foreach (var path in new[] { "/programmes/new", $"/programmes/{SosCentralAsia}/grants/new", $"/grants/{SnowLeopardTrust}/agreement" })
        {
            var response = await page.GotoAsync(path);
            Assert.Equal(403, response!.Status);
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Your role does not allow this.");
        }

        await page.GotoAsync($"/grants/{SnowLeopardTrust}/budget");
        await Assertions.Expect(page.Locator("form", new() { HasText = "Set the budget" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Payment schedule and milestones" })).ToHaveCountAsync(0);
        await page.GotoAsync("/");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Open a programme" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task finance_proposes_new_approval_rules_on_the_programme_page_and_they_apply_when_an_approver_approves()
    {
        var page = await host.SignedIn(Finance);
        var code = Code();
        await OpenProgramme(page, code, allocation: "150000.00", threshold: "40000.00");
        var programme = page.Url;
        await Assertions.Expect(page.Locator("#four-eyes")).ToContainTextAsync("40,000.00 EUR or more, or a grant's payments reaching it within 30 days");

        await page.Disclose("Change the approval rules");
        await page.GetByLabel("New approval threshold (EUR)").FillAsync("200000.00");
        await page.GetByLabel("Reason", new() { Exact = true }).FillAsync("Board decision of 2021-04-12");
        await page.GetByRole(AriaRole.Button, new() { Name = "Propose the new rules" }).ClickAsync();
        await Assertions.Expect(page.Locator("#error-approvalThreshold")).ToContainTextAsync("allocation");
        await Assertions.Expect(page.GetByLabel("New approval threshold (EUR)")).ToHaveAttributeAsync("aria-invalid", "true");

        await page.GetByLabel("New approval threshold (EUR)").FillAsync("25000.00");
        await page.GetByLabel("Days over which a grant's payments are added up").FillAsync("60");
        await page.GetByRole(AriaRole.Button, new() { Name = "Propose the new rules" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("apply once another approver approves them");
        await Assertions.Expect(page.Locator("#four-eyes")).ToContainTextAsync("proposed: 25,000.00 EUR over 60 days, awaiting a second person");
        await Assertions.Expect(page.Locator("#four-eyes")).ToContainTextAsync("40,000.00 EUR or more");

        var auditor = await host.SignedIn("auditor@audit.example");
        await auditor.GotoAsync(programme);
        await Assertions.Expect(auditor.Locator("summary", new() { HasText = "Change the approval rules" })).ToHaveCountAsync(0);
        Assert.Equal(403, await ActionTests.ForgedPost(auditor, programme + "?handler=ApprovalRules",
            new() { ["approvalThreshold"] = "1.00", ["windowDays"] = "1", ["reason"] = "auditor tries to loosen four eyes" }));

        var approver = await host.SignedIn("approver@ecaro.example");
        await approver.GotoAsync("/approvals");
        await approver.Locator("tr", new() { HasText = code }).GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true }).ClickAsync();
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#four-eyes")).ToContainTextAsync("25,000.00 EUR or more, or a grant's payments reaching it within 60 days");
    }

    [Fact]
    public async Task finance_moves_a_milestone_by_amendment_in_the_browser_and_it_moves_when_an_approver_approves()
    {
        var page = await host.SignedIn(Finance);
        var grant = await OpenProgrammeWithGrant(page, "Sarychat Rangers " + Code());
        await page.GetByLabel("Tranche amount (EUR)").FillAsync("20000.00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add tranche" }).ClickAsync();
        await page.GetByLabel("Milestone (report or deliverable)").FillAsync("Camera-trap survey report");
        await page.GetByLabel("Due date", new() { Exact = false }).FillAsync("2030-06-30");
        await page.GetByRole(AriaRole.Button, new() { Name = "Plan milestone" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The milestone was planned.");

        await page.Disclose("Move milestone due dates");
        await page.GetByLabel("Camera-trap survey report (due 2030-06-30)").FillAsync("2030-09-30");
        await page.GetByLabel("Reason (recorded)").Last.FillAsync("Snow closed the passes until August");
        await page.GetByRole(AriaRole.Button, new() { Name = "Propose the new dates" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("take effect when an approver approves it");

        var approver = await host.SignedIn("approver@ecaro.example");
        await approver.GotoAsync(grant);
        var row = approver.Locator("#amendments tr", new() { HasText = "Snow closed the passes" });
        await Assertions.Expect(row).ToContainTextAsync("1 milestone date(s)");
        await row.GetByRole(AriaRole.Button, new() { Name = "Approve amendment" }).ClickAsync();
        await Assertions.Expect(approver.GetByRole(AriaRole.Status)).ToContainTextAsync("The amendment was approved");
        await Assertions.Expect(approver.Locator("tr", new() { HasText = "Camera-trap survey report" }).First).ToContainTextAsync("2030-09-30");
    }

    internal static string Code() => "UI-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();

    internal static async Task OpenProgramme(IPage page, string code, string allocation, string threshold, string? headings = null)
    {
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Open a programme" }).ClickAsync();
        await page.GetByLabel("Code", new() { Exact = false }).FillAsync(code);
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Mountain communities " + code);
        await page.GetByLabel("Allocation (EUR)").FillAsync(allocation);
        await page.GetByLabel("Window from").FillAsync("2021-01-01");
        await page.GetByLabel("Window to").FillAsync("2035-12-31");
        await page.GetByLabel("Time zone", new() { Exact = false }).FillAsync("Asia/Bishkek");
        await page.GetByLabel("Approval threshold", new() { Exact = false }).FillAsync(threshold);
        if (headings is not null)
        {
            await page.GetByLabel("Budget headings", new() { Exact = false }).FillAsync(headings);
        }

        await page.GetByLabel("Indirect cost cap", new() { Exact = false }).FillAsync("7");
        await page.GetByRole(AriaRole.Button, new() { Name = "Open programme" }).ClickAsync();
    }

    /// <summary>Fills the award form for the organisation named <paramref name="grantee"/> (registered with an approved account
    /// through the API first, when there is none: the page chooses organisations, it does not type names).</summary>
    internal static async Task FillAward(BrowserHost host, IPage page, string grantee, string amount)
    {
        var organisation = await host.Organisation(grantee);
        await page.ReloadAsync();
        await page.GetByLabel("Grantee organisation").SelectOptionAsync(new SelectOptionValue { Value = organisation.ToString() });
        await page.GetByLabel("Countries", new() { Exact = false }).FillAsync("KG, TJ");
        await page.GetByLabel("Title", new() { Exact = true }).FillAsync("Community conservation " + grantee);
        await page.GetByLabel("Amount (EUR)").FillAsync(amount);
        await page.GetByLabel("Grant window from").FillAsync("2021-03-01");
        await page.GetByLabel("Grant window to").FillAsync("2034-12-31");
    }

    /// <summary>A fresh programme and a 45,000 EUR grant below its threshold; the browser is left on the grant's agreement page.</summary>
    private async Task<string> OpenProgrammeWithGrant(IPage page, string grantee, string? headings = null)
    {
        await OpenProgramme(page, Code(), allocation: "200000.00", threshold: "100000.00", headings);
        await page.GetByRole(AriaRole.Link, new() { Name = "Award a grant" }).ClickAsync();
        await FillAward(host, page, grantee, "45000.00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Award grant" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The grant was awarded.");
        await page.WaitForURLAsync("**/agreement");
        return page.Url[..page.Url.LastIndexOf("/agreement", StringComparison.Ordinal)];
    }

    private static async Task Line(IPage page, int index, string code, string heading, string description, string amount)
    {
        var n = index + 1;
        await page.GetByLabel($"Code (line {n})").FillAsync(code);
        await page.GetByLabel($"Heading (line {n})").SelectOptionAsync(heading);
        await page.GetByLabel($"Description (line {n})").FillAsync(description);
        await page.GetByLabel($"Amount in EUR (line {n})").FillAsync(amount);
    }
}
