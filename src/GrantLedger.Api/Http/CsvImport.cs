using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using GrantLedger.Domain;

namespace GrantLedger.Api.Http;

/// <summary>
/// Reads an uploaded CSV (RFC 4180, UTF-8, header row, comma or semicolon) into named columns with CsvHelper, and
/// collects every unreadable cell as a row error rather than stopping at the first. Bounded wherever the file comes
/// from (the API or a page's upload): at most <see cref="InputLimits.CsvBody"/> bytes and <see cref="InputLimits.CsvRows"/>
/// data rows and <see cref="InputLimits.CsvColumns"/> columns (413 beyond any); the importer then bounds each field as its JSON twin is bounded.
/// </summary>
public static class CsvImport
{
    public sealed record Row(int Number, IReadOnlyDictionary<string, string> Cells)
    {
        public string? Cell(string column) => Cells.TryGetValue(column, out var value) && value.Length > 0 ? value : null;
    }

    public static async Task<(IReadOnlyList<Row> Rows, List<RowError> Errors)> Read(Stream body, IReadOnlyList<string> required, CancellationToken cancellation)
    {
        var text = await ReadBounded(body, cancellation);
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

        if (headers.Count > InputLimits.CsvColumns)
        {
            throw new InputLimitExceededException("too-many-columns",
                $"The header row has {headers.Count:N0} columns; an import takes at most {InputLimits.CsvColumns} (docs/api.md, Limits).");
        }

        // A repeated header counts once, by its first column.
        var columns = headers.Select((name, index) => (Name: name, Index: index)).DistinctBy(c => c.Name).ToList();
        var number = 0;
        while (errors.Count == 0 && await csv.ReadAsync())
        {
            number++;
            if (number > InputLimits.CsvRows)
            {
                throw new InputLimitExceededException("too-many-rows",
                    $"The file has more than {InputLimits.CsvRows:N0} data rows, the most one import takes (docs/api.md, Limits): split it.");
            }

            rows.Add(new Row(number, columns.ToDictionary(c => c.Name, c => (csv.GetField(c.Index) ?? "").Trim())));
        }

        return (rows, errors);
    }

    /// <summary>The file as text, refused (413) beyond <see cref="InputLimits.CsvBody"/> bytes without reading further.</summary>
    private static async Task<string> ReadBounded(Stream body, CancellationToken cancellation)
    {
        using var bytes = new MemoryStream();
        var buffer = new byte[81_920];
        int read;
        while ((read = await body.ReadAsync(buffer, cancellation)) > 0)
        {
            if (bytes.Length + read > InputLimits.CsvBody)
            {
                throw new InputLimitExceededException("payload-too-large",
                    $"The file is larger than the {InputLimits.Show(InputLimits.CsvBody)} one CSV import takes (docs/api.md, Limits): split it.");
            }

            bytes.Write(buffer, 0, read);
        }

        bytes.Position = 0;
        using var reader = new StreamReader(bytes, detectEncodingFromByteOrderMarks: true);
        return await reader.ReadToEndAsync(cancellation);
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
