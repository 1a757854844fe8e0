using GrantLedger.Domain.Budgets;
using GrantLedger.Domain.Currencies;
using GrantLedger.Domain.Grants;
using NodaTime;

namespace GrantLedger.Domain.Tests.Currencies;

public class FxRateTests
{
    [Fact]
    public void rates_with_up_to_six_decimals_are_kept_exactly_and_a_later_one_supersedes()
    {
        var events = SetFxRatesDecision.Decide([
            new SetFxRate("KGS", new YearMonth(2020, 4), 85.123456m, "InforEuro"),
            new SetFxRate("KGS", new YearMonth(2020, 4), 85.5m, "InforEuro, corrected"),
        ]).Value;

        var table = events.Aggregate(FxRateTable.Empty, (t, e) => t.Evolve(e));

        Assert.Equal(85.5m, table.Rate("KGS", new YearMonth(2020, 4)));
        Assert.Equal(85.123456m, events[0].UnitsPerEur);
    }

    [Fact]
    public void bad_rates_are_refused_all_together_with_their_rows()
    {
        var result = SetFxRatesDecision.Decide([
            new SetFxRate("KGS", new YearMonth(2020, 4), 85.1234567m, "x"),
            new SetFxRate("RUB", new YearMonth(2020, 4), 90m, "x"),
            new SetFxRate("TJS", new YearMonth(2020, 4), 0m, "x"),
            new SetFxRate("KZT", new YearMonth(2020, 4), 460m, "x"),
        ]);

        Assert.Equal("invalid-fx-rates", Given.CodeOf(result));
        Assert.Equal([1, 2, 3], result.Error!.Rows!.Select(r => r.Row).Distinct().Order());
    }

    [Fact]
    public void the_actual_rate_is_weighted_by_what_each_receipt_brought()
    {
        var first = Given.Paid(30_000m) with { ValueDate = new LocalDate(2020, 4, 20) };
        var second = Given.Paid(10_000m) with { ValueDate = new LocalDate(2021, 1, 18) };
        var grant = Given.Grant(Given.Awarded(), first, second,
            new DisbursementReceived(Given.GrantId, first.DisbursementId, new Money(2_550_000m, "KGS")),   // 85
            new DisbursementReceived(Given.GrantId, second.DisbursementId, new Money(950_000m, "KGS")));   // 95

        var rates = BudgetVsActual.ArrivalRates(grant, FxRateTable.Empty);

        Assert.Equal(87.5m, rates["KGS"]); // 3,500,000 / 40,000
    }

    [Fact]
    public void without_receipts_the_actual_rate_falls_back_to_the_donor_rate_of_each_payment_month()
    {
        var first = Given.Paid(30_000m) with { ValueDate = new LocalDate(2020, 4, 20) };
        var second = Given.Paid(10_000m) with { ValueDate = new LocalDate(2021, 1, 18) };
        var table = FxRateTable.Empty
            .Evolve(new FxRateSet("TJS", new YearMonth(2020, 4), 11m, "t"))
            .Evolve(new FxRateSet("TJS", new YearMonth(2021, 1), 13m, "t"));

        var rates = BudgetVsActual.ArrivalRates(Given.Grant(Given.Awarded(), first, second), table);

        Assert.Equal(11.5m, rates["TJS"]); // (30,000 x 11 + 10,000 x 13) / 40,000
        Assert.False(rates.ContainsKey("KZT"));
    }
}
