using System.Collections.Immutable;
using NodaTime;
using NodaTime.Text;

namespace GrantLedger.Domain.Grants;

/// <summary>What the grantee confirmed arriving in one currency, and the grant-currency amounts those payments were.</summary>
public sealed record ReceiptTotal(decimal Units, decimal Paid);

/// <summary>
/// The payments a stored grant snapshot no longer holds one by one, as the sums every rule, page and report reads
/// (ADR 0018). A payment is settled once nothing can be waiting on it (not awaiting approval, no reversal requested)
/// and it was recorded more than <see cref="Held"/> before the grant's latest payment, so no four-eyes window (at most
/// <see cref="Programmes.ApprovalRules.MaxWindowDays"/> days) can still reach it. Amounts are in the grant's currency.
/// A later event about a settled payment (a receipt, a return, a reversal) first recalls it: its share is taken out of
/// these sums and it is held one by one again.
/// </summary>
public sealed record SettledPayments(
    int Count = 0,
    decimal Paid = 0m,
    decimal Returned = 0m,
    ImmutableSortedDictionary<Guid, decimal>? PaidByTranche = null,
    ImmutableSortedDictionary<string, decimal>? PaidByMonth = null,
    ImmutableSortedDictionary<string, decimal>? ReturnedByMonth = null,
    ImmutableSortedDictionary<string, decimal>? UnreturnedByMonth = null,
    ImmutableSortedDictionary<string, ReceiptTotal>? Receipts = null)
{
    /// <summary>How long before the grant's latest payment a payment stays held one by one: the longest four-eyes
    /// window a programme can set, and a day for clocks.</summary>
    public static readonly Duration Held = Duration.FromDays(Programmes.ApprovalRules.MaxWindowDays + 1);

    public static readonly SettledPayments None = new();

    /// <summary>Paid (net of returns) per tranche.</summary>
    public decimal PaidAgainst(Guid trancheId) => PaidByTranche?.GetValueOrDefault(trancheId) ?? 0m;

    /// <summary>Paid by value-date month, less what the bank sent back by the month of the return's value date.</summary>
    public decimal PaidIn(YearMonth month) =>
        (PaidByMonth?.GetValueOrDefault(Key(month)) ?? 0m) - (ReturnedByMonth?.GetValueOrDefault(Key(month)) ?? 0m);

    /// <summary>Paid and not sent back, by value-date month: what arrival rates are weighted by.</summary>
    public IEnumerable<(YearMonth Month, decimal Amount)> Unreturned =>
        (UnreturnedByMonth ?? ImmutableSortedDictionary<string, decimal>.Empty).Select(kv => (YearMonthPattern.Iso.Parse(kv.Key).Value, kv.Value));

    public ReceiptTotal? ReceiptsIn(string currency) => Receipts?.GetValueOrDefault(currency);

    /// <summary>These sums with <paramref name="payment"/> added.</summary>
    public SettledPayments With(Disbursement payment) => Change(payment, 1m);

    /// <summary>These sums with <paramref name="payment"/> (as it was when settled) taken out again.</summary>
    public SettledPayments Without(Disbursement payment) => Change(payment, -1m);

    private SettledPayments Change(Disbursement d, decimal sign)
    {
        var settled = this with { Count = Count + (int)sign };
        if (!d.CountsAsDisbursed)
        {
            return settled; // reversed or rejected: counted, worth nothing
        }

        var returned = d.ReturnedAmount?.Amount ?? 0m;
        settled = settled with
        {
            Paid = Paid + sign * d.Net.Amount,
            Returned = Returned + sign * returned,
            PaidByTranche = d.TrancheId is { } tranche ? Add(PaidByTranche, tranche, sign * d.Net.Amount) : PaidByTranche,
            PaidByMonth = Add(PaidByMonth, Key(d.ValueDate.ToYearMonth()), sign * d.Amount.Amount),
        };
        if (d.IsReturned)
        {
            return settled with { ReturnedByMonth = Add(ReturnedByMonth, Key(d.ReturnedOn!.Value.ToYearMonth()), sign * returned) };
        }

        settled = settled with { UnreturnedByMonth = Add(UnreturnedByMonth, Key(d.ValueDate.ToYearMonth()), sign * d.Amount.Amount) };
        if (d.Received is not { } received)
        {
            return settled;
        }

        var before = Receipts?.GetValueOrDefault(received.Currency) ?? new ReceiptTotal(0m, 0m);
        var after = new ReceiptTotal(before.Units + sign * received.Amount, before.Paid + sign * d.Amount.Amount);
        var receipts = Receipts ?? ImmutableSortedDictionary<string, ReceiptTotal>.Empty;
        return settled with
        {
            Receipts = after is { Units: 0m, Paid: 0m } ? receipts.Remove(received.Currency) : receipts.SetItem(received.Currency, after),
        };
    }

    /// <summary>Adds to one sum; a sum back at zero leaves the map (recalling a payment leaves no trace of it).</summary>
    private static ImmutableSortedDictionary<TKey, decimal> Add<TKey>(ImmutableSortedDictionary<TKey, decimal>? sums, TKey key, decimal amount)
        where TKey : notnull
    {
        var map = sums ?? ImmutableSortedDictionary<TKey, decimal>.Empty;
        var total = map.GetValueOrDefault(key) + amount;
        return total == 0m ? map.Remove(key) : map.SetItem(key, total);
    }

    private static string Key(YearMonth month) => YearMonthPattern.Iso.Format(month);
}
