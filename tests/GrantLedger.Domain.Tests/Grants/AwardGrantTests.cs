using GrantLedger.Domain.Grants;
using NodaTime;

namespace GrantLedger.Domain.Tests.Grants;

public class AwardGrantTests
{
    private static AwardGrant Command(decimal amount, LocalDate? start = null, LocalDate? end = null, string? currency = null) =>
        new(Given.GrantId, "Snow Leopard Conservancy", ["KG", "TJ"], "Sacred sites", amount, currency,
            start ?? Given.WindowStart, end ?? Given.WindowEnd);

    [Fact]
    public void awarding_commits_the_amount_on_the_programme_and_starts_the_grant()
    {
        var programme = Given.Programme(Given.Opened());

        var award = AwardGrantDecision.Decide(programme, Command(70_000m)).Value;

        Assert.Equal(Given.Eur(70_000m), award.Commitment.Amount);
        Assert.Equal(award.Commitment.GrantId, award.Award.GrantId);
        Assert.Equal(["KG", "TJ"], award.Award.Countries);
        Assert.Equal(Given.Eur(150_000m), programme.Evolve(award.Commitment).Uncommitted);
    }

    [Fact]
    public void the_whole_uncommitted_allocation_can_be_awarded()
    {
        var programme = Given.Programme(Given.Opened(), Given.Committed(80_000m), Given.Committed(70_000m), Given.Committed(60_000m));

        Assert.True(AwardGrantDecision.Decide(programme, Command(10_000m)).IsSuccess);
    }

    [Fact]
    public void awarding_more_than_the_uncommitted_allocation_is_refused()
    {
        var programme = Given.Programme(Given.Opened(), Given.Committed(80_000m), Given.Committed(70_000m), Given.Committed(60_000m));

        var result = AwardGrantDecision.Decide(programme, Command(10_000.01m));

        Assert.Equal("allocation-exceeded", Given.CodeOf(result));
        Assert.Contains("10000.00 EUR", result.Error!.Message);
    }

    [Fact]
    public void a_grant_window_outside_the_programme_window_is_refused()
    {
        var programme = Given.Programme(Given.Opened());

        Assert.Equal("outside-window", Given.CodeOf(AwardGrantDecision.Decide(programme, Command(1_000m, start: new LocalDate(2020, 3, 31)))));
        Assert.Equal("outside-window", Given.CodeOf(AwardGrantDecision.Decide(programme, Command(1_000m, end: new LocalDate(2021, 10, 1)))));
    }

    [Fact]
    public void a_grant_in_another_currency_is_refused() =>
        Assert.Equal("currency-mismatch",
            Given.CodeOf(AwardGrantDecision.Decide(Given.Programme(Given.Opened()), Command(1_000m, currency: "USD"))));

    [Fact]
    public void a_grant_amount_with_fractions_of_a_cent_is_refused() =>
        Assert.Equal("invalid-amount",
            Given.CodeOf(AwardGrantDecision.Decide(Given.Programme(Given.Opened()), Command(1_000.001m))));
}
