using GrantLedger.Reports.Composition;
using UglyToad.PdfPig;

namespace GrantLedger.Reports.Tests;

public class CompositionTests
{
    private static readonly ReportStamp Stamp = new("As of 2021-01-31 23:59 Asia/Bishkek (2021-01-31T17:59:00Z)", 4242, new string('a', 64),
        new DateTimeOffset(2021, 1, 31, 17, 59, 0, TimeSpan.Zero), new Dictionary<string, string> { ["GrantLedgerHash"] = new('a', 64) });

    private static ReportDocument LongTable(int rows) => new("Test report", "Scope", Stamp,
    [
        new Heading("Test report"),
        new Table([new Column("Grantee", 3), new Column("Amount", 1, Align.Right)],
            Enumerable.Range(1, rows).Select(i => (IReadOnlyList<string>)[$"Grantee {i:0000}", PdfComposer.Amount(i * 1000.5m)]).ToList(),
            ["Total", PdfComposer.Amount(Enumerable.Range(1, rows).Sum(i => i * 1000.5m))]),
    ]);

    [Fact]
    public void a_long_table_runs_onto_pages_that_each_repeat_the_header_and_say_page_x_of_y()
    {
        using var pdf = PdfDocument.Open(PdfComposer.Render(LongTable(200)));

        Assert.True(pdf.NumberOfPages > 2);
        foreach (var page in pdf.GetPages())
        {
            Assert.Contains($"Page {page.Number} of {pdf.NumberOfPages}", page.Text);
            Assert.Contains("GranteeAmount", page.Text.Replace(" ", ""));
        }

        var all = string.Concat(pdf.GetPages().Select(p => p.Text));
        Assert.Contains("Grantee 0001", all);
        Assert.Contains("Grantee 0200", all);
        Assert.Contains("20,110,050.00", all); // the totals row: 1,000.50 x (1 + ... + 200) = 1,000.50 x 20,100
    }

    [Fact]
    public void every_page_states_the_as_of_instant_position_and_hash()
    {
        using var pdf = PdfDocument.Open(PdfComposer.Render(LongTable(120)));

        Assert.All(pdf.GetPages(), page =>
        {
            Assert.Contains("2021-01-31T17:59:00Z", page.Text);
            Assert.Contains("position 4242", page.Text);
            Assert.Contains(new string('a', 64), page.Text);
        });
    }

    [Fact]
    public void kyrgyz_tajik_and_kazakh_names_are_embedded_and_extractable()
    {
        var document = new ReportDocument("Страны", "Scope", Stamp, [new Paragraph("Кыргызстан, Тоҷикистон, Қазақстан — ақ барс")]);

        using var pdf = PdfDocument.Open(PdfComposer.Render(document));

        var text = pdf.GetPage(1).Text;
        Assert.Contains("Кыргызстан", text);
        Assert.Contains("Тоҷикистон", text);
        Assert.Contains("Қазақстан", text);
    }

    [Fact]
    public void a_label_longer_than_its_column_wraps_instead_of_running_into_the_value()
    {
        var document = new ReportDocument("Факты", "Scope", Stamp,
            [new Facts([new("Израсходовано по фактическому курсу обмена валют", "1\u00A0010,25 EUR"), new("Остаток", "9,00 EUR")])]);

        using var pdf = PdfDocument.Open(PdfComposer.Render(document));
        var words = pdf.GetPage(1).GetWords().ToList();

        var label = words.Where(w => w.Text is "Израсходовано" or "по" or "фактическому" or "курсу" or "обмена" or "валют").ToList();
        Assert.Equal(6, label.Count);
        Assert.All(label, w => Assert.True(w.BoundingBox.Right < words.First(v => v.Text.StartsWith('1')).BoundingBox.Left, w.Text));
        Assert.True(label.Select(w => Math.Round(w.BoundingBox.Bottom)).Distinct().Count() > 1, "the label was not wrapped");
        Assert.True(words.First(w => w.Text == "Остаток").BoundingBox.Top < label.Min(w => w.BoundingBox.Bottom), "the next row overlaps the wrapped label");
    }

    [Fact]
    public void the_same_report_gives_the_same_bytes() =>
        Assert.Equal(PdfComposer.Render(LongTable(80)), PdfComposer.Render(LongTable(80)));

    [Fact]
    public void the_hash_and_position_travel_in_the_pdf_metadata()
    {
        using var pdf = PdfDocument.Open(PdfComposer.Render(LongTable(3)));

        Assert.Equal("Test report", pdf.Information.Title);
        Assert.Contains("position=4242", pdf.Information.Keywords ?? "");
        Assert.Contains(new string('a', 64), pdf.Information.DocumentInformationDictionary!.Data["GrantLedgerHash"]?.ToString());
    }

    [Fact]
    public void charts_are_drawn_as_vectors_with_their_labels()
    {
        var document = new ReportDocument("Charts", "Scope", Stamp,
        [
            new LineChart("Cumulative disbursement against the tranche plan", ["2020-04", "2020-05", "2020-06"],
                [new Series("Disbursed", [10m, 20m, 30m]), new Series("Plan", [15m, 15m, 40m], Dashed: true)], "EUR"),
            new BarChart("Per grantee", ["Snow Leopard Trust", "Snow Leopard Conservancy"],
                [new Series("Awarded", [80_000m, 70_000m]), new Series("Disbursed", [64_000m, 28_000m])], "EUR"),
        ]);

        using var pdf = PdfDocument.Open(PdfComposer.Render(document));
        var page = pdf.GetPage(1);

        Assert.Contains("Cumulative disbursement against the tranche plan", page.Text);
        Assert.Contains("Snow Leopard Trust", page.Text);
        Assert.Empty(page.GetImages());
        Assert.NotEmpty(page.Paths);
    }
}
