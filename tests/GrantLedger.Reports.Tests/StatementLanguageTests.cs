using System.Xml.Linq;
using GrantLedger.Reports.Composition;
using GrantLedger.Reports.Models;
using NodaTime;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Tokens;

namespace GrantLedger.Reports.Tests;

/// <summary>The grantee statement in English and Russian, and the PDF/A-2u properties every report file has.</summary>
public class StatementLanguageTests
{
    private const string Nbsp = "\u00A0";

    private static readonly GranteeStatementModel Model = new(
        new ReportHeader(ReportKind.GranteeStatement, "Grantee statement", "Общественный фонд «Илбирс» & Co – Снежный барс", Instant.FromUtc(2021, 1, 31, 18, 0),
            "Asia/Bishkek", 4242),
        "Общественный фонд «Илбирс» & Co", "Снежный барс", "KG, TJ", "EUR", new LocalDate(2020, 4, 1), new LocalDate(2021, 12, 31),
        1_234_567.89m, 1_234.56m, 500m, 1_233_333.33m, 1_000m, 1_010.25m, -10.25m,
        [new TrancheLine(1, 1_234.56m, 1_234.56m, ReportModels.OnSignature, false), new TrancheLine(2, 20_000m, 0m, "Промежуточный отчёт", true)],
        [
            new PaymentLine(new LocalDate(2020, 12, 31), "B-7", 1_234.56m, "paid", null),
            new PaymentLine(new LocalDate(2021, 1, 15), "B-8", 300m, "reversed", "неверный счёт получателя"),
        ],
        [new MilestoneLine("Общественный фонд «Илбирс» & Co", "Промежуточный отчёт", "interim", new LocalDate(2021, 6, 30), "submitted", false)],
        [new BudgetLineLine("1.1", "Персонал", "Егеря, 4 человека", 10_000m, 1_000m, 1_010.25m, -10.25m, 9_000m)]);

    private static string Hash => ReportModels.Hash(Model);

    private static byte[] Render(ReportLanguage? language) => PdfComposer.Render(ReportLayouts.Layout(Model, Hash, null, language));

    private static string AllText(PdfDocument pdf) => string.Join("\n", pdf.GetPages().Select(p => p.Text));

    [Fact]
    public void a_russian_statement_reads_back_with_russian_headings_russian_money_and_dates_and_the_grantees_own_words()
    {
        using var pdf = PdfDocument.Open(Render(ReportLanguage.Russian));
        var text = AllText(pdf);

        foreach (var expected in new[]
        {
            "Выписка по гранту", "Общественный фонд «Илбирс» & Co · Снежный барс", "Срок реализации гранта", "с 01.04.2020 по 31.12.2021",
            "Сумма гранта", $"1{Nbsp}234{Nbsp}567,89 EUR", $"1{Nbsp}234,56 EUR", "-10,25 EUR", "Курсовая разница",
            "Транши", "при подписании", "Промежуточный отчёт", "Выплаты и сторнирования", "31.12.2020", "15.01.2021", "сторнировано",
            "неверный счёт получателя", "Этапы", "30.06.2021", "промежуточный", "представлен", "Бюджет и факт по статьям бюджета (EUR)",
            "Егеря, 4 человека", $"10{Nbsp}000,00", $"1{Nbsp}010,25", "Проверка подлинности",
            "По состоянию на 01.02.2021 00:00 Asia/Bishkek (2021-01-31T18:00:00Z)", "Позиция событий 4242",
            $"Страница 1 из {pdf.NumberOfPages}",
        })
        {
            Assert.Contains(expected, text);
        }

        foreach (var english in new[] { "Grantee statement", "Awarded", "Tranches", "on signature", "reversed", "Page 1 of", "1,234.56" })
        {
            Assert.DoesNotContain(english, text);
        }
    }

    [Fact]
    public void the_english_statement_reads_as_it_always_has()
    {
        using var pdf = PdfDocument.Open(Render(ReportLanguage.English));
        var text = AllText(pdf);

        foreach (var expected in new[]
        {
            "Grantee statement", "Grant window", "2020-04-01 to 2021-12-31", "Awarded", "1,234,567.89 EUR", "1,234.56 EUR", "-10.25 EUR",
            "on signature", "2020-12-31", "reversed", "неверный счёт получателя", "interim", "submitted",
            "Budget against actual, per line (EUR)", "As of 2021-02-01 00:00 Asia/Bishkek (2021-01-31T18:00:00Z)", "Event-store position 4242",
            $"Page 1 of {pdf.NumberOfPages}",
        })
        {
            Assert.Contains(expected, text);
        }

        Assert.Equal(PdfComposer.Render(ReportLayouts.Layout(Model, Hash)), Render(ReportLanguage.English)); // English is the default
    }

    [Fact]
    public void the_language_is_in_the_metadata_and_the_catalog_and_the_figures_hash_is_the_same_in_both()
    {
        using var ru = PdfDocument.Open(Render(ReportLanguage.Russian));
        using var en = PdfDocument.Open(Render(ReportLanguage.English));

        Assert.Equal("ru", Info(ru, "GrantLedgerLanguage"));
        Assert.Equal("en", Info(en, "GrantLedgerLanguage"));
        Assert.Equal("ru", (ru.Structure.Catalog.CatalogDictionary.Data["Lang"] as StringToken)?.Data);
        Assert.Equal(Info(en, "GrantLedgerHash"), Info(ru, "GrantLedgerHash"));
    }

    [Fact]
    public void every_font_is_embedded_unicode_encoded_with_a_tounicode_map_so_every_letter_extracts()
    {
        using var pdf = PdfDocument.Open(Render(ReportLanguage.Russian));

        var fonts = pdf.GetPages().SelectMany(page => Dictionary(pdf, Dictionary(pdf, page.Dictionary.Data["Resources"]).Data["Font"]).Data.Values)
            .Select(font => Dictionary(pdf, font)).ToList();
        Assert.NotEmpty(fonts);
        Assert.All(fonts, font =>
        {
            Assert.Equal("Type0", (font.Data["Subtype"] as NameToken)?.Data);
            Assert.Equal("Identity-H", (font.Data["Encoding"] as NameToken)?.Data);
            Assert.True(font.Data.ContainsKey("ToUnicode"), "a font without a ToUnicode map");
            var descendant = Dictionary(pdf, ((ArrayToken)font.Data["DescendantFonts"]).Data[0]);
            Assert.True(Dictionary(pdf, descendant.Data["FontDescriptor"]).Data.ContainsKey("FontFile2"), "a font not embedded");
        });
        Assert.All(pdf.GetPages().SelectMany(p => p.Letters), letter => Assert.False(string.IsNullOrEmpty(letter.Value) || letter.Value == "\uFFFD"));
    }

    [Fact]
    public void the_file_identifies_itself_as_pdf_a_2u_with_an_srgb_output_intent_and_metadata_that_matches_the_information_dictionary()
    {
        using var pdf = PdfDocument.Open(Render(ReportLanguage.Russian));

        Assert.True(pdf.TryGetXmpMetadata(out var metadata));
        // UTF-8 XML (PdfPig's own GetXDocument reads it as Latin-1); a grantee named "… & Co" is escaped, so it parses.
        var xmp = XDocument.Load(new MemoryStream(metadata.GetXmlBytes().ToArray()));
        XNamespace pdfaid = "http://www.aiim.org/pdfa/ns/id/", dc = "http://purl.org/dc/elements/1.1/", xmpNs = "http://ns.adobe.com/xap/1.0/",
            pdfNs = "http://ns.adobe.com/pdf/1.3/";
        Assert.Equal("2", xmp.Descendants(pdfaid + "part").Single().Value);
        Assert.Equal("U", xmp.Descendants(pdfaid + "conformance").Single().Value);
        Assert.Equal("Выписка по гранту", xmp.Descendants(dc + "title").Single().Value);
        Assert.Equal(pdf.Information.Title, xmp.Descendants(dc + "title").Single().Value);
        Assert.Equal(pdf.Information.Subject, xmp.Descendants(dc + "description").Single().Value);
        Assert.Equal("Общественный фонд «Илбирс» & Co – Снежный барс", pdf.Information.Subject);
        Assert.Equal(pdf.Information.Keywords, xmp.Descendants(pdfNs + "Keywords").Single().Value);
        Assert.Equal(pdf.Information.Producer, xmp.Descendants(pdfNs + "Producer").Single().Value);
        Assert.Equal(pdf.Information.Creator, xmp.Descendants(xmpNs + "CreatorTool").Single().Value);
        Assert.Equal("2021-01-31T18:00:00+00:00", xmp.Descendants(xmpNs + "CreateDate").Single().Value); // the as-of instant, not the clock
        Assert.Equal(new DateTimeOffset(2021, 1, 31, 18, 0, 0, TimeSpan.Zero), pdf.Information.GetCreatedDateTimeOffset());

        var intents = (ArrayToken)Resolve(pdf, pdf.Structure.Catalog.CatalogDictionary.Data["OutputIntents"]);
        var intent = Dictionary(pdf, intents.Data.Single());
        Assert.Equal("GTS_PDFA1", (intent.Data["S"] as NameToken)?.Data);
        Assert.Equal("sRGB IEC61966-2.1", (intent.Data["OutputConditionIdentifier"] as StringToken)?.Data);
        var profile = (StreamToken)Resolve(pdf, intent.Data["DestOutputProfile"]);
        Assert.Equal(3, (profile.StreamDictionary.Data["N"] as NumericToken)?.Int);
        Assert.False(pdf.IsEncrypted);
    }

    [Fact]
    public void the_same_statement_in_the_same_language_gives_the_same_bytes() =>
        Assert.Equal(Render(ReportLanguage.Russian), Render(ReportLanguage.Russian));

    [Fact]
    public void every_english_report_text_has_a_russian_translation_of_its_own()
    {
        var texts = new System.Resources.ResourceManager("GrantLedger.Reports.Resources.ReportTexts", typeof(ReportLanguage).Assembly);
        string[] Keys(string culture) => texts.GetResourceSet(System.Globalization.CultureInfo.GetCultureInfo(culture), true, tryParents: false)!
            .Cast<System.Collections.DictionaryEntry>().Select(e => (string)e.Key).Order().ToArray();
        var english = texts.GetResourceSet(System.Globalization.CultureInfo.InvariantCulture, true, false)!
            .Cast<System.Collections.DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string)e.Value!);

        Assert.Equal(english.Keys.Order().ToArray(), Keys("ru"));
        Assert.All(english.Keys, key => Assert.NotEqual(english[key], ReportLanguage.Russian.Text(key))); // none left in English
    }

    [Fact]
    public void report_languages_are_english_and_russian_and_nothing_else()
    {
        Assert.Same(ReportLanguage.Russian, ReportLanguage.Find("RU"));
        Assert.Same(ReportLanguage.English, ReportLanguage.Find("en"));
        Assert.Null(ReportLanguage.Find("kk"));
        Assert.Null(ReportLanguage.Find(null));
    }

    private static string? Info(PdfDocument pdf, string key) =>
        (pdf.Information.DocumentInformationDictionary!.Data[key] as StringToken)?.Data;

    private static IToken Resolve(PdfDocument pdf, IToken token) =>
        token is IndirectReferenceToken reference ? pdf.Structure.GetObject(reference.Data).Data : token;

    private static DictionaryToken Dictionary(PdfDocument pdf, IToken token) => Resolve(pdf, token) switch
    {
        DictionaryToken dictionary => dictionary,
        StreamToken stream => stream.StreamDictionary,
        var other => throw new InvalidOperationException($"Not a dictionary: {other}"),
    };
}
