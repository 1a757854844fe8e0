using System.Security.Cryptography;
using System.Text;
using GrantLedger.Api.Reports;
using GrantLedger.Reports.Composition;
using GrantLedger.Reports.Models;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using NodaTime.Text;

namespace GrantLedger.Api.Tests;

/// <summary>
/// What someone with write access to the database (or a copy of the PDF and the code) might try, and what the
/// verification says. Tampering with documents and evidence bytes leaves the audit chain intact, so these share the host.
/// </summary>
[Collection(LedgerCollection.Name)]
public class ReportVerificationTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private readonly Ledger _ledger = new(host);

    private static bool Flag(Reply reply, string name) => reply.Json[name]!.GetValue<bool>();

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The same report with its title edited in place (same length): other bytes, the same figures and metadata.</summary>
    internal static byte[] Retitled(byte[] pdf)
    {
        var copy = (byte[])pdf.Clone();
        var at = copy.AsSpan().IndexOf("Grantee statement"u8);
        Assert.True(at >= 0);
        "Grantee statemenT"u8.CopyTo(copy.AsSpan(at));
        return copy;
    }

    /// <summary>A statement for a grant of 10,000.00 with 4,000.00 disbursed, generated and covered by the audit chain.</summary>
    private async Task<(Guid GrantId, Guid ReportId, Instant AsOf, byte[] Pdf)> Statement(Instant now)
    {
        host.Clock.Reset(now);
        var grantId = await _ledger.GrantOf(10_000m);
        await _ledger.Disburse(grantId, 4_000m);
        host.Clock.Advance(Duration.FromMinutes(5));
        var (status, pdf) = await _ledger.GenerateReport(new { kind = "grantee-statement", grantId });
        await _ledger.Chained();
        return (grantId, status.Id, InstantPattern.ExtendedIso.Parse(status.Json.Text("asOf")).Value, pdf);
    }

    private static Task<int> RewriteJobPdfSha(Guid reportId, string sha) =>
        LedgerHost.AsSuperuser($"update {LedgerHost.Schema}.mt_doc_reportjob set data = jsonb_set(data, '{{pdfSha256}}', to_jsonb('{sha}'::text)) " +
                               $"where id = '{reportId}'");

    [Fact]
    public async Task a_genuine_report_passes_every_check()
    {
        var (_, reportId, asOf, pdf) = await Statement(Instant.FromUtc(2021, 8, 2, 6, 0));

        var verified = await _ledger.VerifyReport(pdf);

        Assert.Equal(200, verified.Status);
        foreach (var check in new[] { "genuine", "recordedByLedger", "bytesMatchRecord", "figuresMatchPrinted", "modelHashMatches",
                     "metadataMatchesRecord", "auditChainValid", "generatedByThisLedger" })
        {
            Assert.True(Flag(verified, check), $"{check}: {verified}");
        }

        Assert.False(Flag(verified, "altered"));
        Assert.Equal(reportId.ToString(), verified.Json.Text("reportId"));
        Assert.Equal("grantee-statement", verified.Json.Text("kind"));
        Assert.Equal(InstantPattern.ExtendedIso.Format(asOf), verified.Json.Text("asOf"));
        Assert.Equal(verified.Json.Text("hash"), verified.Json.Text("recomputedHash"));
        Assert.Equal(Sha(pdf), verified.Json.Text("recordedPdfSha256"));
        Assert.Empty(verified.Json["differences"]!.AsArray());
        Assert.StartsWith("Genuine", verified.Json.Text("verdict"));
    }

    [Fact]
    public async Task a_pdf_sha_rewritten_in_the_job_document_neither_breaks_the_genuine_file_nor_vouches_for_another()
    {
        var (_, reportId, _, pdf) = await Statement(Instant.FromUtc(2021, 8, 3, 6, 0));
        var other = Retitled(pdf);

        // Someone with write access to the documents "records" another file as this report.
        Assert.Equal(1, await RewriteJobPdfSha(reportId, Sha(other)));
        var genuine = await _ledger.VerifyReport(pdf);
        var claimed = await _ledger.VerifyReport(other);

        Assert.True(Flag(genuine, "genuine"), genuine.ToString());
        Assert.False(Flag(claimed, "genuine"), claimed.ToString());
        Assert.True(Flag(claimed, "recordedByLedger"));
        Assert.False(Flag(claimed, "bytesMatchRecord"));
        Assert.True(Flag(claimed, "altered"));
        Assert.Equal(Sha(pdf), claimed.Json.Text("recordedPdfSha256"));
        Assert.Contains("bytes differ", claimed.Json.Text("verdict"));
    }

    [Fact]
    public async Task a_doctored_pdf_whose_sha_was_planted_in_the_job_document_fails_and_the_changed_figure_is_named()
    {
        var (grantId, reportId, asOf, pdf) = await Statement(Instant.FromUtc(2021, 8, 4, 6, 0));
        // A perfect forgery: the ledger's own code renders the statement with 4,500.00 disbursed instead of 4,000.00,
        // stamped with the genuine report id, figures' hash, position, as-of instant and signed chain head.
        await using var session = host.Store.QuerySession();
        var genuineSeal = (await session.Events.FetchStreamAsync(reportId)).Select(e => e.Data).OfType<ReportGenerated>().Single().Chain;
        Assert.NotNull(genuineSeal);
        var (model, hash, position) = ReportBuilder.Model(new ReportScope(ReportKind.GranteeStatement, null, grantId, null, null, asOf),
            await ReportBuilder.EventsAsOf(session, asOf, CancellationToken.None));
        var doctored = ReportBuilder.Render((GranteeStatementModel)model with { Disbursed = 4_500m }, hash, position, new ReportSeal(reportId, genuineSeal)).Pdf;
        Assert.NotEqual(Sha(pdf), Sha(doctored));

        Assert.Equal(1, await RewriteJobPdfSha(reportId, Sha(doctored)));
        var verified = await _ledger.VerifyReport(doctored);

        Assert.Equal(200, verified.Status);
        Assert.False(Flag(verified, "genuine"), verified.ToString());
        Assert.True(Flag(verified, "recordedByLedger"));
        Assert.False(Flag(verified, "bytesMatchRecord"));
        Assert.False(Flag(verified, "figuresMatchPrinted"));
        Assert.True(Flag(verified, "metadataMatchesRecord"));
        Assert.True(Flag(verified, "modelHashMatches"));
        Assert.Equal(1, verified.Json["differenceCount"]!.GetValue<int>());
        var difference = verified.Json["differences"]!.AsArray().Single()!;
        Assert.Equal(1, difference["page"]!.GetValue<int>());
        Assert.Equal("4,500.00", difference.Text("printed"));
        Assert.Equal("4,000.00", difference.Text("recomputed"));
        Assert.Contains("printed 4,500.00, the ledger yields 4,000.00", verified.Json.Text("verdict"));
    }

    [Fact]
    public async Task garbage_a_foreign_pdf_and_a_truncated_report_get_a_clear_answer_never_a_500()
    {
        var (_, _, _, pdf) = await Statement(Instant.FromUtc(2021, 8, 5, 6, 0));
        var noise = new byte[4096];
        new Random(7).NextBytes(noise);
        var foreign = PdfComposer.Render(new ReportDocument("Invoice", "Elsewhere", new ReportStamp("today", 1, new string('0', 64),
            DateTimeOffset.UnixEpoch, new Dictionary<string, string>()), [new Paragraph("Total 1,234.56")]));

        var strangers = new (string Name, byte[] Bytes)[]
        {
            ("noise", noise), ("text", Encoding.UTF8.GetBytes("Programme financial report 220,000.00 EUR")),
            ("pdf header then noise", [.. "%PDF-1.7\n"u8, .. noise]), ("foreign pdf", foreign),
        };
        foreach (var (name, bytes) in strangers)
        {
            var verified = await _ledger.VerifyReport(bytes);
            Assert.True(verified.Status == 200, $"{name}: {verified}");
            Assert.False(Flag(verified, "genuine"), name);
            Assert.False(Flag(verified, "recordedByLedger"), name);
            Assert.Contains("not generated by this ledger", verified.Json.Text("verdict"));
        }

        var truncated = await _ledger.VerifyReport(pdf[..(pdf.Length * 3 / 5)]);
        var empty = await _ledger.VerifyReport([]);

        Assert.True(truncated.Status == 200, truncated.ToString());
        Assert.False(Flag(truncated, "genuine"));
        Assert.False(Flag(truncated, "bytesMatchRecord"));
        Assert.True(empty.Status is 200 or 400, empty.ToString());
    }
}

/// <summary>Its own schema: rewriting an event breaks the audit chain on purpose.</summary>
public class ReportEventTamperTests
{
    [Fact]
    public async Task a_report_whose_recorded_event_was_rewritten_does_not_verify()
    {
        const string schema = "grantledger_report_tamper";
        await using var alba = await LedgerHost.StartEmpty(schema, new FakeClock(LedgerHost.StartOfTime));
        var host = await LedgerHost.Wrap(alba);
        var ledger = new Ledger(host);
        var grantId = await ledger.GrantOf(10_000m);
        await ledger.Disburse(grantId, 1_000m);
        var (status, pdf) = await ledger.GenerateReport(new { kind = "grantee-statement", grantId });
        await ledger.Chained();
        var other = ReportVerificationTests.Retitled(pdf);

        // A superuser turns the guard off and makes the ledger's record name another file.
        var sha = Convert.ToHexStringLower(SHA256.HashData(other));
        Assert.Equal(1, await LedgerHost.AsSuperuser(
            $"begin; alter table {schema}.mt_events disable trigger user; " +
            $"update {schema}.mt_events set data = jsonb_set(data, '{{pdfSha256}}', to_jsonb('{sha}'::text)) " +
            $"where stream_id = '{status.Id}' and type = 'report_generated'; " +
            $"alter table {schema}.mt_events enable trigger user; commit;"));
        var claimed = await ledger.VerifyReport(other);
        var genuine = await ledger.VerifyReport(pdf);

        Assert.False(claimed.Json["genuine"]!.GetValue<bool>(), claimed.ToString());
        Assert.True(claimed.Json["bytesMatchRecord"]!.GetValue<bool>(), claimed.ToString());
        Assert.False(claimed.Json["auditChainValid"]!.GetValue<bool>());
        Assert.Contains("audit chain", claimed.Json.Text("verdict"));
        Assert.False(genuine.Json["genuine"]!.GetValue<bool>(), genuine.ToString());
        Assert.False(genuine.Json["bytesMatchRecord"]!.GetValue<bool>());
        Assert.False(genuine.Json["auditChainValid"]!.GetValue<bool>());
    }

    [Fact]
    public async Task an_issued_report_catches_a_rewrite_made_after_it_even_when_the_ledgers_checkpoints_and_journal_are_wiped()
    {
        const string schema = "grantledger_report_anchor";
        await using var alba = await LedgerHost.StartEmpty(schema, new FakeClock(LedgerHost.StartOfTime));
        var host = await LedgerHost.Wrap(alba);
        var ledger = new Ledger(host);
        var grantId = await ledger.GrantOf(10_000m);
        var paid = await ledger.Disburse(grantId, 1_000m);
        var (_, pdf) = await ledger.GenerateReport(new { kind = "grantee-statement", grantId });
        await ledger.Chained();
        Assert.True((await ledger.VerifyReport(pdf)).Json["genuine"]!.GetValue<bool>());

        // The attacker has the database, not the key: rewrites the payment, recomputes every link, and removes every
        // checkpoint the ledger kept (rows and journal), so the ledger's own verification has nothing to compare with.
        await LedgerHost.AsSuperuser(
            $"set session_replication_role = replica; " +
            $"update {schema}.mt_events set data = jsonb_set(data, '{{amount,amount}}', '100.00') where data ->> 'disbursementId' = '{paid}'; " +
            $"delete from {schema}.audit_checkpoints;");
        await CheckpointTests.RecomputeEveryLink(schema);
        File.Delete(alba.Services.GetRequiredService<GrantLedger.Api.Audit.AuditCheckpointer>().JournalPath);
        var verified = await ledger.VerifyReport(pdf);

        Assert.False(verified.Json["genuine"]!.GetValue<bool>(), verified.ToString());
        Assert.False(verified.Json["auditChainValid"]!.GetValue<bool>(), verified.ToString());
        Assert.Contains("audit chain", verified.Json.Text("verdict"));
    }
}
