namespace GrantLedger.Reports.Composition;

/// <summary>A report as blocks to lay out; the composer decides pages. Figures arrive already formatted.</summary>
public sealed record ReportDocument(string Title, string Subtitle, ReportStamp Stamp, IReadOnlyList<Block> Blocks);

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
