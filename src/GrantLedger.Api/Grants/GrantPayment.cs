using GrantLedger.Domain.Grants;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;

namespace GrantLedger.Api.Grants;

/// <summary>
/// One payment as pages and the API list it, kept inline beside the grant snapshot (ADR 0018): the snapshot holds only
/// the recent payments one by one, so lists and look-ups of any payment read these documents.
/// </summary>
/// <param name="Number">The grant stream version that recorded the payment: the order payments are listed in.</param>
/// <param name="Version">The grant stream version of the last event that changed the payment.</param>
/// <param name="AwaitsReceipt">Paid, not sent back, and the grantee has not confirmed what arrived (the grantee's work queue).</param>
public sealed record GrantPayment(Guid Id, Guid GrantId, long Number, long Version, Disbursement Payment, bool AwaitsReceipt)
{
    public static GrantPayment Of(Guid grantId, long version, Disbursement payment) =>
        new(payment.Id, grantId, version, version, payment, AwaitsReceiptOf(payment));

    public GrantPayment Apply(IPaymentEvent e, long version)
    {
        var payment = Payment.Apply(e);
        return this with { Version = version, Payment = payment, AwaitsReceipt = AwaitsReceiptOf(payment) };
    }

    private static bool AwaitsReceiptOf(Disbursement d) => d.CountsAsDisbursed && !d.IsReturned && d.Received is null;

    /// <summary>A grant's payments in the order they were recorded.</summary>
    public static async Task<IReadOnlyList<Disbursement>> Of(IQuerySession session, Guid grantId, CancellationToken cancellation = default) =>
        (await session.Query<GrantPayment>().Where(p => p.GrantId == grantId).OrderBy(p => p.Number).ToListAsync(cancellation))
        .Select(p => p.Payment).ToList();

    /// <summary>One payment of the grant, or null (also for a payment of another grant).</summary>
    public static async Task<Disbursement?> Find(IQuerySession session, Guid grantId, Guid disbursementId, CancellationToken cancellation = default) =>
        await session.LoadAsync<GrantPayment>(disbursementId, cancellation) is { } found && found.GrantId == grantId ? found.Payment : null;
}

public static class GrantPaymentRecall
{
    /// <summary>The grant holding <paramref name="document"/>'s payment one by one (recalled if it was settled), so a
    /// command about an old payment sees it (ADR 0018).</summary>
    public static Grant Holding(this Grant grant, GrantPayment? document) =>
        document is { } found && found.GrantId == grant.Id ? grant.Recall(found.Payment) : grant;
}

/// <summary>Keeps one <see cref="GrantPayment"/> per payment, from the events about it (the payment's own fold:
/// <see cref="Disbursement.Apply"/>). A projection over the whole batch of appended events, so that recording a payment
/// stores its new document without a read first; documents are read (in one query) only for events about payments
/// recorded in an earlier transaction.</summary>
public sealed class GrantPaymentProjection : IProjection
{
    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var payments = new Dictionary<Guid, GrantPayment?>();
        var earlier = events.Select(e => e.Data).OfType<IPaymentEvent>()
            .GroupBy(e => e.DisbursementId)
            .Where(g => g.First() is not (DisbursementRecorded or DisbursementSubmittedForApproval))
            .Select(g => g.Key).ToList();
        if (earlier.Count > 0)
        {
            foreach (var document in await operations.LoadManyAsync<GrantPayment>(cancellation, earlier))
            {
                payments[document.Id] = document;
            }
        }

        foreach (var e in events)
        {
            if (e.Data is IPaymentEvent about)
            {
                payments[about.DisbursementId] = Evolve(payments.GetValueOrDefault(about.DisbursementId), e);
            }
        }

        foreach (var document in payments.Values.OfType<GrantPayment>())
        {
            operations.Store(document);
        }
    }

    public static GrantPayment? Evolve(GrantPayment? snapshot, IEvent e) => e.Data switch
    {
        DisbursementRecorded x => GrantPayment.Of(e.StreamId, e.Version, Disbursement.Of(x)),
        DisbursementSubmittedForApproval x => GrantPayment.Of(e.StreamId, e.Version, Disbursement.Of(x)),
        IPaymentEvent x => snapshot?.Apply(x, e.Version),
        _ => snapshot,
    };
}
