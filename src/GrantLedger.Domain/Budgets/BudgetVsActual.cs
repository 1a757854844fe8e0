using GrantLedger.Domain.Currencies;
using GrantLedger.Domain.Expenditure;
using GrantLedger.Domain.Grants;
using NodaTime;

namespace GrantLedger.Domain.Budgets;

/// <summary>EUR figures of one budget line (or heading, or grant): planned against accepted spending in both views.</summary>
/// <param name="SpentAtDonorRate">Accepted spending valued at the donor rate of each expense's month.</param>
/// <param name="SpentAtActualRate">The same spending valued at the rate the grant's money actually arrived at.</param>
/// <param name="FxDifference">Actual minus donor view: a gain (negative) or loss (positive) shown, never absorbed.</param>
public sealed record SpendFigures(
    Money Planned,
    Money SpentAtDonorRate,
    Money SpentAtActualRate,
    Money FxDifference,
    Money Remaining,
    Money PendingReview,
    int UnvaluedEntries);

public sealed record LineActuals(BudgetLine Line, Money Original, SpendFigures Figures);

public sealed record HeadingActuals(string Heading, Money Original, SpendFigures Figures);

public sealed record MonthlySpend(YearMonth Month, Money Spent, Money Cumulative);

/// <summary>Budget against actual for a grant, as of the events it was built from.</summary>
public sealed record GrantActuals(
    SpendFigures Totals,
    Money Disbursed,
    Money UnspentBalance,
    decimal? SpendRatio,
    IReadOnlyList<LineActuals> Lines,
    IReadOnlyList<HeadingActuals> Headings,
    IReadOnlyList<MonthlySpend> BurnRate,
    IReadOnlyDictionary<string, decimal> ArrivalRates);

public static class BudgetVsActual
{
    /// <summary>
    /// The weighted rate (units per EUR) at which the grant's money arrived, per currency: from the grantee's confirmed
    /// receipts in that currency, or, where there are none, from the donor rate of each disbursement's value-date month
    /// (payments the bank returned left out).
    /// </summary>
    public static IReadOnlyDictionary<string, decimal> ArrivalRates(Grant grant, FxRateTable rates)
    {
        var result = new Dictionary<string, decimal>();
        // Money the bank sent back never arrived: a returned payment says nothing about the rate at which money arrives.
        var paid = grant.Disbursements.Where(d => d.CountsAsDisbursed && !d.IsReturned).ToList();
        foreach (var currency in Currencies.Currencies.Reportable.Where(c => c != Currencies.Currencies.Eur))
        {
            // Settled payments (ADR 0018) count through their sums: the receipts per currency, the amounts per month.
            var receipts = paid.Where(d => d.Received?.Currency == currency).ToList();
            var settledReceipts = grant.Settled.ReceiptsIn(currency);
            var (units, eur) = receipts.Count > 0 || settledReceipts is not null
                ? (receipts.Sum(d => d.Received!.Value.Amount) + (settledReceipts?.Units ?? 0m), receipts.Sum(d => d.Amount.Amount) + (settledReceipts?.Paid ?? 0m))
                : paid.Select(d => (Month: d.ValueDate.ToYearMonth(), d.Amount.Amount)).Concat(grant.Settled.Unreturned)
                    .Aggregate((Units: 0m, Eur: 0m), (acc, p) => rates.Rate(currency, p.Month) is { } rate
                        ? (acc.Units + p.Amount * rate, acc.Eur + p.Amount)
                        : acc);
            if (eur > 0m)
            {
                result[currency] = units / eur;
            }
        }

        return result;
    }

    /// <summary>Accepted spending at the donor rate: what the reported-spend rule counts (unvalued entries count nothing).</summary>
    public static Money AcceptedSpend(Grant grant, FxRateTable rates)
    {
        var valuation = new Valuation(rates, new Dictionary<string, decimal>());
        return grant.Entries.Where(e => e.Status == EntryStatus.Accepted)
            .Select(e => valuation.AtDonorRate(e.Entry.Amount, e.Entry.Date) ?? Money.Zero(grant.Currency))
            .Sum(grant.Currency);
    }

    public static GrantActuals For(Grant grant, FxRateTable rates)
    {
        var arrival = ArrivalRates(grant, rates);
        var valuation = new Valuation(rates, arrival);
        var currency = grant.Currency;
        var lines = grant.Budget?.Lines ?? [];
        var entries = grant.Entries.ToList();

        SpendFigures Figures(Money planned, IEnumerable<ReportedEntry> selected)
        {
            var list = selected.ToList();
            var accepted = list.Where(e => e.Status == EntryStatus.Accepted)
                .Select(e => (Donor: valuation.AtDonorRate(e.Entry.Amount, e.Entry.Date), Actual: valuation.AtActualRate(e.Entry.Amount)))
                .ToList();
            var spentDonor = accepted.Select(v => v.Donor).OfType<Money>().Sum(currency);
            var spentActual = accepted.Select(v => v.Actual).OfType<Money>().Sum(currency);
            // The FX difference compares like with like: only entries valued in both views.
            var both = accepted.Where(v => v.Donor is not null && v.Actual is not null).ToList();
            var fxDifference = both.Select(v => v.Actual!.Value).Sum(currency) - both.Select(v => v.Donor!.Value).Sum(currency);
            var pending = list.Where(e => e.Status == EntryStatus.Submitted)
                .Select(e => valuation.AtDonorRate(e.Entry.Amount, e.Entry.Date)).OfType<Money>().Sum(currency);
            return new SpendFigures(planned, spentDonor, spentActual, fxDifference, planned - spentDonor, pending,
                accepted.Count(v => v.Donor is null || v.Actual is null));
        }

        IReadOnlyDictionary<string, Money> original = grant.Budget?.Baseline ?? (IReadOnlyDictionary<string, Money>)new Dictionary<string, Money>();
        var lineActuals = lines.Select(l => new LineActuals(l, l.Amount, Figures(l.Amount, entries.Where(e => e.Entry.BudgetLineId == l.LineId)))).ToList();
        var headings = lines.GroupBy(l => l.Heading).Select(g =>
        {
            var ids = g.Select(l => l.LineId).ToHashSet();
            return new HeadingActuals(g.Key, original.GetValueOrDefault(g.Key, Money.Zero(currency)),
                Figures(g.Select(l => l.Amount).Sum(currency), entries.Where(e => ids.Contains(e.Entry.BudgetLineId))));
        }).ToList();
        var totals = Figures(grant.Amount, entries);

        var burn = new List<MonthlySpend>();
        var cumulative = Money.Zero(currency);
        foreach (var month in entries.Where(e => e.Status == EntryStatus.Accepted).GroupBy(e => e.Entry.Date.ToYearMonth()).OrderBy(g => g.Key))
        {
            var spent = month.Select(e => valuation.AtDonorRate(e.Entry.Amount, e.Entry.Date)).OfType<Money>().Sum(currency);
            cumulative += spent;
            burn.Add(new MonthlySpend(month.Key, spent, cumulative));
        }

        return new GrantActuals(totals, grant.Disbursed, grant.Disbursed - totals.SpentAtDonorRate,
            grant.Disbursed.Amount > 0m ? decimal.Round(totals.SpentAtDonorRate.Amount / grant.Disbursed.Amount, 4) : null,
            lineActuals, headings, burn, arrival);
    }
}
