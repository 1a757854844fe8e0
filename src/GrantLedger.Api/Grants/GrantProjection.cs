using GrantLedger.Domain.Grants;
using JasperFx.Events;
using Marten;
using JasperFx.Events.Aggregation;
using JasperFx.Events.Daemon;
using Marten.Events.Aggregation;

namespace GrantLedger.Api.Grants;

/// <summary>Keeps the <see cref="Grant"/> snapshot inline; the domain record does the folding.</summary>
/// <remarks>The snapshot carries the stream version it reflects, so a read returns data and version consistently. It
/// holds the recent payments one by one and settles older ones into sums after each payment event (ADR 0018); an event
/// about a settled payment recalls it first, as it stood before that event.</remarks>
public sealed class GrantProjection : SingleStreamProjection<Grant, Guid>
{
    /// <summary>
    /// Applies one transaction's events of the grant, then settles once (ADR 0018): payments recorded in the same batch
    /// stay held until its end, so an event about them later in the batch finds them; a payment settled in an earlier
    /// transaction is recalled first, as it stood before the event. The result is what <see cref="Grant.Replay"/> makes.
    /// </summary>
    public override async ValueTask<(Grant?, ActionType)> DetermineActionAsync(IQuerySession session, Grant? snapshot, Guid identity,
        IIdentitySetter<Grant, Guid> identitySetter, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var grant = snapshot;
        foreach (var e in events)
        {
            if (e.Data is GrantAwarded awarded)
            {
                grant = Grant.Start(awarded);
            }
            else if (grant is not null)
            {
                var recalled = grant.Recalls(e.Data) is { } payment ? await PaymentBefore(session, identity, payment, e.Version, cancellation) : null;
                grant = (recalled is null ? grant : grant.Recall(recalled)).Evolve(e.Data);
            }
        }

        if (grant is null)
        {
            return (null, ActionType.Nothing);
        }

        grant = (events.Any(e => e.Data is IPaymentEvent) ? grant.Settle() : grant) with { Version = events[^1].Version };
        return (grant, ActionType.Store);
    }

    /// <summary>
    /// The payment as it stood before the grant's event at <paramref name="version"/>: its document, when that reflects
    /// only earlier events (always, as commands append); otherwise (a rebuild, where documents are already further on)
    /// folded from the grant's events before that version.
    /// </summary>
    private static async Task<Disbursement?> PaymentBefore(IQuerySession session, Guid grantId, Guid disbursementId, long version,
        CancellationToken cancellation)
    {
        if (await session.LoadAsync<GrantPayment>(disbursementId, cancellation) is { } document && document.GrantId == grantId
            && document.Version < version)
        {
            return document.Payment;
        }

        Disbursement? payment = null;
        foreach (var earlier in await session.Events.FetchStreamAsync(grantId, version - 1, token: cancellation))
        {
            payment = earlier.Data switch
            {
                DisbursementRecorded x when x.DisbursementId == disbursementId => Disbursement.Of(x),
                DisbursementSubmittedForApproval x when x.DisbursementId == disbursementId => Disbursement.Of(x),
                IPaymentEvent x when x.DisbursementId == disbursementId && payment is not null => payment.Apply(x),
                _ => payment,
            };
        }

        return payment;
    }
}
