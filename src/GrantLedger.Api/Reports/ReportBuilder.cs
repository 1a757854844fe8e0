using GrantLedger.Api.Audit;
using GrantLedger.Api.Http;
using GrantLedger.Reports.Composition;
using GrantLedger.Reports.Models;
using JasperFx.Events;
using Marten;
using NodaTime;

namespace GrantLedger.Api.Reports;

/// <summary>Builds a report's model from the events recorded up to its as-of instant, and renders it.</summary>
public static class ReportBuilder
{
    public sealed record Built(object Model, string Hash, long Position, byte[] Pdf, int Pages);

    /// <summary>
    /// Ledger events recorded at or before the instant, in store order: the ledger exactly as it stood then. The records
    /// of reports themselves are left out, so generating a report never changes what a report shows.
    /// </summary>
    public static async Task<IReadOnlyList<IEvent>> EventsAsOf(IQuerySession session, Instant asOf, CancellationToken cancellation)
    {
        var cutoff = asOf.ToDateTimeOffset();
        var events = await session.Events.QueryAllRawEvents().Where(e => e.Timestamp <= cutoff).OrderBy(e => e.Sequence).ToListAsync(cancellation);
        return events.Where(e => e.Data is not ReportGenerated).ToList();
    }

    /// <summary>
    /// The report's model as of its instant. The programme financial and milestone status reports start from the nearest
    /// report checkpoint and fold only the events after it (<see cref="ReportCheckpoints"/>); the others, and any report
    /// with no usable checkpoint, fold every event up to the instant. Both give the same model, hash and position.
    /// </summary>
    public static async Task<(object Model, string Hash, long Position)> ModelAsOf(IQuerySession session, ReportScope scope,
        ReportCheckpoints checkpoints, CancellationToken cancellation) =>
        LedgerCheckpoint.Serves(scope.Kind) && await checkpoints.StateAsOfAsync(session, scope.AsOf, cancellation) is { } resumed
            ? Model(scope, resumed.State)
            : Model(scope, await EventsAsOf(session, scope.AsOf, cancellation));

    public static (object Model, string Hash, long Position) Model(ReportScope scope, IReadOnlyList<IEvent> events)
    {
        var state = LedgerState.Fold(events.Select(e => new RecordedEvent(e.Sequence, Instant.FromDateTimeOffset(e.Timestamp), e.StreamId, e.Data)));
        return scope.Kind == ReportKind.AuditTrail ? Hashed(AuditTrail(scope, events, state), state) : Model(scope, state);
    }

    /// <summary>A report that needs the ledger's state only (every kind but the audit trail, which lists the events).</summary>
    public static (object Model, string Hash, long Position) Model(ReportScope scope, LedgerState state) => Hashed(scope.Kind switch
    {
        ReportKind.ProgrammeFinancial => ReportModels.ProgrammeFinancial(state, scope.ProgrammeId!.Value, scope.AsOf),
        ReportKind.GranteeStatement => ReportModels.GranteeStatement(state, scope.GrantId!.Value, scope.AsOf),
        ReportKind.MilestoneStatus => ReportModels.MilestoneStatus(state, scope.ProgrammeId!.Value, scope.AsOf),
        _ => throw new ArgumentException($"The {scope.Kind} report lists events: build it from them.", nameof(scope)),
    }, state);

    private static (object Model, string Hash, long Position) Hashed(object model, LedgerState state) => (model, Hash(model), state.Position);

    public static string Hash(object model) => model switch
    {
        ProgrammeFinancialModel m => ReportModels.Hash(m),
        GranteeStatementModel m => ReportModels.Hash(m),
        MilestoneStatusModel m => ReportModels.Hash(m),
        AuditTrailModel m => ReportModels.Hash(m),
        _ => throw new ArgumentException(model.GetType().Name),
    };

    /// <summary>The audit trail as the API and the CSV list it (<see cref="AuditTrailQuery"/>), over the events as of the instant.</summary>
    private static AuditTrailModel AuditTrail(ReportScope scope, IReadOnlyList<IEvent> events, LedgerState state) =>
        new(new ReportHeader(ReportKind.AuditTrail, "Audit trail", AuditScope(scope, state), scope.AsOf, "UTC", state.Position), scope.From, scope.To,
            AuditQuery(scope).Select(events)
                .Select(e => new AuditLine(e.Sequence, Instant.FromDateTimeOffset(e.Timestamp), e.EventTypeName, AuditTrailQuery.ActorOf(e) ?? "",
                    Header(e, SessionMetadata.RoleHeader) ?? "", Header(e, SessionMetadata.ReasonHeader) ?? "", e.StreamId))
                .ToList());

    /// <summary>The audit trail a report asks for: its period and scope, as of its instant.</summary>
    private static AuditTrailQuery AuditQuery(ReportScope scope) =>
        new(scope.From, scope.To, scope.AsOf, GrantId: scope.GrantId, ProgrammeId: scope.ProgrammeId);

    private static string AuditScope(ReportScope scope, LedgerState state) => (scope.GrantId, scope.ProgrammeId) switch
    {
        ({ } grant, _) => state.Grants.TryGetValue(grant, out var g) ? $"Grant: {g.Grantee} – {g.Title}" : $"Grant {grant}",
        (null, { } programme) => state.Programmes.TryGetValue(programme, out var p) ? $"{p.Code} – {p.Name}" : $"Programme {programme}",
        _ => "All programmes and grants",
    };

    private static string? Header(IEvent e, string key) => e.Headers?.TryGetValue(key, out var value) == true ? value?.ToString() : null;

    /// <summary>
    /// Deterministic: the same model, hash, position, seal (report id, signed chain head) and language give the same bytes.
    /// </summary>
    public static Built Render(object model, string hash, long position, ReportSeal? seal = null, ReportLanguage? language = null)
    {
        var pdf = PdfComposer.Render(ReportLayouts.Layout(model, hash, seal, language));
        using var read = PdfSharp.Pdf.IO.PdfReader.Open(new MemoryStream(pdf), PdfSharp.Pdf.IO.PdfDocumentOpenMode.Import);
        return new Built(model, hash, position, pdf, read.PageCount);
    }
}
