using System.Globalization;
using GrantLedger.Api.Http;
using GrantLedger.Api.Reports;
using GrantLedger.Domain.Currencies;
using GrantLedger.Domain.Grants;
using GrantLedger.Reports.Models;
using Marten;
using NodaTime;
using NodaTime.Text;
using Npgsql;

namespace GrantLedger.Api.Exports;

/// <summary>What one request asks of an export, checked before the body starts: scope, period, actor, and where to read.</summary>
public sealed record CsvExportRequest(ExportScope Scope, ExportPeriod Period, string? Actor, IQuerySession Session, IDocumentStore Store,
    NpgsqlDataSource DataSource, IServiceProvider Services);

/// <summary>The <c>from</c>/<c>to</c> of an export (to exclusive): recorded instants for the audit trail, dates otherwise.</summary>
public sealed record ExportPeriod(Instant? From = null, Instant? To = null, LocalDate? FromDate = null, LocalDate? ToDate = null)
{
    public static readonly ExportPeriod Whole = new();

    public bool Contains(LocalDate date) => (FromDate is null || date >= FromDate) && (ToDate is null || date < ToDate);

    /// <summary>Value or expense dates, for the exports whose rows have one.</summary>
    public static (ExportPeriod? Period, IResult? Problem) Dates(string kind, string? from, string? to)
    {
        var (fromDate, toDate) = (from is null ? null : LocalDatePattern.Iso.Parse(from), to is null ? null : LocalDatePattern.Iso.Parse(to));
        return fromDate is { Success: false } || toDate is { Success: false }
            ? (null, Problems.BadRequest("malformed-request", $"from and to must be dates such as 2021-01-31 for {kind} (value or expense dates; to is exclusive)."))
            : (new ExportPeriod(FromDate: fromDate?.Value, ToDate: toDate?.Value), null);
    }
}

/// <summary>One CSV export as <c>GET /api/exports/{kind}.csv</c> serves it: its header row, its rows, and what it accepts.</summary>
public interface ICsvExport
{
    string Kind { get; }

    IReadOnlyList<string> Headers { get; }

    /// <summary>Grantees may export it for their own grant (with <c>grantId</c>).</summary>
    bool GranteesMayAsk { get; }

    /// <summary>It can be narrowed to who recorded the events (<c>actor</c>).</summary>
    bool NarrowsByActor { get; }

    (ExportPeriod? Period, IResult? Problem) Period(string? from, string? to);

    IAsyncEnumerable<string?[]> Rows(CsvExportRequest request, CancellationToken cancellation);
}

/// <summary>An export whose columns are defined beside the row they read: a header and how to write its cell.</summary>
public abstract class CsvExport<TRow> : ICsvExport
{
    public abstract string Kind { get; }

    public IReadOnlyList<string> Headers => [.. Columns.Select(c => c.Header)];

    public virtual bool GranteesMayAsk => true;

    public virtual bool NarrowsByActor => false;

    protected abstract IReadOnlyList<(string Header, Func<TRow, string?> Cell)> Columns { get; }

    public abstract (ExportPeriod? Period, IResult? Problem) Period(string? from, string? to);

    public async IAsyncEnumerable<string?[]> Rows(CsvExportRequest request,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation)
    {
        var columns = Columns;
        await foreach (var row in Read(request, cancellation).WithCancellation(cancellation))
        {
            yield return [.. columns.Select(c => c.Cell(row))];
        }
    }

    protected abstract IAsyncEnumerable<TRow> Read(CsvExportRequest request, CancellationToken cancellation);

    /// <summary>
    /// The grants in scope from the same fold as the reports (all events up to the instant in memory, as for a PDF), in
    /// programme code, grantee and id order, with the rate table: for the exports that need rates and every review.
    /// </summary>
    protected static async Task<(FxRateTable Rates, IEnumerable<(string Programme, Grant Grant)> Grants)> FoldedGrants(CsvExportRequest request,
        CancellationToken cancellation)
    {
        var scope = request.Scope;
        var events = await ReportBuilder.EventsAsOf(request.Session, scope.AsOf, cancellation);
        var state = LedgerState.Fold(events.Select(e => new RecordedEvent(e.Sequence, NodaTime.Instant.FromDateTimeOffset(e.Timestamp), e.StreamId, e.Data)));
        var grants = state.Grants.Values
            .Where(g => (scope.Grant is null || g.Id == scope.Grant.Id) && (scope.Programme is null || g.ProgrammeId == scope.Programme.Id))
            .OrderBy(g => state.Programmes.GetValueOrDefault(g.ProgrammeId)?.Code, StringComparer.Ordinal).ThenBy(g => g.Grantee, StringComparer.Ordinal)
            .ThenBy(g => g.Id)
            .Select(g => (state.Programmes.GetValueOrDefault(g.ProgrammeId)?.Code ?? "", g));
        return (state.Rates, grants);
    }

    protected static string? Amount(decimal? value) => value?.ToString("0.00", CultureInfo.InvariantCulture);

    protected static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    protected static string Date(LocalDate date) => LocalDatePattern.Iso.Format(date);

    protected static string Instant(Instant instant) => InstantPattern.ExtendedIso.Format(instant);
}
