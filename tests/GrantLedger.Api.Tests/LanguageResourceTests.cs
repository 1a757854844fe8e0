using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using GrantLedger.Api.Pages;
using NodaTime;

namespace GrantLedger.Api.Tests;

/// <summary>
/// The pages' texts: every English text has its Russian translation and back, with the same placeholders, and every
/// text a page or page helper asks for by a literal key exists. The figures and refusals a page shows in Russian.
/// </summary>
public partial class LanguageResourceTests
{
    private static readonly string Api = Path.Combine(Tools.RepositoryRoot, "src", "GrantLedger.Api");

    private static Dictionary<string, string> Texts(string file) =>
        XDocument.Load(Path.Combine(Api, "Resources", file)).Root!.Elements("data")
            .ToDictionary(d => d.Attribute("name")!.Value, d => d.Element("value")?.Value ?? "");

    private static readonly Dictionary<string, string> English = Texts("SharedResource.resx");
    private static readonly Dictionary<string, string> Russian = Texts("SharedResource.ru.resx");

    [Fact]
    public void every_english_text_has_a_russian_translation_and_every_russian_one_an_english_text()
    {
        Assert.True(English.Count > 300, $"only {English.Count} English texts");
        Assert.Empty(English.Keys.Except(Russian.Keys).Order());
        Assert.Empty(Russian.Keys.Except(English.Keys).Order());
        Assert.Empty(Russian.Where(r => string.IsNullOrWhiteSpace(r.Value)).Select(r => r.Key));
    }

    /// <summary>Resource generation keeps one of two names that differ only in case ("Note" and "note"): the other is lost.</summary>
    [Fact]
    public void no_two_texts_differ_only_in_case()
    {
        Assert.Empty(English.Keys.GroupBy(k => k, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => string.Join(" / ", g)));
    }

    [Fact]
    public void a_translation_keeps_the_placeholders_of_its_english_text()
    {
        static string Holes(string text) => string.Join(",", Placeholder().Matches(text).Select(m => m.Value).Distinct().Order());
        Assert.Empty(English.Where(e => Holes(e.Value) != Holes(Russian[e.Key])).Select(e => $"{e.Key} → {Russian[e.Key]}"));
    }

    [Fact]
    public void every_text_a_page_asks_for_is_in_the_resources()
    {
        var pages = Path.Combine(Api, "Pages");
        var asked = Directory.EnumerateFiles(pages, "*.cshtml", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(pages, "*.cs", SearchOption.AllDirectories))
            .SelectMany(file => Keys(File.ReadAllText(file)).Select(key => (File: Path.GetFileName(file), Key: key)))
            .ToList();

        Assert.True(asked.Count > 300, $"only {asked.Count} texts found in the pages");
        Assert.Empty(asked.Where(a => !English.ContainsKey(a.Key)).Select(a => $"{a.File}: {a.Key}").Distinct());
    }

    /// <summary>The string literals inside every <c>T[…]</c>, <c>text[…]</c> and <c>Localizer[…]</c> (both arms of a conditional too).</summary>
    private static IEnumerable<string> Keys(string source)
    {
        foreach (Match open in Indexer().Matches(source))
        {
            var depth = 1;
            for (var i = open.Index + open.Length; i < source.Length && depth > 0; i++)
            {
                var c = source[i];
                if (c == '"')
                {
                    var literal = new StringBuilder();
                    for (i++; i < source.Length && source[i] != '"'; i++)
                    {
                        if (source[i] == '\\' && i + 1 < source.Length)
                        {
                            i++;
                            literal.Append(source[i] switch { 'u' => (char)Convert.ToInt32(source.Substring(i + 1, 4), 16), var other => other });
                            if (source[i] == 'u')
                            {
                                i += 4;
                            }

                            continue;
                        }

                        literal.Append(source[i]);
                    }

                    // Only the text keys: the arguments after the first comma at depth 1 are figures and names; a
                    // literal that is the start of a concatenation ("problem:" + code) is a prefix, not a text.
                    var next = source.Skip(i + 1).FirstOrDefault(ch => !char.IsWhiteSpace(ch));
                    if (next != '+')
                    {
                        yield return literal.ToString();
                    }
                }
                else if (c == '[' || c == '(')
                {
                    depth++;
                }
                else if (c == ']' || c == ')')
                {
                    depth--;
                }
                else if (c == ',' && depth == 1)
                {
                    break;
                }
            }
        }
    }

    [Theory]
    [InlineData("en", "1,234,567.89 EUR", "2020-12-31", "12.2020")]
    [InlineData("ru", "1\u00A0234\u00A0567,89 EUR", "31.12.2020", "12.2020")]
    public void figures_and_dates_follow_the_readers_language(string language, string money, string date, string month)
    {
        using var _ = new Reading(language);

        Assert.Equal(money, Ui.Eur(1_234_567.89m));
        Assert.Equal(date, Ui.Date(new LocalDate(2020, 12, 31)));
        Assert.Equal(language == "en" ? "2020-12" : month, Ui.Month(new YearMonth(2020, 12)));
        // Only the UI culture changes: what ToString() and interpolation use stays invariant for anything recorded.
        Assert.Equal("1234.5", $"{1234.5m}");
    }

    [Theory]
    [InlineData("ru", "1 234,56", "1234.56")]
    [InlineData("ru", "1\u00A0234,56", "1234.56")]
    [InlineData("ru", "1234.56", "1234.56")]
    [InlineData("ru", "45000", "45000")]
    [InlineData("en", "1,234.56", "1234.56")]
    public void a_figure_is_read_as_the_reader_types_it(string language, string typed, string expected)
    {
        using var _ = new Reading(language);

        Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), Ui.Parse(typed));
    }

    [Fact]
    public void a_figure_with_two_decimal_marks_is_no_figure_in_russian()
    {
        using var _ = new Reading("ru");

        Assert.Null(Ui.Parse("1,234,56"));
    }

    [Fact]
    public void a_refusal_is_translated_by_its_code_keeping_its_figures_and_falls_back_to_english()
    {
        using var _ = new Reading("ru");
        var exceeded = new Outcome(false, "Disbursing 900.00 EUR would exceed the grant: only 600.00 EUR remains to be paid.",
            new Dictionary<string, string[]>(), false, "grant-exceeded");
        var unknown = new Outcome(false, "Something new the ledger refuses.", new Dictionary<string, string[]>(), false, "no-such-code");

        Assert.Equal(Russian["problem:grant-exceeded"] + " (" + exceeded.Message + ")", Problem.Message(exceeded));
        Assert.Equal("Something new the ledger refuses.", Problem.Message(unknown));
        Assert.Equal(Russian["is required."], Problem.Field("is required."));
        Assert.Equal(Russian["must be at most {0} characters."].Replace("{0}", "2,000"), Problem.Field("must be at most 2,000 characters."));
        Assert.Equal("a rule the pages never heard of.", Problem.Field("a rule the pages never heard of."));
    }

    [Fact]
    public void in_english_a_refusal_keeps_the_ledgers_own_sentence()
    {
        using var _ = new Reading("en");
        var exceeded = new Outcome(false, "Disbursing 900.00 EUR would exceed the grant: only 600.00 EUR remains to be paid.",
            new Dictionary<string, string[]>(), false, "grant-exceeded");

        Assert.Equal(exceeded.Message, Problem.Message(exceeded));
    }

    /// <summary>Reads as a person of that language would (the UI culture only), restoring the previous one.</summary>
    private sealed class Reading : IDisposable
    {
        private readonly CultureInfo _before = CultureInfo.CurrentUICulture;

        public Reading(string language) => CultureInfo.CurrentUICulture = new CultureInfo(language);

        public void Dispose() => CultureInfo.CurrentUICulture = _before;
    }

    [GeneratedRegex(@"\{[0-9]+\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])(?:T|text|Localizer)\[")]
    private static partial Regex Indexer();
}
