using GrantLedger.Api.Reports;
using GrantLedger.Reports.Composition;

namespace GrantLedger.Api.Tests;

/// <summary>Reading a report's printed figures back: no database, the composition layer renders the pages.</summary>
public class PrintedFiguresTests
{
    private static byte[] Render(params Block[] blocks) =>
        PdfComposer.Render(new ReportDocument("Statement", "Scope", new ReportStamp("As of 2021-01-31 23:59 Asia/Bishkek (2021-01-31T17:59:00Z)", 42,
            new string('a', 64), DateTimeOffset.UnixEpoch, new Dictionary<string, string> { ["GrantLedgerReportId"] = "r-1" }), blocks));

    private static Block Figures(string disbursed, string share) => new Facts([
        new("Disbursed", $"{disbursed} EUR"),
        new("Reversed", "-2,800.00 EUR"),
        new("Share spent", share),
        new("Value date", "2020-05-04"),
        new("Report", "5a83f8c3-204d-42b4-0e08-51609e37565e"),
    ]);

    [Fact]
    public void amounts_dates_percentages_and_hashes_are_read_back_page_by_page_and_words_are_not()
    {
        var reading = PrintedFigures.Read(Render(Figures("4,000.00", "12.5%")))!;

        Assert.Equal("r-1", reading["GrantLedgerReportId"]);
        Assert.Equal(1, reading.PageCount);
        var figures = reading.Pages.Single();
        Assert.Equal(["4,000.00", "-2,800.00", "12.5%", "2020-05-04"], figures.SkipWhile(f => f != "4,000.00").Take(4));
        Assert.Contains("2021-01-31T17:59:00Z", figures);
        Assert.Contains(new string('a', 64), figures);
        Assert.DoesNotContain("256", figures); // "SHA-256" in the footer is a word, not a figure
        Assert.DoesNotContain("5", figures);   // nor is a piece of a GUID
    }

    [Fact]
    public void a_changed_figure_is_paired_with_the_one_it_replaced_and_the_rest_still_line_up()
    {
        var printed = PrintedFigures.Read(Render(Figures("4,500.00", "12.5%"), new Paragraph("Paid 1,000.00 on 2020-06-01")))!;
        var recomputed = PrintedFigures.Read(Render(Figures("4,000.00", "12.5%"), new Paragraph("Paid 1,000.00 on 2020-06-01")))!;

        var (first, count) = PrintedFigures.Compare(printed, recomputed, 10);

        Assert.Equal(1, count);
        Assert.Equal(new FigureDifference("page 1", 1, "4,500.00", "4,000.00"), first.Single());
    }

    private static Block RussianFigures(string disbursed) => new Facts([
        new("Выплачено", $"{disbursed} EUR"),
        new("Сторнировано", "-2\u00A0800,00 EUR"),
        new("Курсовая разница", "-10,25 EUR"),
        new("Дата валютирования", "04.05.2020"),
    ]);

    [Fact]
    public void russian_amounts_with_no_break_spaces_and_russian_dates_are_read_back_as_whole_figures()
    {
        var figures = PrintedFigures.Read(Render(RussianFigures("1\u00A0234\u00A0567,89")))!.Pages.Single();

        Assert.Equal(["1\u00A0234\u00A0567,89", "-2\u00A0800,00", "-10,25", "04.05.2020"], figures.SkipWhile(f => !f.StartsWith('1')).Take(4));
    }

    [Fact]
    public void a_changed_russian_figure_is_caught_to_the_cent_and_in_the_thousands()
    {
        var recomputed = PrintedFigures.Read(Render(RussianFigures("4\u00A0000,00")))!;

        foreach (var forged in new[] { "4\u00A0000,01", "5\u00A0000,00", "14\u00A0000,00" })
        {
            var (first, count) = PrintedFigures.Compare(PrintedFigures.Read(Render(RussianFigures(forged)))!, recomputed, 10);

            Assert.Equal(1, count);
            Assert.Equal(new FigureDifference("page 1", 1, forged, "4\u00A0000,00"), first.Single());
        }
    }

    [Fact]
    public void bytes_that_are_not_a_pdf_read_as_nothing()
    {
        Assert.Null(PrintedFigures.Read("%PDF-1.7\nnot really"u8.ToArray()));
        Assert.Null(PrintedFigures.Read([]));
    }
}
