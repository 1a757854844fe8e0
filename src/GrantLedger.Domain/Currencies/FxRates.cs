using System.Collections.Immutable;
using NodaTime;
using NodaTime.Text;

namespace GrantLedger.Domain.Currencies;

/// <summary>The currencies grantees may report in.</summary>
public static class Currencies
{
    public const string Eur = "EUR";
    public static readonly IReadOnlySet<string> Reportable = new HashSet<string> { "EUR", "USD", "KGS", "TJS", "KZT" };
}

/// <summary>
/// The donor rate for a currency and month, as "units of the currency per 1 EUR" (how InforEuro publishes it, e.g.
/// KGS 91.2345). A later rate for the same month supersedes an earlier one; both stay in history.
/// </summary>
public sealed record FxRateSet(string Currency, YearMonth Month, decimal UnitsPerEur, string Source);

/// <summary>The rate table, one stream for the whole ledger.</summary>
public sealed record FxRateTable(Guid Id, ImmutableDictionary<string, decimal> Rates, long Version = 0)
{
    /// <summary>The single rate-table stream.</summary>
    public static readonly Guid StreamId = Guid.Parse("f0f0f0f0-0000-4000-8000-0000000000fa");
    public const int RateDecimals = 6;

    public static readonly FxRateTable Empty = new(StreamId, ImmutableDictionary<string, decimal>.Empty);

    public decimal? Rate(string currency, YearMonth month) => Rates.TryGetValue(Key(currency, month), out var rate) ? rate : null;

    public FxRateTable Evolve(object e) => e switch
    {
        FxRateSet x => this with { Rates = Rates.SetItem(Key(x.Currency, x.Month), x.UnitsPerEur), Version = Version + 1 },
        _ => throw new InvalidOperationException($"The rate table does not know how to apply {e.GetType().Name}."),
    };

    public static string Key(string currency, YearMonth month) => $"{currency}:{YearMonthPattern.Iso.Format(month)}";
}

public sealed record SetFxRate(string Currency, YearMonth Month, decimal UnitsPerEur, string Source);

public static class SetFxRatesDecision
{
    /// <summary>All rates or none: a bad line refuses the whole batch and names every bad line.</summary>
    public static Result<IReadOnlyList<FxRateSet>> Decide(IReadOnlyList<SetFxRate> rates)
    {
        var errors = new List<RowError>();
        foreach (var (rate, row) in rates.Select((r, i) => (r, i + 1)))
        {
            if (!Currencies.Reportable.Contains(rate.Currency) || rate.Currency == Currencies.Eur)
            {
                errors.Add(new RowError(row, "currency", $"{rate.Currency} is not a reporting currency with a rate (USD, KGS, TJS, KZT)."));
            }

            if (rate.UnitsPerEur <= 0m || decimal.Round(rate.UnitsPerEur, FxRateTable.RateDecimals) != rate.UnitsPerEur)
            {
                errors.Add(new RowError(row, "unitsPerEur", $"must be positive with at most {FxRateTable.RateDecimals} decimals; {rate.UnitsPerEur} was given."));
            }
        }

        if (rates.Count == 0)
        {
            errors.Add(new RowError(0, "rates", "no rates were given."));
        }

        return errors.Count > 0
            ? new DomainError("invalid-fx-rates", "Some rates are not valid; none were saved.", Rows: errors)
            : rates.Select(r => new FxRateSet(r.Currency, r.Month, r.UnitsPerEur, r.Source)).ToList();
    }
}

/// <summary>
/// Turns local-currency amounts into EUR. Rounding to cents happens once, per line, half away from zero. Two views:
/// the donor rate (the rate table, month of the expense) and the actual rate (how the grant's money really arrived:
/// the weighted rate of its receipts in that currency).
/// </summary>
public sealed class Valuation(FxRateTable rates, IReadOnlyDictionary<string, decimal> arrivalUnitsPerEur)
{
    public Money? AtDonorRate(Money local, LocalDate date) =>
        local.Currency == Currencies.Eur
            ? local
            : rates.Rate(local.Currency, date.ToYearMonth()) is { } rate ? Eur(local.Amount / rate) : null;

    public Money? AtActualRate(Money local) =>
        local.Currency == Currencies.Eur
            ? local
            : arrivalUnitsPerEur.TryGetValue(local.Currency, out var rate) ? Eur(local.Amount / rate) : null;

    public static Money Eur(decimal amount) => new(Math.Round(amount, Money.Decimals, MidpointRounding.AwayFromZero) + 0.00m, Currencies.Eur);
}
