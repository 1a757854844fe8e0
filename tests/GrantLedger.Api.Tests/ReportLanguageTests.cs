using GrantLedger.Api.Identity;
using GrantLedger.Api.Reports;
using GrantLedger.Reports.Models;
using Marten;
using NodaTime;
using NodaTime.Text;
using UglyToad.PdfPig;

namespace GrantLedger.Api.Tests;

/// <summary>
/// The grantee statement in the requester's language (their profile, or <c>?language=</c>), verified in the language it
/// was printed in; the other reports are English only.
/// </summary>
[Collection(LedgerCollection.Name)]
public class ReportLanguageTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private const string Nbsp = "\u00A0";
    private readonly Ledger _ledger = new(host);

    private static string Text(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return string.Join("\n", document.GetPages().Select(p => p.Text));
    }

    /// <summary>A grant of 10,000.00 with 1,234.56 paid (value date 2020-05-04) to an organisation whose user reads Russian.</summary>
    private async Task<(Guid GrantId, string Grantee)> RussianGrantee(Instant now)
    {
        host.Clock.Reset(now);
        var organisation = "Фонд «Илбирс» " + Guid.NewGuid().ToString("N")[..6];
        var grantId = await _ledger.GrantOf(10_000m, grantee: organisation);
        Assert.Equal(201, (await _ledger.TryDisburse(grantId, 1_234.56m)).Status);
        host.Clock.Advance(Duration.FromMinutes(5));
        var user = await host.GranteeUser(organisation);
        await using var session = host.Store.LightweightSession();
        var account = await session.Query<UserAccount>().SingleAsync(u => u.GranteeOrganisation == organisation);
        session.Store(account with { Language = Languages.Russian });
        await session.SaveChangesAsync();
        return (grantId, user);
    }

    [Fact]
    public async Task a_grantee_who_reads_russian_gets_the_statement_in_russian_by_default_and_in_english_when_asking_and_staff_get_english()
    {
        var (grantId, grantee) = await RussianGrantee(Instant.FromUtc(2021, 9, 1, 6, 0));

        var (ru, ruPdf) = await _ledger.GenerateReport(new { kind = "grantee-statement", grantId }, grantee);
        var (en, enPdf) = await _ledger.GenerateReport(new { kind = "grantee-statement", grantId }, grantee, language: "en");
        var (auditor, auditorPdf) = await _ledger.GenerateReport(new { kind = "grantee-statement", grantId }, "auditor");
        var (finance, _) = await _ledger.GenerateReport(new { kind = "grantee-statement", grantId }, "finance");

        Assert.Equal("ru", ru.Json.Text("language"));
        var russian = Text(ruPdf);
        Assert.Contains("Выписка по гранту", russian);
        Assert.Contains("Сумма гранта", russian);
        Assert.Contains($"10{Nbsp}000,00 EUR", russian);
        Assert.Contains($"1{Nbsp}234,56 EUR", russian);
        Assert.Contains("04.05.2020", russian);
        Assert.Contains("выплачено", russian);
        Assert.Contains("Фонд «Илбирс»", russian); // the organisation's name as recorded
        Assert.DoesNotContain("Awarded", russian);

        foreach (var (view, pdf) in new[] { (en, enPdf), (auditor, auditorPdf) })
        {
            Assert.Equal("en", view.Json.Text("language"));
            var english = Text(pdf);
            Assert.Contains("Grantee statement", english);
            Assert.Contains("1,234.56 EUR", english);
            Assert.Contains("2020-05-04", english);
            Assert.DoesNotContain("Выписка", english);
        }

        Assert.Equal("en", finance.Json.Text("language"));
        Assert.Equal(ru.Json.Text("hash"), en.Json.Text("hash")); // the same figures, whatever the language
    }

    [Fact]
    public async Task a_russian_statement_verifies_as_genuine_and_a_forged_russian_figure_is_named()
    {
        var (grantId, grantee) = await RussianGrantee(Instant.FromUtc(2021, 9, 2, 6, 0));
        var (status, pdf) = await _ledger.GenerateReport(new { kind = "grantee-statement", grantId }, grantee);
        await _ledger.Chained();

        var genuine = await _ledger.VerifyReport(pdf);
        Assert.True(genuine.Json["genuine"]!.GetValue<bool>(), genuine.ToString());
        Assert.True(genuine.Json["figuresMatchPrinted"]!.GetValue<bool>(), genuine.ToString());

        // The ledger's own code renders the Russian statement with 1 284,56 paid, under the genuine id, hash and seal.
        await using var session = host.Store.QuerySession();
        var recorded = (await session.Events.FetchStreamAsync(status.Id)).Select(e => e.Data).OfType<ReportGenerated>().Single();
        Assert.Equal("ru", recorded.Language);
        var asOf = InstantPattern.ExtendedIso.Parse(status.Json.Text("asOf")).Value;
        var (model, hash, position) = ReportBuilder.Model(ReportScope.Of(recorded), await ReportBuilder.EventsAsOf(session, asOf, CancellationToken.None));
        var forged = ReportBuilder.Render((GranteeStatementModel)model with { Disbursed = 1_284.56m }, hash, position,
            new ReportSeal(status.Id, recorded.Chain), ReportLanguage.Russian).Pdf;

        var verdict = await _ledger.VerifyReport(forged);

        Assert.False(verdict.Json["genuine"]!.GetValue<bool>(), verdict.ToString());
        Assert.False(verdict.Json["figuresMatchPrinted"]!.GetValue<bool>(), verdict.ToString());
        Assert.True(verdict.Json["metadataMatchesRecord"]!.GetValue<bool>(), verdict.ToString());
        var difference = verdict.Json["differences"]!.AsArray().Single()!;
        Assert.Equal($"1{Nbsp}284,56", difference.Text("printed"));
        Assert.Equal($"1{Nbsp}234,56", difference.Text("recomputed"));
    }

    [Fact]
    public async Task an_unknown_language_or_russian_for_an_english_only_report_is_refused_and_nothing_is_queued()
    {
        host.Clock.Reset(Instant.FromUtc(2021, 9, 3, 6, 0));
        var grantId = await _ledger.GrantOf(10_000m);
        var programmeId = Guid.Parse((await host.Get($"/api/grants/{grantId}")).Json.Text("programmeId"));
        var before = (await host.Get("/api/reports", user: "finance")).Json.AsArray().Count;

        var unknown = await host.Post("/api/reports?language=kk", new { kind = "grantee-statement", grantId });
        var russianProgramme = await host.Post("/api/reports?language=ru", new { kind = "programme-financial", programmeId });

        foreach (var refused in new[] { unknown, russianProgramme })
        {
            Assert.Equal(400, refused.Status);
            Assert.Equal("malformed-request", refused.Json.Text("code"));
            Assert.NotNull(refused.Json["errors"]!["language"]);
        }

        Assert.Equal(before, (await host.Get("/api/reports", user: "finance")).Json.AsArray().Count);
    }
}
