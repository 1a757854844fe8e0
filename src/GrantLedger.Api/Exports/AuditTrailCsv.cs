using System.Runtime.CompilerServices;
using GrantLedger.Api.Audit;
using GrantLedger.Api.Http;

namespace GrantLedger.Api.Exports;

/// <summary>The audit trail (<see cref="AuditTrailQuery"/>, as the API and the audit-trail PDF list it), streamed in store order.</summary>
public sealed class AuditTrailCsv : CsvExport<AuditEntry>
{
    public override string Kind => "audit-trail";

    public override bool GranteesMayAsk => false;

    public override bool NarrowsByActor => true;

    protected override IReadOnlyList<(string Header, Func<AuditEntry, string?> Cell)> Columns { get; } =
    [
        ("sequence", e => Number(e.Sequence)),
        ("recordedAt", e => Instant(e.RecordedAt)),
        ("eventType", e => e.EventType),
        ("streamId", e => e.StreamId.ToString()),
        ("actor", e => e.Actor ?? ""),
        ("role", e => e.Role ?? ""),
        ("reason", e => e.Reason ?? ""),
        ("correlationId", e => e.CorrelationId),
    ];

    /// <summary>Recorded instants or dates.</summary>
    public override (ExportPeriod? Period, IResult? Problem) Period(string? from, string? to)
    {
        var (f, t) = (AuditTrailEndpoint.ParseBound(from), AuditTrailEndpoint.ParseBound(to));
        return f is { Success: false } || t is { Success: false }
            ? (null, Problems.BadRequest("malformed-request", "from and to must be ISO instants (2021-01-31T18:00:00Z) or dates (2021-01-31)."))
            : (new ExportPeriod(From: f?.Value, To: t?.Value), null);
    }

    protected override async IAsyncEnumerable<AuditEntry> Read(CsvExportRequest request, [EnumeratorCancellation] CancellationToken cancellation)
    {
        // ExportScope also loads a grant's programme; the grant alone scopes its trail, as in GET /api/audit.
        var scope = request.Scope;
        var query = new AuditTrailQuery(request.Period.From, request.Period.To, scope.AsOf, string.IsNullOrWhiteSpace(request.Actor) ? null : request.Actor,
            scope.Grant?.Id, scope.Grant is null ? scope.Programme?.Id : null);
        await foreach (var e in query.Read(request.Store, request.DataSource, cancellation))
        {
            yield return e;
        }
    }
}
