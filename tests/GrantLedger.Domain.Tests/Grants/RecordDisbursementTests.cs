using GrantLedger.Domain.Grants;
using NodaTime;

namespace GrantLedger.Domain.Tests.Grants;

public class RecordDisbursementTests
{
    private static readonly DateWindow ProgrammeWindow = new(Given.WindowStart, Given.WindowEnd);

    private static RecordDisbursement Command(decimal amount, LocalDate? valueDate = null, string? currency = null,
        Guid? tranche = null, string? overrideReason = null) =>
        new(Guid.NewGuid(), amount, currency, valueDate ?? new LocalDate(2020, 4, 20), "ECARO-2020-0412", "Tranche 1", tranche, overrideReason);

    private static Result<DisbursementDecision> Decide(Grant grant, RecordDisbursement command, GranteeHold? hold = null) =>
        RecordDisbursementDecision.Decide(grant, ProgrammeWindow, command, hold ?? GranteeHold.None);

    [Fact]
    public void a_payment_within_the_remaining_amount_is_recorded()
    {
        var grant = Given.Grant(Given.Awarded(80_000m));

        var recorded = Decide(grant, Command(32_000m)).Value.Recorded;

        Assert.Equal(Given.Eur(32_000m), recorded.Amount);
        Assert.Equal(new LocalDate(2020, 4, 20), recorded.ValueDate);
        Assert.Equal(Given.Eur(48_000m), grant.Evolve(recorded).Remaining);
    }

    [Fact]
    public void paying_exactly_the_remaining_amount_is_allowed() =>
        Assert.True(Decide(Given.Grant(Given.Awarded(80_000m), Given.Paid(79_999.99m)), Command(0.01m)).IsSuccess);

    [Fact]
    public void paying_more_than_remains_on_the_grant_is_refused() =>
        Assert.Equal("grant-exceeded", Given.CodeOf(Decide(Given.Grant(Given.Awarded(80_000m), Given.Paid(79_999.99m)), Command(0.02m))));

    [Fact]
    public void a_reversed_payment_no_longer_counts_against_the_grant()
    {
        var paid = Given.Paid(80_000m);

        Assert.True(Decide(Given.Grant(Given.Awarded(80_000m), paid, Given.Reversed(paid)), Command(80_000m)).IsSuccess);
    }

    [Theory]
    [InlineData(2020, 3, 31)]
    [InlineData(2021, 10, 1)]
    public void a_value_date_outside_the_window_is_refused(int year, int month, int day) =>
        Assert.Equal("outside-window", Given.CodeOf(Decide(Given.Grant(Given.Awarded()), Command(100m, new LocalDate(year, month, day)))));

    [Fact]
    public void a_value_date_inside_the_programme_but_outside_a_shorter_grant_window_is_refused()
    {
        var grant = Given.Grant(Given.Awarded(start: new LocalDate(2020, 6, 1), end: new LocalDate(2020, 12, 31)));

        Assert.Equal("outside-window", Given.CodeOf(Decide(grant, Command(100m, new LocalDate(2021, 1, 4)))));
    }

    [Fact]
    public void the_first_and_last_day_of_the_window_are_inside_it()
    {
        var grant = Given.Grant(Given.Awarded());

        Assert.True(Decide(grant, Command(100m, Given.WindowStart)).IsSuccess);
        Assert.True(Decide(grant, Command(100m, Given.WindowEnd)).IsSuccess);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("10.001")]
    public void invalid_amounts_are_refused(string amount) =>
        Assert.Equal("invalid-amount", Given.CodeOf(Decide(Given.Grant(Given.Awarded()), Command(decimal.Parse(amount)))));

    [Fact]
    public void a_payment_in_another_currency_is_refused() =>
        Assert.Equal("currency-mismatch", Given.CodeOf(Decide(Given.Grant(Given.Awarded()), Command(100m, currency: "KGS"))));

    [Fact]
    public void an_open_tranche_can_be_paid_up_to_its_amount()
    {
        var grant = Given.GatedGrant();

        var recorded = Decide(grant, Command(40_000m, tranche: Given.Tranche1)).Value.Recorded;

        Assert.Equal(Given.Tranche1, recorded.TrancheId);
        Assert.Equal(Given.Eur(40_000m), grant.Evolve(recorded).PaidAgainst(Given.Tranche1));
    }

    [Fact]
    public void a_tranche_cannot_be_overpaid()
    {
        var grant = Given.GatedGrant(Given.Paid(30_000m) with { TrancheId = Given.Tranche1 });

        var result = Decide(grant, Command(10_000.01m, tranche: Given.Tranche1));

        Assert.Equal("tranche-exceeded", Given.CodeOf(result));
        Assert.Contains("10000.00 EUR", result.Error!.Message);
    }

    [Fact]
    public void a_tranche_gated_by_an_unconfirmed_milestone_is_locked()
    {
        Assert.Equal("tranche-locked", Given.CodeOf(Decide(Given.GatedGrant(), Command(1m, tranche: Given.Tranche2))));
        Assert.Equal("tranche-locked", Given.CodeOf(Decide(Given.GatedGrant(Given.MidTermSubmitted()), Command(1m, tranche: Given.Tranche2))));
    }

    [Fact]
    public void confirming_the_milestone_opens_its_tranche()
    {
        var grant = Given.GatedGrant(Given.MidTermSubmitted(), Given.MidTermConfirmed());

        Assert.True(Decide(grant, Command(40_000m, tranche: Given.Tranche2)).IsSuccess);
    }

    [Fact]
    public void a_grant_with_a_tranche_plan_needs_the_tranche_named_so_gates_cannot_be_bypassed() =>
        Assert.Equal("tranche-required", Given.CodeOf(Decide(Given.GatedGrant(), Command(1m))));

    [Fact]
    public void an_unknown_tranche_is_refused() =>
        Assert.Equal("tranche-not-found", Given.CodeOf(Decide(Given.GatedGrant(), Command(1m, tranche: Guid.NewGuid()))));

    [Fact]
    public void a_grantee_with_an_overdue_milestone_is_on_hold()
    {
        var overdue = Given.GatedGrant(Given.MidTermOverdue());

        var result = Decide(Given.Grant(Given.Awarded()), Command(100m), GranteeHold.Of([overdue]));

        Assert.Equal("grantee-on-hold", Given.CodeOf(result));
        Assert.Contains("Mid-term report", result.Error!.Message);
    }

    [Fact]
    public void an_override_with_a_reason_pays_through_the_hold_and_is_recorded_as_its_own_fact()
    {
        var hold = GranteeHold.Of([Given.GatedGrant(Given.MidTermOverdue())]);

        var decision = Decide(Given.Grant(Given.Awarded()), Command(100m, overrideReason: "Director approved field season"), hold).Value;

        Assert.NotNull(decision.Override);
        Assert.Equal("Director approved field season", decision.Override!.Reason);
        Assert.Equal([Given.MidTermId], decision.Override.OverdueMilestoneIds);
        Assert.Equal(decision.Recorded.DisbursementId, decision.Override.DisbursementId);
        Assert.Equal(2, decision.Events.Count());
    }

    [Fact]
    public void a_late_submission_lifts_the_hold_and_a_rejection_brings_it_back()
    {
        var submittedLate = Given.GatedGrant(Given.MidTermOverdue(), Given.MidTermSubmitted());
        var rejected = submittedLate.Evolve(Given.MidTermRejected());

        Assert.False(GranteeHold.Of([submittedLate]).IsOnHold);
        Assert.True(GranteeHold.Of([rejected]).IsOnHold);
    }

    [Fact]
    public void without_a_hold_no_override_event_is_recorded() =>
        Assert.Null(Decide(Given.Grant(Given.Awarded()), Command(100m, overrideReason: "just in case")).Value.Override);
}
