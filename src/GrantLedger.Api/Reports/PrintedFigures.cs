using System.Text.RegularExpressions;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Tokens;

namespace GrantLedger.Api.Reports;

/// <summary>Where a report's printed figures differ from the ones the ledger yields: <c>page 2</c>, or a metadata key.</summary>
public sealed record FigureDifference(string Where, int? Page, string? Printed, string? Recomputed);

/// <summary>
/// A report PDF as a reader sees it, read back with PdfPig: its metadata and, page by page, the figures it prints
/// (amounts such as <c>-2,800.00</c> or, in a Russian statement, <c>-2 800,00</c> with a no-break space, counts,
/// percentages, dates such as <c>2020-12-31</c> or <c>31.12.2020</c>, instants, times and SHA-256 hashes), in reading order.
/// Comparing two readings says which printed figures differ, whatever the bytes around them.
/// </summary>
public static partial class PrintedFigures
{
    public sealed record Reading(IReadOnlyDictionary<string, string> Metadata, int PageCount, IReadOnlyList<IReadOnlyList<string>> Pages)
    {
        public string? this[string key] => Metadata.GetValueOrDefault(key);
    }

    private const char NoBreakSpace = '\u00A0';

    // A figure is a whole token: not a piece of a word, a GUID or "SHA-256". Russian amounts group with a no-break space
    // and use a decimal comma; Russian dates are dd.MM.yyyy.
    [GeneratedRegex(@"(?<![\p{L}\p{N}.,\-])(?:[0-9a-f]{64}|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z|\d{4}-\d{2}-\d{2}|\d{2}\.\d{2}\.\d{4}|\d{1,2}:\d{2}" +
        @"|-?\d{1,3}(?:,\d{3})+(?:\.\d+)?%?|-?\d{1,3}(?:\u00A0\d{3})+(?:,\d+)?%?|-?\d+,\d+%?|-?\d+(?:\.\d+)?%?)(?![\p{L}\p{N}\-])",
        RegexOptions.CultureInvariant)]
    private static partial Regex Figure();

    /// <summary>
    /// The page's words, with the ones the layout joined by a no-break space (PdfPig splits at any white space, so
    /// <c>1 234,56</c> reads as two words) joined again: a Russian amount is one figure, as it is in English.
    /// </summary>
    private static IEnumerable<string> Words(UglyToad.PdfPig.Content.Page page)
    {
        var letters = page.Letters;
        var at = new Dictionary<UglyToad.PdfPig.Content.Letter, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < letters.Count; i++)
        {
            at[letters[i]] = i;
        }

        string? pending = null;
        var pendingEnd = -1;
        foreach (var word in page.GetWords())
        {
            var start = word.Letters.Count > 0 && at.TryGetValue(word.Letters[0], out var first) ? first : -1;
            var joined = pending is not null && pendingEnd >= 0 && start > pendingEnd + 1 &&
                Enumerable.Range(pendingEnd + 1, start - pendingEnd - 1).All(i => letters[i].Value == "\u00A0");
            if (pending is not null && !joined)
            {
                yield return pending;
            }

            pending = joined ? pending + NoBreakSpace + word.Text : word.Text;
            pendingEnd = word.Letters.Count > 0 && at.TryGetValue(word.Letters[^1], out var last) ? last : -2;
        }

        if (pending is not null)
        {
            yield return pending;
        }
    }

    /// <summary>
    /// Reads the metadata and the figures of the first <paramref name="maxPages"/> pages; null when the bytes are not a
    /// PDF PdfPig can read.
    /// </summary>
    public static Reading? Read(byte[] pdf, int maxPages = int.MaxValue)
    {
        try
        {
            using var document = PdfDocument.Open(pdf);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, token) in document.Information.DocumentInformationDictionary?.Data ?? new Dictionary<string, IToken>())
            {
                if (token switch { StringToken s => s.Data, HexToken h => h.Data, NameToken n => n.Data, _ => null } is { } value)
                {
                    metadata[key] = value;
                }
            }

            var pages = new List<IReadOnlyList<string>>();
            for (var number = 1; number <= Math.Min(document.NumberOfPages, maxPages); number++)
            {
                pages.Add(Words(document.GetPage(number)).SelectMany(w => Figure().Matches(w).Select(m => m.Value)).ToList());
            }

            return new Reading(metadata, document.NumberOfPages, pages);
        }
        // The bytes come from whoever uploads them, and a parser fed arbitrary bytes can fail in any way (format,
        // index, cast, overflow, null reference...): any failure means "not a PDF this ledger could have generated".
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            return null;
        }
    }

    /// <summary>
    /// Page by page, the printed figures that differ from the recomputed ones (a changed figure pairs what was printed
    /// with what the ledger yields; a figure only one side has pairs with null), the first <paramref name="max"/> of
    /// them, and how many there are in all.
    /// </summary>
    public static (IReadOnlyList<FigureDifference> First, int Count) Compare(Reading printed, Reading recomputed, int max)
    {
        var differences = new List<FigureDifference>();
        var count = 0;
        if (printed.PageCount != recomputed.PageCount)
        {
            count++;
            differences.Add(new FigureDifference("page count", null, printed.PageCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                recomputed.PageCount.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        for (var page = 0; page < Math.Max(printed.Pages.Count, recomputed.Pages.Count); page++)
        {
            foreach (var (was, shouldBe) in Diff(printed.Pages.ElementAtOrDefault(page) ?? [], recomputed.Pages.ElementAtOrDefault(page) ?? []))
            {
                count++;
                if (differences.Count < max)
                {
                    differences.Add(new FigureDifference($"page {page + 1}", page + 1, was, shouldBe));
                }
            }
        }

        return (differences.Take(max).ToList(), count);
    }

    /// <summary>A longest-common-subsequence diff, so one changed or missing figure does not shift every later one.</summary>
    private static IEnumerable<(string? Printed, string? Recomputed)> Diff(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        if ((long)a.Count * b.Count > 4_000_000)
        {
            // Far beyond any real page: compare position by position rather than spend the memory.
            for (var i = 0; i < Math.Max(a.Count, b.Count); i++)
            {
                var (x, y) = (a.ElementAtOrDefault(i), b.ElementAtOrDefault(i));
                if (x != y)
                {
                    yield return (x, y);
                }
            }

            yield break;
        }

        var common = new int[a.Count + 1, b.Count + 1];
        for (var i = a.Count - 1; i >= 0; i--)
        {
            for (var j = b.Count - 1; j >= 0; j--)
            {
                common[i, j] = a[i] == b[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
            }
        }

        var (onlyPrinted, onlyRecomputed) = (new List<string>(), new List<string>());
        IEnumerable<(string?, string?)> Flush()
        {
            for (var k = 0; k < Math.Max(onlyPrinted.Count, onlyRecomputed.Count); k++)
            {
                yield return (onlyPrinted.ElementAtOrDefault(k), onlyRecomputed.ElementAtOrDefault(k));
            }

            onlyPrinted.Clear();
            onlyRecomputed.Clear();
        }

        var (p, q) = (0, 0);
        while (p < a.Count || q < b.Count)
        {
            if (p < a.Count && q < b.Count && a[p] == b[q])
            {
                foreach (var pair in Flush().ToList())
                {
                    yield return pair;
                }

                p++;
                q++;
            }
            else if (q >= b.Count || (p < a.Count && common[p + 1, q] >= common[p, q + 1]))
            {
                onlyPrinted.Add(a[p++]);
            }
            else
            {
                onlyRecomputed.Add(b[q++]);
            }
        }

        foreach (var pair in Flush().ToList())
        {
            yield return pair;
        }
    }
}
