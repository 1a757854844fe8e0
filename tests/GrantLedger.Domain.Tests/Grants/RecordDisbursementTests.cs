using GrantLedger.Domain.Grants;
using NodaTime;

namespace GrantLedger.Domain.Tests.Grants;

public class RecordDisbursementTests
{
    private static readonly DateWindow ProgrammeWindow = new(Given.WindowStart, Given.WindowEnd);

    private static RecordDisbursement Command(decimal amount, LocalDate? valueDate = null, string? currency = null) =>
        new(Guid.NewGuid(), amount, currency, valueDate ?? new LocalDate(2020, 4, 20), "ECARO-2020-0412", "Tranche 1");

    [Fact]
    public void a_payment_within_the_remaining_amount_is_recorded()
    {
        var grant = Given.Grant(Given.Awarded(80_000m));

        var recorded = RecordDisbursementDecision.Decide(grant, ProgrammeWindow, Command(32_000m)).Value;

        Assert.Equal(Given.Eur(32_000m), recorded.Amount);
        Assert.Equal(new LocalDate(2020, 4, 20), recorded.ValueDate);
        Assert.Equal(Given.Eur(48_000m), grant.Apply(recorded).Remaining);
    }

    [Fact]
    public void paying_exactly_the_remaining_amount_is_allowed()
    {
        var grant = Given.Grant(Given.Awarded(80_000m), Given.Paid(79_999.99m));

        Assert.True(RecordDisbursementDecision.Decide(grant, ProgrammeWindow, Command(0.01m)).IsSuccess);
    }

    [Fact]
    public void paying_more_than_remains_on_the_grant_is_refused()
    {
        var grant = Given.Grant(Given.Awarded(80_000m), Given.Paid(79_999.99m));

        Assert.Equal("grant-exceeded", Given.CodeOf(RecordDisbursementDecision.Decide(grant, ProgrammeWindow, Command(0.02m))));
    }

    [Fact]
    public void a_reversed_payment_no_longer_counts_against_the_grant()
    {
        var paid = Given.Paid(80_000m);
        var grant = Given.Grant(Given.Awarded(80_000m), paid, Given.Reversed(paid));

        Assert.True(RecordDisbursementDecision.Decide(grant, ProgrammeWindow, Command(80_000m)).IsSuccess);
    }

    [Theory]
    [InlineData(2020, 3, 31)]
    [InlineData(2021, 10, 1)]
    public void a_value_date_outside_the_window_is_refused(int year, int month, int day)
    {
        var grant = Given.Grant(Given.Awarded());

        Assert.Equal("outside-window",
            Given.CodeOf(RecordDisbursementDecision.Decide(grant, ProgrammeWindow, Command(100m, new LocalDate(year, month, day)))));
    }

    [Fact]
    public void a_value_date_inside_the_programme_but_outside_a_shorter_grant_window_is_refused()
    {
        var grant = Given.Grant(Given.Awarded(start: new LocalDate(2020, 6, 1), end: new LocalDate(2020, 12, 31)));

        Assert.Equal("outside-window",
            Given.CodeOf(RecordDisbursementDecision.Decide(grant, ProgrammeWindow, Command(100m, new LocalDate(2021, 1, 4)))));
    }

    [Fact]
    public void the_first_and_last_day_of_the_window_are_inside_it()
    {
        var grant = Given.Grant(Given.Awarded());

        Assert.True(RecordDisbursementDecision.Decide(grant, ProgrammeWindow, Command(100m, Given.WindowStart)).IsSuccess);
        Assert.True(RecordDisbursementDecision.Decide(grant, ProgrammeWindow, Command(100m, Given.WindowEnd)).IsSuccess);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("10.001")]
    public void invalid_amounts_are_refused(string amount) =>
        Assert.Equal("invalid-amount",
            Given.CodeOf(RecordDisbursementDecision.Decide(Given.Grant(Given.Awarded()), ProgrammeWindow, Command(decimal.Parse(amount)))));

    [Fact]
    public void a_payment_in_another_currency_is_refused() =>
        Assert.Equal("currency-mismatch",
            Given.CodeOf(RecordDisbursementDecision.Decide(Given.Grant(Given.Awarded()), ProgrammeWindow, Command(100m, currency: "KGS"))));
}
