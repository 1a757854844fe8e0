namespace GrantLedger.Domain;

/// <summary>An amount in one currency, held at the ledger's precision of two decimals.</summary>
/// <remarks>Arithmetic across currencies is a programming error, not a conversion: deciders check currency first.</remarks>
public readonly record struct Money(decimal Amount, string Currency) : IComparable<Money>
{
    public const int Decimals = 2;

    public static Money Zero(string currency) => new(0.00m, currency);

    public static Money operator +(Money a, Money b) => new(a.Amount + b.Amount, SameCurrency(a, b));
    public static Money operator -(Money a, Money b) => new(a.Amount - b.Amount, SameCurrency(a, b));
    public static bool operator <(Money a, Money b) => a.CompareTo(b) < 0;
    public static bool operator >(Money a, Money b) => a.CompareTo(b) > 0;
    public static bool operator <=(Money a, Money b) => a.CompareTo(b) <= 0;
    public static bool operator >=(Money a, Money b) => a.CompareTo(b) >= 0;

    public int CompareTo(Money other)
    {
        SameCurrency(this, other);
        return Amount.CompareTo(other.Amount);
    }

    /// <summary>A ledger amount: strictly positive with at most two decimals, in the given currency.</summary>
    public static Result<Money> Positive(decimal amount, string currency) =>
        amount <= 0m
            ? DomainErrors.InvalidAmount($"The amount must be greater than zero; {amount} was given.")
            : decimal.Round(amount, Decimals) != amount
                ? DomainErrors.InvalidAmount($"The amount {amount} has more than {Decimals} decimals.")
                : new Money(decimal.Round(amount, Decimals) + 0.00m, currency); // always two decimals, also in JSON

    public override string ToString() => $"{Amount:0.00} {Currency}";

    private static string SameCurrency(Money a, Money b) =>
        a.Currency == b.Currency
            ? a.Currency
            : throw new InvalidOperationException($"Cannot combine {a.Currency} with {b.Currency}.");
}

public static class MoneyExtensions
{
    public static Money Sum(this IEnumerable<Money> amounts, string currency) =>
        amounts.Aggregate(Money.Zero(currency), (total, m) => total + m);
}
