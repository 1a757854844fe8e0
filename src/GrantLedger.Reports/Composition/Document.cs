namespace GrantLedger.Reports.Composition;

/// <summary>A report as blocks to lay out; the composer decides pages. Figures arrive already formatted.</summary>
/// <param name="Chrome">The texts the composer itself prints on every page, in the report's language; English when none.</param>
public sealed record ReportDocument(string Title, string Subtitle, ReportStamp Stamp, IReadOnlyList<Block> Blocks, PageChrome? Chrome = null)
{
    public PageChrome Texts => Chrome ?? PageChrome.English;
}

/// <summary>
/// What every page says around the content, in the report's language: the footer line (position and hash) and
/// "Page x of y" as composite formats, and the language tag written into the PDF (catalog <c>/Lang</c>, XMP <c>dc:language</c>).
/// </summary>
/// <param name="Footer">A format with <c>{0}</c> for the event-store position and <c>{1}</c> for the hash.</param>
/// <param name="PageOf">A format with <c>{0}</c> for the page number and <c>{1}</c> for the page count.</param>
public sealed record PageChrome(string Language, string Footer, string PageOf)
{
    public static readonly PageChrome English = new("en", "Event-store position {0} · SHA-256 {1}", "Page {0} of {1}");
}

/// <summary>What makes a report verifiable, shown on every page and stored in the PDF metadata.</summary>
/// <param name="AsOf">The as-of instant as a reader sees it, in the programme's time zone and in UTC.</param>
/// <param name="Position">The event-store position (last event sequence) the figures were built from.</param>
/// <param name="Hash">SHA-256 over the canonical report model (the figures, not the PDF bytes).</param>
/// <param name="Metadata">Custom metadata keys written into the PDF's information dictionary.</param>
public sealed record ReportStamp(string AsOf, long Position, string Hash, DateTimeOffset CreatedFor, IReadOnlyDictionary<string, string> Metadata);

public abstract record Block;

public sealed record Heading(string Text, int Level = 1) : Block;

public sealed record Paragraph(string Text, bool Bold = false, bool Muted = false) : Block;

/// <summary>Label and value pairs, two columns.</summary>
public sealed record Facts(IReadOnlyList<KeyValuePair<string, string>> Rows) : Block;

public enum Align
{
    Left,
    Right,
}

/// <summary>A column; <paramref name="Width"/> is relative to the other columns'.</summary>
public sealed record Column(string Title, double Width, Align Align = Align.Left);

/// <summary>A table whose header row is repeated on every page it runs onto; an optional totals row closes it.</summary>
public sealed record Table(IReadOnlyList<Column> Columns, IReadOnlyList<IReadOnlyList<string>> Rows, IReadOnlyList<string>? Totals = null) : Block;

public sealed record Series(string Name, IReadOnlyList<decimal> Values, bool Dashed = false);

/// <summary>Lines over a shared x axis (e.g. cumulative disbursement against plan, by month). Drawn as vectors.</summary>
public sealed record LineChart(string Title, IReadOnlyList<string> XLabels, IReadOnlyList<Series> Series, string Unit) : Block;

/// <summary>Grouped bars, one group per category (e.g. per grantee: awarded, disbursed, spent). Drawn as vectors.</summary>
public sealed record BarChart(string Title, IReadOnlyList<string> Categories, IReadOnlyList<Series> Series, string Unit) : Block;

public sealed record PageBreak : Block;
