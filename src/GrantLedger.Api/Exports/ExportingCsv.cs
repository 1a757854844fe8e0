using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using GrantLedger.Api.Audit;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Reports;
using GrantLedger.Domain.Budgets;
using GrantLedger.Domain.Currencies;
using GrantLedger.Domain.Expenditure;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using GrantLedger.Reports.Models;
using JasperFx.Events;
using Marten;
using Marten.Events;
using Microsoft.AspNetCore.Authorization;
using NodaTime;
using NodaTime.Text;
using Npgsql;
using Wolverine.Http;

namespace GrantLedger.Api.Exports;

/// <summary>
/// CSV exports for spreadsheets (RFC 4180: comma, CRLF, quotes by CsvHelper; UTF-8, a BOM with <c>bom=true</c> for
/// Excel; amounts in EUR with two decimals and a dot). Built from the events recorded up to <c>asOf</c>, as the PDF
/// reports are, and written to the response as they are produced.
/// </summary>
public static class ExportCsvEndpoint
{
    public const string LedgerEntries = "ledger-entries";
    public const string Expenditure = "expenditure";
    public const string BudgetVsActual = "budget-vs-actual";
    public const string AuditTrail = "audit-trail";

    public static readonly IReadOnlyList<string> Kinds = [LedgerEntries, Expenditure, BudgetVsActual, AuditTrail];

    private const int FlushEvery = 1_000;

    private static readonly CsvConfiguration Csv = new(CultureInfo.InvariantCulture)
    {
        NewLine = "\r\n",
        // A cell starting with = + @ would be run as a formula by a spreadsheet; '-' is left alone so negative amounts stay numbers.
        InjectionOptions = InjectionOptions.Escape,
        InjectionCharacters = ['=', '+', '@', '\t', '\r'],
    };

    /// <summary>
    /// <c>kind</c>: ledger-entries, expenditure, budget-vs-actual or audit-trail. <c>programmeId</c>/<c>grantId</c>
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
        if (!Kinds.Contains(kind))
        {
            return Problems.BadRequest("malformed-request", $"There is no export {kind}: use {string.Join(", ", Kinds)}.");
        }

        if (bom is not (null or "true" or "false"))
        {
            return Problems.BadRequest("malformed-request", "bom must be true or false.");
        }

        var bounds = Bounds(kind, from, to);
        if (bounds.Problem is { } malformed)
        {
            return malformed;
        }

        if (actor is not null && kind != AuditTrail)
        {
            return Problems.BadRequest("malformed-request", "actor applies to the audit trail only.");
        }

        var (scope, problem) = await ExportScope.Resolve(asOf, programmeId, grantId, kind != AuditTrail, session, clock, principal);
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
            var rows = kind switch
            {
                LedgerEntries => LedgerEntryRows(reading, scope!, bounds.FromDate, bounds.ToDate, cancellation),
                // ExportScope also loads a grant's programme; the grant alone scopes its trail, as in GET /api/audit.
                AuditTrail => AuditRows(new AuditTrailQuery(bounds.From, bounds.To, scope!.AsOf, string.IsNullOrWhiteSpace(actor) ? null : actor,
                    scope.Grant?.Id, scope.Grant is null ? scope.Programme?.Id : null), store, dataSource, cancellation),
                _ => FoldedRows(kind, reading, scope!, bounds.FromDate, bounds.ToDate, cancellation),
            };
            await Write(body, withBom, Columns(kind), rows, cancellation);
        }, "text/csv; charset=utf-8", scope!.FileName(kind, "csv"));
    }

    public static IReadOnlyList<string> Columns(string kind) => kind switch
    {
        LedgerEntries =>
        [
            "sequence", "recordedAt", "programme", "grantId", "grantee", "entry", "disbursementId", "tranche", "valueDate", "bankReference",
            "amount", "currency", "recordedBy", "approvedBy", "note",
        ],
        Expenditure =>
        [
            "programme", "grantId", "grantee", "reportId", "periodStart", "periodEnd", "entryId", "date", "budgetLine", "heading", "description",
            "amount", "currency", "status", "reason", "eurAtDonorRate", "spentEurAtDonorRate", "spentEurAtActualRate", "fxDifference",
        ],
        BudgetVsActual =>
        [
            "programme", "grantId", "grantee", "budgetLine", "heading", "description", "planned", "spentAtDonorRate", "spentAtActualRate",
            "fxDifference", "remaining", "pendingReview", "unvaluedEntries",
        ],
        _ => ["sequence", "recordedAt", "eventType", "streamId", "actor", "role", "reason", "correlationId"],
    };

    private sealed record Period(Instant? From, Instant? To, LocalDate? FromDate, LocalDate? ToDate, IResult? Problem);

    private static Period Bounds(string kind, string? from, string? to)
    {
        if (kind == AuditTrail)
        {
            var (f, t) = (Audit.AuditTrailEndpoint.ParseBound(from), Audit.AuditTrailEndpoint.ParseBound(to));
            return f is { Success: false } || t is { Success: false }
                ? new(null, null, null, null, Problems.BadRequest("malformed-request", "from and to must be ISO instants (2021-01-31T18:00:00Z) or dates (2021-01-31)."))
                : new(f?.Value, t?.Value, null, null, null);
        }

        if (kind == BudgetVsActual)
        {
            return from is null && to is null
                ? new(null, null, null, null, null)
                : new(null, null, null, null, Problems.BadRequest("malformed-request", "from and to do not apply to budget-vs-actual: it is the whole grant as of asOf."));
        }

        var (fromDate, toDate) = (from is null ? null : LocalDatePattern.Iso.Parse(from), to is null ? null : LocalDatePattern.Iso.Parse(to));
        return fromDate is { Success: false } || toDate is { Success: false }
            ? new(null, null, null, null, Problems.BadRequest("malformed-request", $"from and to must be dates such as 2021-01-31 for {kind} (value or expense dates; to is exclusive)."))
            : new(null, null, fromDate?.Value, toDate?.Value, null);
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
                csv.WriteField(field);
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

    /// <summary>
    /// Disbursements that were paid (recorded, or approved by a second person) and reversals (negative), streamed from
    /// the events in store order: the amounts add up to the ledger's disbursed figure as of the instant. Only small maps
    /// are kept: programmes, grants, tranche numbers, payments awaiting approval and each paid payment's value date and
    /// reference (a reversal row repeats them).
    /// </summary>
    private static async IAsyncEnumerable<string?[]> LedgerEntryRows(IQuerySession session, ExportScope scope, LocalDate? from, LocalDate? to,
        [EnumeratorCancellation] CancellationToken cancellation)
    {
        var programmes = new Dictionary<Guid, string>();
        var grants = new Dictionary<Guid, (string Programme, string Grantee)>();
        var tranches = new Dictionary<Guid, int>();
        var pending = new Dictionary<Guid, DisbursementSubmittedForApproval>();
        var paid = new Dictionary<Guid, (LocalDate ValueDate, string Reference, int? Tranche)>();
        bool InPeriod(LocalDate date) => (from is null || date >= from) && (to is null || date < to);
        int? Tranche(Guid? id) => id is { } t && tranches.TryGetValue(t, out var number) ? number : null;

        var events = session.Events.QueryAllRawEvents()
            .Where(e => e.Timestamp <= scope.AsOf.ToDateTimeOffset())
            .Where(e => e.EventTypesAre(typeof(ProgrammeOpened), typeof(GrantAwarded), typeof(TrancheAdded), typeof(TranchePlanAmended),
                typeof(DisbursementRecorded), typeof(DisbursementSubmittedForApproval), typeof(DisbursementApproved), typeof(DisbursementRejected),
                typeof(DisbursementReversed)))
            .OrderBy(e => e.Sequence)
            .ToAsyncEnumerable(cancellation);
        await foreach (var e in events)
        {
            switch (e.Data)
            {
                case ProgrammeOpened opened:
                    programmes[opened.ProgrammeId] = opened.Code;
                    continue;
                case GrantAwarded awarded when (scope.Grant is null || scope.Grant.Id == awarded.GrantId)
                                               && (scope.Programme is null || scope.Programme.Id == awarded.ProgrammeId):
                    grants[awarded.GrantId] = (programmes.GetValueOrDefault(awarded.ProgrammeId, ""), awarded.Grantee);
                    continue;
            }

            if (!grants.TryGetValue(e.StreamId, out var grant))
            {
                continue;
            }

            string?[] Row(string entry, Guid disbursementId, int? tranche, LocalDate valueDate, string reference, decimal amount, string currency,
                string? recordedBy, string? approvedBy, string? note) =>
            [
                Number(e.Sequence), Instant(e.Timestamp), grant.Programme, e.StreamId.ToString(), grant.Grantee, entry, disbursementId.ToString(),
                tranche?.ToString(CultureInfo.InvariantCulture), Date(valueDate), reference, Amount(amount), currency, recordedBy, approvedBy, note,
            ];

            switch (e.Data)
            {
                case TrancheAdded added:
                    tranches[added.TrancheId] = added.Number;
                    break;
                case TranchePlanAmended amended:
                    amended.Tranches.ToList().ForEach(t => tranches[t.Id] = t.Number);
                    break;
                case DisbursementSubmittedForApproval submitted:
                    pending[submitted.DisbursementId] = submitted;
                    break;
                case DisbursementRejected rejected:
                    pending.Remove(rejected.DisbursementId);
                    break;
                case DisbursementRecorded recorded:
                    paid[recorded.DisbursementId] = (recorded.ValueDate, recorded.BankReference, Tranche(recorded.TrancheId));
                    if (InPeriod(recorded.ValueDate))
                    {
                        yield return Row("disbursement", recorded.DisbursementId, Tranche(recorded.TrancheId), recorded.ValueDate, recorded.BankReference,
                            recorded.Amount.Amount, recorded.Amount.Currency, Actor(e), null, recorded.Note);
                    }

                    break;
                case DisbursementApproved approved when pending.Remove(approved.DisbursementId, out var submitted):
                    paid[approved.DisbursementId] = (submitted.ValueDate, submitted.BankReference, Tranche(submitted.TrancheId));
                    if (InPeriod(submitted.ValueDate))
                    {
                        yield return Row("disbursement", approved.DisbursementId, Tranche(submitted.TrancheId), submitted.ValueDate, submitted.BankReference,
                            approved.Amount.Amount, approved.Amount.Currency, submitted.RecordedBy, approved.ApprovedBy, submitted.Note);
                    }

                    break;
                case DisbursementReversed reversed when paid.TryGetValue(reversed.DisbursementId, out var original):
                    if (InPeriod(original.ValueDate))
                    {
                        yield return Row("reversal", reversed.DisbursementId, original.Tranche, original.ValueDate, original.Reference,
                            -reversed.Amount.Amount, reversed.Amount.Currency, Actor(e), null, reversed.Reason);
                    }

                    break;
            }
        }
    }

    /// <summary>The audit trail (<see cref="AuditTrailQuery"/>, as the API and the audit-trail PDF list it), streamed in store order.</summary>
    private static async IAsyncEnumerable<string?[]> AuditRows(AuditTrailQuery query, IDocumentStore store, NpgsqlDataSource dataSource,
        [EnumeratorCancellation] CancellationToken cancellation)
    {
        await foreach (var e in query.Read(store, dataSource, cancellation))
        {
            yield return
            [
                Number(e.Sequence), InstantPattern.ExtendedIso.Format(e.RecordedAt), e.EventType, e.StreamId.ToString(), e.Actor ?? "", e.Role ?? "",
                e.Reason ?? "", e.CorrelationId,
            ];
        }
    }

    /// <summary>Expenditure entries and budget against actual need the rates and every review: they come from the same
    /// fold as the reports (all events up to the instant in memory, as for a PDF); the rows are written as they go.</summary>
    private static async IAsyncEnumerable<string?[]> FoldedRows(string kind, IQuerySession session, ExportScope scope, LocalDate? from, LocalDate? to,
        [EnumeratorCancellation] CancellationToken cancellation)
    {
        var events = await ReportBuilder.EventsAsOf(session, scope.AsOf, cancellation);
        var state = LedgerState.Fold(events.Select(e => new RecordedEvent(e.Sequence, NodaTime.Instant.FromDateTimeOffset(e.Timestamp), e.StreamId, e.Data)));
        var grants = state.Grants.Values
            .Where(g => (scope.Grant is null || g.Id == scope.Grant.Id) && (scope.Programme is null || g.ProgrammeId == scope.Programme.Id))
            .OrderBy(g => state.Programmes.GetValueOrDefault(g.ProgrammeId)?.Code, StringComparer.Ordinal).ThenBy(g => g.Grantee, StringComparer.Ordinal)
            .ThenBy(g => g.Id);
        foreach (var grant in grants)
        {
            var programme = state.Programmes.GetValueOrDefault(grant.ProgrammeId)?.Code ?? "";
            var rows = kind == Expenditure ? ExpenditureRows(programme, grant, state.Rates, from, to) : BudgetRows(programme, grant, state.Rates);
            foreach (var row in rows)
            {
                yield return row;
            }
        }
    }

    public static IEnumerable<string?[]> ExpenditureRows(string programme, Grant grant, FxRateTable rates, LocalDate? from, LocalDate? to)
    {
        var valuation = new Valuation(rates, Domain.Budgets.BudgetVsActual.ArrivalRates(grant, rates));
        var lines = grant.Budget?.Lines.ToDictionary(l => l.LineId) ?? [];
        foreach (var report in grant.ExpenditureReports)
        {
            foreach (var entry in report.Entries.Where(e => (from is null || e.Entry.Date >= from) && (to is null || e.Entry.Date < to)))
            {
                var line = lines.GetValueOrDefault(entry.Entry.BudgetLineId);
                var donor = valuation.AtDonorRate(entry.Entry.Amount, entry.Entry.Date);
                var actual = valuation.AtActualRate(entry.Entry.Amount);
                var accepted = entry.Status == EntryStatus.Accepted;
                yield return
                [
                    programme, grant.Id.ToString(), grant.Grantee, report.ReportId.ToString(), Date(report.PeriodStart), Date(report.PeriodEnd),
                    entry.Entry.EntryId.ToString(), Date(entry.Entry.Date), line?.Code, line?.Heading, entry.Entry.Description,
                    Amount(entry.Entry.Amount.Amount), entry.Entry.Amount.Currency, entry.Status.ToString().ToLowerInvariant(), entry.Reason,
                    Amount(donor?.Amount), accepted ? Amount(donor?.Amount) : null, accepted ? Amount(actual?.Amount) : null,
                    accepted && donor is not null && actual is not null ? Amount(actual.Value.Amount - donor.Value.Amount) : null,
                ];
            }
        }
    }

    public static IEnumerable<string?[]> BudgetRows(string programme, Grant grant, FxRateTable rates) =>
        Domain.Budgets.BudgetVsActual.For(grant, rates).Lines.Select(l => new[]
        {
            programme, grant.Id.ToString(), grant.Grantee, l.Line.Code, l.Line.Heading, l.Line.Description, Amount(l.Figures.Planned.Amount),
            Amount(l.Figures.SpentAtDonorRate.Amount), Amount(l.Figures.SpentAtActualRate.Amount), Amount(l.Figures.FxDifference.Amount),
            Amount(l.Figures.Remaining.Amount), Amount(l.Figures.PendingReview.Amount), Number(l.Figures.UnvaluedEntries),
        });

    private static string? Actor(IEvent e) => Header(e, SessionMetadata.ActorHeader);

    private static string? Header(IEvent e, string key) => e.Headers?.TryGetValue(key, out var value) == true ? value?.ToString() : null;

    private static string? Amount(decimal? value) => value?.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Date(LocalDate date) => LocalDatePattern.Iso.Format(date);

    private static string Instant(DateTimeOffset timestamp) => InstantPattern.ExtendedIso.Format(NodaTime.Instant.FromDateTimeOffset(timestamp));
}
