using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using GrantLedger.Domain;
using GrantLedger.Domain.Currencies;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using NodaTime;

namespace GrantLedger.Reports.Models;

/// <summary>
/// The ledger folded up to an event sequence and condensed to what the programme financial and milestone status reports
/// read: each grant keeps everything but its settled payments, which are merged into one per value-date month (and
/// month returned, and currency received), so a checkpoint holds a few records per grant instead of every payment. An
/// as-of report starts from the nearest checkpoint and folds only the events after it (docs/internals.md, "Report
/// checkpoints"); every figure those reports print is the same as from the whole history, to the cent and the scale.
/// </summary>
public sealed record LedgerCheckpoint(
    IReadOnlyDictionary<Guid, Programme> Programmes,
    IReadOnlyDictionary<Guid, Grant> Grants,
    FxRateTable Rates,
    long Position)
{
    /// <summary>The reports a condensed ledger serves: they read sums of payments, never one payment.</summary>
    public static bool Serves(ReportKind kind) => kind is ReportKind.ProgrammeFinancial or ReportKind.MilestoneStatus;

    public static LedgerCheckpoint Of(LedgerState state) =>
        new(state.Programmes, state.Grants.ToDictionary(g => g.Key, g => Condense(g.Value)), state.Rates, state.Position);

    /// <summary>The condensed state itself (for the next checkpoint, <see cref="FoldOn"/> goes on from it).</summary>
    public LedgerState State => new(Programmes, Grants, Rates, Position);

    /// <summary>
    /// Folds the events after the checkpoint on from it. A grant whose event names a payment the checkpoint merged is
    /// left out of that fold and named in <paramref name="heldBack"/>: the caller reads those grants' streams and passes
    /// them to <see cref="Refolded"/>.
    /// </summary>
    public LedgerState FoldOn(IEnumerable<RecordedEvent> after, out IReadOnlySet<Guid> heldBack)
    {
        var held = new HashSet<Guid>();
        var state = LedgerState.FoldOn(State, after, held);
        heldBack = held;
        return state;
    }

    /// <summary>The held-back grants folded again, whole, from every event of their streams (up to the same point).</summary>
    public static LedgerState Refolded(LedgerState state, IEnumerable<Guid> heldBack, IEnumerable<RecordedEvent> streams)
    {
        var whole = LedgerState.Fold(streams);
        var grants = new Dictionary<Guid, Grant>(state.Grants);
        foreach (var id in heldBack)
        {
            grants[id] = whole.Grants.TryGetValue(id, out var grant)
                ? grant
                : throw new InvalidOperationException($"Grant {id} was held back from a report checkpoint, but its stream has no award.");
        }

        return state with { Grants = grants };
    }

    /// <summary>
    /// The grant with its settled payments (paid, not reversed) merged per value-date month, month returned and currency
    /// received; payments awaiting approval kept as they are (they are reserved, and approving or rejecting one names
    /// it); rejected and reversed payments dropped (no figure of the served reports counts them). Every sum the served
    /// reports take over payments (paid, net of returns, reserved, per month of value date and of return, and the
    /// arrival rates: receipts per currency and paid amounts per month at that month's rate) is unchanged, since
    /// decimal addition is exact and keeps the largest scale of its terms.
    /// </summary>
    public static Grant Condense(Grant grant)
    {
        var kept = new List<Disbursement>();
        var merged = new Dictionary<(YearMonth Paid, bool Returned, YearMonth? ReturnedIn, string? ReceivedIn), Disbursement>();
        foreach (var d in grant.Disbursements)
        {
            if (d.IsReserved)
            {
                kept.Add(d);
                continue;
            }

            if (!d.CountsAsDisbursed)
            {
                continue;
            }

            var key = (d.ValueDate.ToYearMonth(), d.IsReturned, d.IsReturned ? d.ReturnedOn?.ToYearMonth() : null, d.Received?.Currency);
            merged[key] = merged.TryGetValue(key, out var sum)
                ? sum with { Amount = sum.Amount + d.Amount, ReturnedAmount = Add(sum.ReturnedAmount, d.ReturnedAmount), Received = Add(sum.Received, d.Received) }
                : new Disbursement(MergedId(grant.Id, key), d.Amount, key.Item1.OnDayOfMonth(1), "condensed", null, false, null,
                    ReturnedAmount: d.ReturnedAmount, ReturnedOn: key.Item3?.OnDayOfMonth(1), Received: d.Received);
        }

        return merged.Count == 0 && kept.Count == grant.Disbursements.Count
            ? grant
            : grant with { Disbursements = [.. kept, .. merged.Values] };
    }

    /// <summary>
    /// Whether a condensed grant can apply the event as the whole grant would: it names no payment, or one the grant
    /// still holds. Any event carrying a payment's id is checked, unless it is one of those recorded with the payment
    /// itself, so an event type added later errs on the side of folding its grant again.
    /// </summary>
    public static bool CanApply(Grant grant, object e) => PaymentNamed(e) is not { } id || grant.FindDisbursement(id) is not null;

    private static readonly HashSet<Type> RecordedWithThePayment =
        [typeof(DisbursementRecorded), typeof(DisbursementSubmittedForApproval), typeof(HoldOverridden), typeof(ReportedSpendRuleOverridden)];

    private static readonly ConcurrentDictionary<Type, Func<object, Guid>?> PaymentIds = new();

    private static Guid? PaymentNamed(object e) =>
        PaymentIds.GetOrAdd(e.GetType(), type => RecordedWithThePayment.Contains(type)
            || type.GetProperty(nameof(DisbursementRecorded.DisbursementId)) is not { } property || property.PropertyType != typeof(Guid)
                ? null
                : data => (Guid)property.GetValue(data)!) is { } read
            ? read(e)
            : null;

    private static Money? Add(Money? sum, Money? more) => (sum, more) switch
    {
        ({ } a, { } b) => a + b,
        (null, _) => more,
        _ => sum,
    };

    /// <summary>A merged payment's id, the same for the same grant and key; no event names it.</summary>
    private static Guid MergedId(Guid grantId, (YearMonth Paid, bool Returned, YearMonth? ReturnedIn, string? ReceivedIn) key) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"condensed|{grantId}|{key.Paid}|{key.Returned}|{key.ReturnedIn}|{key.ReceivedIn}")).AsSpan(0, 16));
}
