using GrantLedger.Domain.Grants;
using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;

namespace GrantLedger.Api.Grants;

/// <summary>Keeps the <see cref="Grant"/> snapshot inline; the domain record does the folding.</summary>
/// <remarks>The snapshot carries the stream version it reflects, so a read returns data and version consistently. It
/// holds the recent payments one by one and settles older ones into sums after each payment event (ADR 0018); an event
/// about a settled payment recalls it first, as it stood before that event.</remarks>
public sealed class GrantProjection : SingleStreamProjection<Grant, Guid>
{
    public override async ValueTask<Grant?> EvolveAsync(Grant? snapshot, Guid id, IQuerySession session, IEvent e, CancellationToken cancellation)
    {
        if (e.Data is GrantAwarded awarded)
        {
            return Grant.Start(awarded) with { Version = e.Version };
        }

        var recalled = snapshot?.Recalls(e.Data) is { } payment ? await PaymentBefore(session, id, payment, e.Version, cancellation) : null;
        return snapshot?.EvolveSettling(e.Data, recalled) is { } grant ? grant with { Version = e.Version } : null;
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
