using System.Globalization;
using System.Runtime.CompilerServices;
using GrantLedger.Api.Http;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using JasperFx.Events;
using Marten;
using Marten.Events;
using NodaTime;

namespace GrantLedger.Api.Exports;

/// <summary>
/// Each change in what counts as disbursed (<see cref="Disbursement.CountsAsDisbursed"/>): a payment recorded, or approved
/// by a second person, a reversal (negative) and money the bank returned (negative, <c>return</c>), streamed from the events in store order, so the amounts add up to the
/// ledger's disbursed figure as of the instant. Each grant in scope is folded with the domain's own
/// <see cref="Grant.Evolve"/> over its payment and tranche events only; a reversal repeats its payment's tranche.
/// </summary>
public sealed class LedgerEntriesCsv : CsvExport<LedgerEntriesCsv.Row>
{
    public sealed record Row(long Sequence, Instant RecordedAt, string Programme, Guid GrantId, string Grantee, string Entry, Guid DisbursementId,
        int? Tranche, LocalDate ValueDate, string BankReference, decimal Amount, string Currency, string? RecordedBy, string? ApprovedBy, string? Note);

    public override string Kind => "ledger-entries";

    protected override IReadOnlyList<(string Header, Func<Row, string?> Cell)> Columns { get; } =
    [
        ("sequence", r => Number(r.Sequence)),
        ("recordedAt", r => Instant(r.RecordedAt)),
        ("programme", r => r.Programme),
        ("grantId", r => r.GrantId.ToString()),
        ("grantee", r => r.Grantee),
        ("entry", r => r.Entry),
        ("disbursementId", r => r.DisbursementId.ToString()),
        ("tranche", r => r.Tranche?.ToString(CultureInfo.InvariantCulture)),
        ("valueDate", r => Date(r.ValueDate)),
        ("bankReference", r => r.BankReference),
        ("amount", r => Amount(r.Amount)),
        ("currency", r => r.Currency),
        ("recordedBy", r => r.RecordedBy),
        ("approvedBy", r => r.ApprovedBy),
        ("note", r => r.Note),
    ];

    public override (ExportPeriod? Period, IResult? Problem) Period(string? from, string? to) => ExportPeriod.Dates(Kind, from, to);

    protected override async IAsyncEnumerable<Row> Read(CsvExportRequest request, [EnumeratorCancellation] CancellationToken cancellation)
    {
        var scope = request.Scope;
        var programmes = new Dictionary<Guid, string>();
        var grants = new Dictionary<Guid, (string Programme, Grant Grant)>();
        // Tranche numbers as the payment saw them: an amended plan renumbers, a reversal repeats its payment's row.
        var paidInTranche = new Dictionary<Guid, int?>();

        var events = request.Session.Events.QueryAllRawEvents()
            .Where(e => e.Timestamp <= scope.AsOf.ToDateTimeOffset())
            .Where(e => e.EventTypesAre(typeof(ProgrammeOpened), typeof(GrantAwarded), typeof(TrancheAdded), typeof(TranchePlanAmended),
                typeof(DisbursementRecorded), typeof(DisbursementSubmittedForApproval), typeof(DisbursementApproved), typeof(DisbursementRejected),
                typeof(DisbursementReversed), typeof(DisbursementReturned)))
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
                    grants[awarded.GrantId] = (programmes.GetValueOrDefault(awarded.ProgrammeId, ""), Grant.Start(awarded));
                    continue;
            }

            if (!grants.TryGetValue(e.StreamId, out var known))
            {
                continue;
            }

            var (programme, before) = known;
            var after = before.Evolve(e.Data);
            grants[e.StreamId] = (programme, after);
            if (e.Data is DisbursementReturned returned)
            {
                // The money the bank sent back: a negative entry on the return's own value date (the payment it answers
                // keeps its row), in the payment's tranche; the bank's reason is the note.
                if (after.FindDisbursement(returned.DisbursementId) is { } paid && request.Period.Contains(returned.ValueDate))
                {
                    var tranche = paidInTranche.TryGetValue(paid.Id, out var number) ? number
                        : paid.TrancheId is { } trancheId ? after.FindTranche(trancheId)?.Number : null;
                    yield return new Row(e.Sequence, NodaTime.Instant.FromDateTimeOffset(e.Timestamp), programme, after.Id, after.Grantee, "return",
                        paid.Id, tranche, returned.ValueDate, returned.BankReference ?? paid.BankReference, -returned.Amount.Amount, returned.Amount.Currency,
                        Actor(e), null, returned.BankReason);
                }

                continue;
            }

            if (DisbursementOf(e.Data) is not { } disbursementId
                || after.FindDisbursement(disbursementId) is not { } payment
                || before.FindDisbursement(disbursementId)?.CountsAsDisbursed == payment.CountsAsDisbursed
                || !request.Period.Contains(payment.ValueDate))
            {
                continue;
            }

            Row Entry(string entry, int? tranche, decimal amount, string? recordedBy, string? approvedBy, string? note) =>
                new(e.Sequence, NodaTime.Instant.FromDateTimeOffset(e.Timestamp), programme, after.Id, after.Grantee, entry, payment.Id, tranche,
                    payment.ValueDate, payment.BankReference, amount, payment.Amount.Currency, recordedBy, approvedBy, note);

            if (payment.CountsAsDisbursed)
            {
                var tranche = payment.TrancheId is { } trancheId ? after.FindTranche(trancheId)?.Number : null;
                paidInTranche[payment.Id] = tranche;
                // Paid on approval: its recorder and the second person; paid on recording: whoever recorded it.
                yield return e.Data is DisbursementApproved
                    ? Entry("disbursement", tranche, payment.Amount.Amount, payment.RecordedBy, payment.DecidedBy, payment.Note)
                    : Entry("disbursement", tranche, payment.Amount.Amount, Actor(e), null, payment.Note);
            }
            else
            {
                yield return Entry("reversal", paidInTranche.GetValueOrDefault(payment.Id), -payment.Amount.Amount, Actor(e), null,
                    payment.ReversalReason);
            }
        }
    }

    private static Guid? DisbursementOf(object data) => data switch
    {
        DisbursementRecorded x => x.DisbursementId,
        DisbursementApproved x => x.DisbursementId,
        DisbursementReversed x => x.DisbursementId,
        _ => null,
    };

    private static string? Actor(IEvent e) => e.Headers?.TryGetValue(SessionMetadata.ActorHeader, out var value) == true ? value?.ToString() : null;
}
