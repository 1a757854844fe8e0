using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using GrantLedger.Domain;

namespace GrantLedger.Api.Http;

/// <summary>
/// Reads an uploaded CSV (RFC 4180, UTF-8, header row, comma or semicolon) into named columns with CsvHelper, and
/// collects every unreadable cell as a row error rather than stopping at the first.
/// </summary>
public static class CsvImport
{
    public sealed record Row(int Number, IReadOnlyDictionary<string, string> Cells)
    {
        public string? Cell(string column) => Cells.TryGetValue(column, out var value) && value.Length > 0 ? value : null;
    }

    public static async Task<(IReadOnlyList<Row> Rows, List<RowError> Errors)> Read(Stream body, IReadOnlyList<string> required, CancellationToken cancellation)
    {
        using var reader = new StreamReader(body, detectEncodingFromByteOrderMarks: true);
        var text = await reader.ReadToEndAsync(cancellation);
        var delimiter = text.Split('\n', 2)[0].Count(c => c == ';') > text.Split('\n', 2)[0].Count(c => c == ',') ? ";" : ",";
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = delimiter,
            PrepareHeaderForMatch = args => args.Header.Trim().ToLowerInvariant(),
            TrimOptions = TrimOptions.Trim,
            BadDataFound = null,
            MissingFieldFound = null,
        };
        using var csv = new CsvReader(new StringReader(text), config);
        var rows = new List<Row>();
        var errors = new List<RowError>();
        if (!await csv.ReadAsync() || !csv.ReadHeader())
        {
            errors.Add(new RowError(0, "header", $"The file is empty; expected a header row with {string.Join(", ", required)}."));
            return (rows, errors);
        }

        var headers = csv.HeaderRecord!.Select(h => h.Trim().ToLowerInvariant()).ToList();
        foreach (var missing in required.Where(r => !headers.Contains(r.ToLowerInvariant())))
        {
            errors.Add(new RowError(0, missing, $"The header row has no column {missing}."));
        }

        var number = 0;
        while (errors.Count == 0 && await csv.ReadAsync())
        {
            number++;
            rows.Add(new Row(number, headers.Select((h, i) => (h, Value: csv.GetField(i) ?? "")).ToDictionary(x => x.h, x => x.Value.Trim())));
        }

        return (rows, errors);
    }

    public static decimal? Decimal(Row row, string column, List<RowError> errors)
    {
        var text = row.Cell(column);
        // A dot for decimals and no thousands separators: "85,1234" must not quietly become 851234.
        if (text is not null && !text.Contains(',') &&
            decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        errors.Add(new RowError(row.Number, column, text is null ? "is required." : $"\"{text}\" is not a number: use a dot for decimals and no thousands separators (e.g. 85.1234)."));
        return null;
    }

    public static T? Parsed<T>(Row row, string column, NodaTime.Text.IPattern<T> pattern, string example, List<RowError> errors) where T : struct
    {
        var text = row.Cell(column);
        var parsed = text is null ? null : pattern.Parse(text);
        if (parsed is { Success: true })
        {
            return parsed.Value;
        }

        errors.Add(new RowError(row.Number, column, text is null ? "is required." : $"\"{text}\" is not a date like {example}."));
        return null;
    }
}
