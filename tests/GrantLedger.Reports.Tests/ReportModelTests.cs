using GrantLedger.Domain;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using GrantLedger.Reports.Composition;
using GrantLedger.Reports.Models;
using NodaTime;
using UglyToad.PdfPig;

namespace GrantLedger.Reports.Tests;

public class ReportModelTests
{
    private static readonly Guid ProgrammeId = Guid.Parse("00000000-0000-4000-8000-0000000000aa");
    private static readonly Instant Start = Instant.FromUtc(2020, 4, 1, 0, 0);

    /// <summary>A programme with <paramref name="grants"/> grants, each paid once; one event a minute.</summary>
    private static List<RecordedEvent> History(int grants, decimal amount = 1_000m)
    {
        var events = new List<RecordedEvent>();
        var sequence = 0L;
        void Add(Guid stream, object data) => events.Add(new RecordedEvent(++sequence, Start + Duration.FromMinutes(sequence), stream, data));

        var eur = (decimal a) => new Money(a, "EUR");
        Add(ProgrammeId, new ProgrammeOpened(ProgrammeId, "SOS-CA-1", "SOS Central Asia", "EUR", eur(grants * amount * 2), new LocalDate(2020, 4, 1),
            new LocalDate(2021, 9, 30), "Asia/Bishkek"));
        for (var i = 0; i < grants; i++)
        {
            var grantId = new Guid(i + 1, 0, 0, new byte[8]);
            Add(ProgrammeId, new GrantCommitted(ProgrammeId, grantId, $"Grantee {i:0000}", eur(amount)));
            Add(grantId, new GrantAwarded(grantId, ProgrammeId, $"Grantee {i:0000}", ["KG"], "Snow leopards", eur(amount), new LocalDate(2020, 4, 1),
                new LocalDate(2021, 9, 30), "Asia/Bishkek"));
            Add(grantId, new DisbursementRecorded(grantId, ProgrammeId, new Guid(i + 1, 1, 0, new byte[8]), eur(amount / 4), new LocalDate(2020, 5, 1), $"B-{i}", null));
        }

        return events;
    }

    [Fact]
    public void the_programme_report_shows_what_was_recorded_before_its_as_of_position_and_no_more()
    {
        var events = History(2);
        var grantId = new Guid(1, 0, 0, new byte[8]);
        var reversal = new RecordedEvent(events.Count + 1, Start + Duration.FromDays(30), grantId,
            new DisbursementReversed(grantId, ProgrammeId, new Guid(1, 1, 0, new byte[8]), new Money(250m, "EUR"), "wrong account"));

        var before = ReportModels.ProgrammeFinancial(LedgerState.Fold(events), ProgrammeId, Start + Duration.FromDays(1));
        var after = ReportModels.ProgrammeFinancial(LedgerState.Fold([.. events, reversal]), ProgrammeId, Start + Duration.FromDays(31));

        Assert.Equal(500m, before.Disbursed);
        Assert.Equal(250m, after.Disbursed);
        Assert.NotEqual(ReportModels.Hash(before), ReportModels.Hash(after));
        Assert.Equal(events.Count, before.Header.Position);
    }

    [Fact]
    public void the_same_history_and_as_of_give_the_same_hash()
    {
        var asOf = Start + Duration.FromDays(1);

        Assert.Equal(ReportModels.Hash(ReportModels.ProgrammeFinancial(LedgerState.Fold(History(5)), ProgrammeId, asOf)),
            ReportModels.Hash(ReportModels.ProgrammeFinancial(LedgerState.Fold(History(5)), ProgrammeId, asOf)));
    }

    [Fact]
    public void a_programme_with_a_thousand_grants_paginates_with_every_grantee_and_the_totals()
    {
        var model = ReportModels.ProgrammeFinancial(LedgerState.Fold(History(1_000)), ProgrammeId, Start + Duration.FromDays(60));

        var bytes = PdfComposer.Render(ReportLayouts.Layout(model, ReportModels.Hash(model)));
        using var pdf = PdfDocument.Open(bytes);
        var text = string.Join("\n", pdf.GetPages().Select(p => p.Text));

        Assert.True(pdf.NumberOfPages >= 15, $"{pdf.NumberOfPages} pages");
        Assert.Contains("Grantee 0000", text);
        Assert.Contains("Grantee 0999", text);
        Assert.Contains("1,000,000.00", text); // awarded in total: 1,000 grants of 1,000.00
        Assert.Contains("250,000.00", text);   // disbursed in total: a quarter of each
        Assert.All(pdf.GetPages(), p => Assert.Contains($"Page {p.Number} of {pdf.NumberOfPages}", p.Text));
        Assert.Equal(1_000, model.Grantees.Count);
    }

    [Fact]
    public void a_report_carries_its_id_and_signed_chain_head_in_the_metadata_and_on_the_page_and_renders_to_the_same_bytes_again()
    {
        var model = ReportModels.ProgrammeFinancial(LedgerState.Fold(History(3)), ProgrammeId, Start + Duration.FromDays(1));
        var reportId = Guid.Parse("5a83f8c3-204d-42b4-8e08-51609e37565e");
        var seal = new ReportSeal(reportId, new ChainSeal(42, "ab12cd", Instant.FromUtc(2026, 12, 1, 10, 0), "3f2a0011", "c2lnbmF0dXJl"));

        var bytes = PdfComposer.Render(ReportLayouts.Layout(model, ReportModels.Hash(model), seal));
        using var pdf = PdfDocument.Open(bytes);
        string? Metadata(string key) => (pdf.Information.DocumentInformationDictionary!.Data[key] as UglyToad.PdfPig.Tokens.StringToken)?.Data;

        Assert.Equal(reportId.ToString(), Metadata("GrantLedgerReportId"));
        Assert.Equal("2020-04-02T00:00:00Z", Metadata("GrantLedgerAsOf"));
        Assert.Equal(model.Header.Position.ToString(System.Globalization.CultureInfo.InvariantCulture), Metadata("GrantLedgerPosition"));
        Assert.Equal("42", Metadata("GrantLedgerChainSequence"));
        Assert.Equal("ab12cd", Metadata("GrantLedgerChainLink"));
        Assert.Equal("2026-12-01T10:00:00Z", Metadata("GrantLedgerChainSignedAt"));
        Assert.Equal("3f2a0011", Metadata("GrantLedgerChainKeyId"));
        Assert.Equal("c2lnbmF0dXJl", Metadata("GrantLedgerChainSignature"));
        Assert.Contains(reportId.ToString(), pdf.GetPages().Last().Text);
        Assert.Contains("event 42, link ab12cd", pdf.GetPages().Last().Text);
        Assert.Equal(bytes, PdfComposer.Render(ReportLayouts.Layout(model, ReportModels.Hash(model), seal)));
    }

    [Fact]
    public void the_as_of_line_shows_the_programme_time_zone_and_utc()
    {
        var header = new ReportHeader(ReportKind.ProgrammeFinancial, "Programme financial report", "SOS-CA-1", Instant.FromUtc(2021, 1, 31, 18, 0),
            "Asia/Bishkek", 42);

        Assert.StartsWith("As of 2021-02-01 00:00 Asia/Bishkek (2021-01-31T18:00:00Z)", ReportLayouts.AsOfLine(header));
    }
}
