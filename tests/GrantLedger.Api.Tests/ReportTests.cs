using NodaTime;
using NodaTime.Text;
using UglyToad.PdfPig;

namespace GrantLedger.Api.Tests;

[Collection(LedgerCollection.Name)]
public class ReportTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private readonly Ledger _ledger = new(host);

    private Task<(Reply Status, byte[] Pdf)> Generate(object request, string user = "auditor") => _ledger.GenerateReport(request, user);

    /// <summary>The text without the signed chain head (sequence, link, signing instant and key).</summary>
    private static string Unsealed(string text) =>
        System.Text.RegularExpressions.Regex.Replace(
            System.Text.RegularExpressions.Regex.Replace(text, @"event \d+, link[0-9a-f]{64}", "event N, link L"), @"\S+Z with key [0-9a-f]{16}", "T with key K");

    private static string Text(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return string.Join("\n", document.GetPages().Select(p => p.Text));
    }

    private static string Compact(byte[] pdf) => Text(pdf).Replace(" ", "").Replace("\n", "");

    private Task<Reply> Verify(byte[] pdf, string user = "auditor") => _ledger.VerifyReport(pdf, user);

    [Fact]
    public async Task an_auditor_gets_a_programme_report_whose_figures_match_the_api_and_which_verifies()
    {
        host.Clock.Reset(Instant.FromUtc(2021, 2, 1, 6, 0));
        var programmeId = await _ledger.OpenProgramme(allocation: 220_000m);
        var grantId = await _ledger.Award(programmeId, 80_000m, grantee: "Report Trust " + Guid.NewGuid().ToString("N")[..6]);
        await _ledger.TryDisburse(grantId, 32_000m, valueDate: "2020-04-20");
        host.Clock.Advance(Duration.FromHours(1));

        var (status, pdf) = await Generate(new { kind = "programme-financial", programmeId });
        var text = Text(pdf);

        Assert.Equal(100, status.Json["progress"]!.GetValue<int>());
        Assert.Contains("Programme financial report", text);
        Assert.Contains("220,000.00 EUR", text); // allocated
        Assert.Contains("80,000.00 EUR", text);  // committed
        Assert.Contains("32,000.00 EUR", text);  // disbursed
        Assert.Contains("Asia/Bishkek", text);
        Assert.Contains("(2021-02-01T07:00:00Z)", text);
        Assert.Contains("Page 1 of", text);
        Assert.Contains(status.Json.Text("hash"), text);

        await _ledger.Chained();
        var verified = await Verify(pdf);
        Assert.True(verified.Json["genuine"]!.GetValue<bool>(), verified.ToString());
        Assert.True(verified.Json["generatedByThisLedger"]!.GetValue<bool>(), verified.ToString());
        Assert.True(verified.Json["modelHashMatches"]!.GetValue<bool>(), verified.ToString());
        Assert.True(verified.Json["auditChainValid"]!.GetValue<bool>(), verified.ToString());
    }

    [Fact]
    public async Task a_report_as_of_before_a_reversal_differs_from_one_after_and_each_can_be_regenerated_with_the_same_figures()
    {
        host.Clock.Reset(Instant.FromUtc(2021, 3, 1, 6, 0));
        var grantId = await _ledger.GrantOf(10_000m);
        var paid = await _ledger.Disburse(grantId, 4_000m);
        host.Clock.Advance(Duration.FromMinutes(5));
        var beforeReversal = host.Clock.GetCurrentInstant();
        host.Clock.Advance(Duration.FromMinutes(5));
        await _ledger.TryReverse(grantId, paid, "Wrong beneficiary");
        host.Clock.Advance(Duration.FromMinutes(5));
        var afterReversal = host.Clock.GetCurrentInstant();

        var before = await Generate(new { kind = "grantee-statement", grantId, asOf = InstantPattern.ExtendedIso.Format(beforeReversal) });
        var after = await Generate(new { kind = "grantee-statement", grantId, asOf = InstantPattern.ExtendedIso.Format(afterReversal) });
        var again = await Generate(new { kind = "grantee-statement", grantId, asOf = InstantPattern.ExtendedIso.Format(beforeReversal) });

        Assert.Contains("Disbursed4,000.00EUR", Compact(before.Pdf));
        Assert.Contains("Disbursed0.00EUR", Compact(after.Pdf));
        Assert.Contains("Wrong beneficiary", Text(after.Pdf));
        Assert.NotEqual(before.Status.Json.Text("hash"), after.Status.Json.Text("hash"));
        Assert.Equal(before.Status.Json.Text("hash"), again.Status.Json.Text("hash"));
        // Another report of the same figures: the same pages, but for its own report id and the chain head signed when it
        // was generated (the chain has moved on since the first).
        Assert.Equal(Unsealed(Text(before.Pdf).Replace(before.Status.Id.ToString(), again.Status.Id.ToString())), Unsealed(Text(again.Pdf)));
        Assert.Matches(@"Audit chain head \(signed\)event \d+, link[0-9a-f]{64}", Text(again.Pdf));
    }

    [Fact]
    public async Task an_altered_copy_fails_verification()
    {
        host.Clock.Reset(Instant.FromUtc(2021, 4, 1, 6, 0));
        var grantId = await _ledger.GrantOf(10_000m);
        await _ledger.Disburse(grantId, 1_000m);
        var (_, pdf) = await Generate(new { kind = "grantee-statement", grantId });

        // Edit the document title in place (same length), as someone "correcting" a copy would.
        var retitled = (byte[])pdf.Clone();
        var title = System.Text.Encoding.ASCII.GetBytes("Grantee statement");
        var at = retitled.AsSpan().IndexOf(title);
        Assert.True(at >= 0);
        System.Text.Encoding.ASCII.GetBytes("Grantee statemenT").CopyTo(retitled, at);
        var corrupted = (byte[])pdf.Clone();
        corrupted[corrupted.Length / 2] ^= 0x20;

        var retitledVerdict = await Verify(retitled);
        var corruptedVerdict = await Verify(corrupted);
        var stranger = await Verify("%PDF-1.4\n%%EOF\n"u8.ToArray());

        Assert.False(retitledVerdict.Json["generatedByThisLedger"]!.GetValue<bool>());
        Assert.True(retitledVerdict.Json["altered"]!.GetValue<bool>(), retitledVerdict.ToString());
        Assert.False(corruptedVerdict.Json["generatedByThisLedger"]!.GetValue<bool>());
        Assert.False(stranger.Json["generatedByThisLedger"]!.GetValue<bool>());
    }

    [Fact]
    public async Task grantees_generate_only_their_own_statement_and_see_only_their_reports()
    {
        host.Clock.Reset(Instant.FromUtc(2021, 5, 1, 6, 0));
        var programmeId = await _ledger.OpenProgramme();
        var own = await _ledger.Award(programmeId, 10_000m, grantee: "Own Org " + Guid.NewGuid().ToString("N")[..6]);
        var other = await _ledger.Award(programmeId, 10_000m, grantee: "Other Org " + Guid.NewGuid().ToString("N")[..6]);
        var grantee = await host.GranteeUser((await _ledger.Grant(own)).Text("grantee"));

        var statement = await Generate(new { kind = "grantee-statement", grantId = own }, grantee);
        var programme = await host.Post("/api/reports", new { kind = "programme-financial", programmeId }, user: grantee);
        var theirs = await host.Post("/api/reports", new { kind = "grantee-statement", grantId = other }, user: grantee);
        var list = await host.Get("/api/reports", user: grantee);

        Assert.Contains("Own Org", Text(statement.Pdf));
        Assert.Equal(403, programme.Status);
        Assert.Equal(404, theirs.Status);
        Assert.All(list.Json.AsArray(), r => Assert.Equal(own.ToString(), r!.Text("grantId")));
    }

    [Fact]
    public async Task a_report_cannot_be_asked_for_the_future_and_needs_its_scope()
    {
        host.Clock.Reset(Instant.FromUtc(2021, 6, 1, 6, 0));

        var future = await host.Post("/api/reports", new { kind = "audit-trail", asOf = "2030-01-01T00:00:00Z" }, user: "auditor");
        var unscoped = await host.Post("/api/reports", new { kind = "programme-financial" }, user: "auditor");
        var unknown = await host.Post("/api/reports", new { kind = "horoscope" }, user: "auditor");

        Assert.Equal("as-of-in-future", future.Code);
        Assert.Equal(400, unscoped.Status);
        Assert.Equal(400, unknown.Status);
    }

    [Fact]
    public async Task the_audit_trail_and_milestone_reports_list_what_happened()
    {
        host.Clock.Reset(Instant.FromUtc(2021, 7, 1, 6, 0));
        var programmeId = await _ledger.OpenProgramme();
        var grantId = await _ledger.Award(programmeId, 10_000m);
        await _ledger.PlanMilestone(grantId, "2021-08-31", title: "Inception report for the audit");
        var from = InstantPattern.ExtendedIso.Format(Instant.FromUtc(2021, 7, 1, 0, 0));

        var audit = await Generate(new { kind = "audit-trail", from });
        var milestones = await Generate(new { kind = "milestone-status", programmeId });

        Assert.Contains("grant_awarded", Text(audit.Pdf));
        Assert.Contains("finance@test.example", Text(audit.Pdf));
        Assert.Contains("Inception report for the audit", Text(milestones.Pdf));
    }
}
