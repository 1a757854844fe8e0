using System.Globalization;
using System.Security.Claims;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using Marten;
using Microsoft.AspNetCore.Authorization;
using NodaTime;
using Npgsql;
using Wolverine.Http;

namespace GrantLedger.Api.Exports;

/// <summary>
/// CSV exports for spreadsheets (RFC 4180: comma, CRLF, quotes by CsvHelper; UTF-8, a BOM with <c>bom=true</c> for
/// Excel; amounts in EUR with two decimals and a dot). Built from the events recorded up to <c>asOf</c>, as the PDF
/// reports are, and written to the response as they are produced. Each export is its own <see cref="ICsvExport"/>.
/// </summary>
public static class ExportCsvEndpoint
{
    public static readonly IReadOnlyList<ICsvExport> Exports = [new LedgerEntriesCsv(), new ExpenditureCsv(), new BudgetVsActualCsv(), new AuditTrailCsv(), new JournalCsv()];

    public static readonly IReadOnlyList<string> Kinds = [.. Exports.Select(e => e.Kind)];

    private const int FlushEvery = 1_000;

    private static readonly CsvConfiguration Csv = new(CultureInfo.InvariantCulture)
    {
        NewLine = "\r\n",
        // A cell starting with = + @ tab or CR would be run as a formula by a spreadsheet: it is escaped with a leading
        // quote. '-' is handled in Guarded, so that negative amounts stay numbers while "-2+3+cmd|..." does not run.
        InjectionOptions = InjectionOptions.Escape,
        InjectionCharacters = ['=', '+', '@', '\t', '\r'],
    };

    /// <summary>
    /// <c>kind</c>: ledger-entries, expenditure, budget-vs-actual, audit-trail or journal (the double-entry lines for the books). <c>programmeId</c>/<c>grantId</c>
    /// narrow it; <c>from</c>/<c>to</c> (to exclusive) are value or expense dates for ledger entries and expenditure,
    /// recorded instants or dates for the audit trail; <c>actor</c> narrows the audit trail to who recorded the events.
    /// Grantees export their own grant's ledger entries, expenditure and budget only (with <c>grantId</c>).
    /// </summary>
    [Authorize(Policy = Policies.ReadGrants)]
    [WolverineGet("/api/exports/{kind}.csv")]
    public static async Task<IResult> Get(string kind, string? programmeId, string? grantId, string? from, string? to, string? asOf, string? bom,
        string? actor, IQuerySession session, IDocumentStore store, NpgsqlDataSource dataSource, IClock clock, ClaimsPrincipal principal,
        HttpContext context)
    {
        if (Exports.FirstOrDefault(e => e.Kind == kind) is not { } export)
        {
            return Problems.BadRequest("malformed-request", $"There is no export {kind}: use {string.Join(", ", Kinds)}.");
        }

        if (bom is not (null or "true" or "false"))
        {
            return Problems.BadRequest("malformed-request", "bom must be true or false.");
        }

        var (period, malformed) = export.Period(from, to);
        if (malformed is not null)
        {
            return malformed;
        }

        if (actor is not null && !export.NarrowsByActor)
        {
            return Problems.BadRequest("malformed-request", "actor applies to the audit trail only.");
        }

        var (scope, problem) = await ExportScope.Resolve(asOf, programmeId, grantId, export.GranteesMayAsk, session, clock, principal);
        if (problem is not null)
        {
            return problem;
        }

        var withBom = bom == "true";
        return Results.Stream(async body =>
        {
            // The request's session belongs to the endpoint; the body is written after it returns.
            await using var reading = store.QuerySession();
            var cancellation = context.RequestAborted;
            var rows = export.Rows(new CsvExportRequest(scope!, period!, actor, reading, store, dataSource, context.RequestServices), cancellation);
            await Write(body, withBom, export.Headers, rows, cancellation);
        }, "text/csv; charset=utf-8", scope!.FileName(kind, "csv"));
    }

    private static async Task Write(Stream body, bool bom, IReadOnlyList<string> columns, IAsyncEnumerable<string?[]> rows, CancellationToken cancellation)
    {
        if (bom)
        {
            await body.WriteAsync(Encoding.UTF8.Preamble.ToArray(), cancellation);
        }

        await using var writer = new StreamWriter(body, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        await using var csv = new CsvWriter(writer, Csv);
        foreach (var column in columns)
        {
            csv.WriteField(column);
        }

        await csv.NextRecordAsync();
        var count = 0;
        await foreach (var row in rows.WithCancellation(cancellation))
        {
            foreach (var field in row)
            {
                csv.WriteField(Guarded(field));
            }

            await csv.NextRecordAsync();
            if (++count % FlushEvery == 0)
            {
                await csv.FlushAsync();
                await body.FlushAsync(cancellation);
            }
        }

        await csv.FlushAsync();
    }

    /// <summary>A text cell starting with '-' is escaped like the other formula starts; a plain number (an amount) is not.</summary>
    public static string? Guarded(string? field) =>
        field is ['-', ..] && !decimal.TryParse(field, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _)
            ? "'" + field
            : field;
}
