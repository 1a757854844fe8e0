using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using NodaTime;

namespace GrantLedger.Domain.Tests.Grants;

/// <summary>Four eyes that cannot be split: each test is what a finance user would try to get around a second person.</summary>
public class SplitFourEyesTests
{
    private static readonly DateWindow ProgrammeWindow = new(Given.WindowStart, Given.WindowEnd);
    private static readonly ApprovalRules Rules = new(Given.Eur(10_000m), 30);
    private static readonly Instant Day1 = Instant.FromUtc(2020, 5, 4, 9, 0);

    private static Result<DisbursementDecision> Pay(Grant grant, decimal amount, Instant at, string by = "aigerim") =>
        RecordDisbursementDecision.Decide(grant, ProgrammeWindow,
            new RecordDisbursement(Guid.NewGuid(), amount, null, new LocalDate(2020, 5, 4), "ECARO-1", null, null, null, by, at),
            GranteeHold.None, Rules);

    private static Grant Paid(Grant grant, decimal amount, Instant at) => grant.Evolve(Pay(grant, amount, at).Value.Payment);

    [Fact]
    public void a_second_payment_that_brings_the_window_total_to_the_threshold_waits_for_a_second_person()
    {
        var grant = Paid(Given.Grant(Given.Awarded()), 9_999.99m, Day1);

        var second = Pay(grant, 9_999.99m, Day1.Plus(Duration.FromHours(1))).Value;

        Assert.True(second.AwaitsApproval);
        Assert.Equal(FourEyesRule.CumulativeWindow, second.Rule);
    }

    [Fact]
    public void one_payment_at_the_threshold_names_the_single_payment_rule() =>
        Assert.Equal(FourEyesRule.SinglePayment, Pay(Given.Grant(Given.Awarded()), 10_000m, Day1).Value.Rule);

    [Fact]
    public void payments_that_stay_below_the_threshold_together_are_recorded_at_once()
    {
        var grant = Paid(Given.Grant(Given.Awarded()), 4_000m, Day1);

        Assert.IsType<DisbursementRecorded>(Pay(grant, 5_999.99m, Day1.Plus(Duration.FromDays(1))).Value.Payment);
    }

    [Fact]
    public void a_pending_payment_counts_in_the_window_too()
    {
        var grant = Paid(Given.Grant(Given.Awarded()), 15_000m, Day1);

        Assert.Equal(FourEyesRule.CumulativeWindow, Pay(grant, 100m, Day1.Plus(Duration.FromDays(2))).Value.Rule);
    }

    [Fact]
    public void the_window_is_counted_from_the_recorded_time_not_the_typed_value_date()
    {
        // The value dates are far apart; the payments were recorded a minute apart.
        var first = RecordDisbursementDecision.Decide(Given.Grant(Given.Awarded()), ProgrammeWindow,
            new RecordDisbursement(Guid.NewGuid(), 9_999.99m, null, new LocalDate(2020, 4, 1), "A", null, null, null, "aigerim", Day1),
            GranteeHold.None, Rules).Value.Payment;
        var grant = Given.Grant(Given.Awarded(), first);

        var second = RecordDisbursementDecision.Decide(grant, ProgrammeWindow,
            new RecordDisbursement(Guid.NewGuid(), 9_999.99m, null, new LocalDate(2020, 9, 1), "B", null, null, null, "aigerim", Day1.Plus(Duration.FromMinutes(1))),
            GranteeHold.None, Rules).Value;

        Assert.Equal(FourEyesRule.CumulativeWindow, second.Rule);
    }

    [Fact]
    public void a_payment_recorded_after_the_window_starts_afresh()
    {
        var grant = Paid(Given.Grant(Given.Awarded()), 9_999.99m, Day1);

        Assert.IsType<DisbursementRecorded>(Pay(grant, 9_999.99m, Day1.Plus(Duration.FromDays(30))).Value.Payment);
        Assert.IsType<DisbursementSubmittedForApproval>(Pay(grant, 9_999.99m, Day1.Plus(Duration.FromDays(30)).Minus(Duration.FromSeconds(1))).Value.Payment);
    }

    [Fact]
    public void a_reversed_or_rejected_payment_no_longer_counts_in_the_window()
    {
        var paid = Given.Paid(9_999.99m) with { RecordedAt = Day1 };
        var grant = Given.Grant(Given.Awarded(), paid, Given.Reversed(paid));

        Assert.IsType<DisbursementRecorded>(Pay(grant, 9_999.99m, Day1.Plus(Duration.FromHours(1))).Value.Payment);
    }

    [Fact]
    public void the_recorder_of_a_cumulative_payment_cannot_approve_it_and_the_refusal_names_the_rule()
    {
        var grant = Paid(Given.Grant(Given.Awarded()), 9_999.99m, Day1);
        var pending = (DisbursementSubmittedForApproval)Pay(grant, 9_999.99m, Day1).Value.Payment;

        var own = ApproveDisbursementDecision.Decide(grant.Evolve(pending), new ApproveDisbursement(pending.DisbursementId, "aigerim"));

        Assert.Equal("same-person-approval", Given.CodeOf(own));
        Assert.Equal(FourEyesRule.CumulativeWindow, own.Error!.Rule);
    }
}

public class AwardFourEyesTests
{
    private static Programme WithThreshold(decimal threshold = 10_000m) =>
        Programme.Start(Given.Opened() with { ApprovalThreshold = Given.Eur(threshold) });

    private static AwardGrant Award(decimal amount, string by = "aigerim") =>
        new(Given.GrantId, "Snow Leopard Trust", ["KG"], "Community conservancies", amount, null, Given.WindowStart, Given.WindowEnd, null, by);

    [Fact]
    public void an_award_at_the_threshold_is_committed_but_awaits_a_second_person_and_cannot_be_paid()
    {
        var award = AwardGrantDecision.Decide(WithThreshold(), Award(10_000m)).Value;
        var grant = Given.Grant(award.Award, [.. award.GrantEvents.Skip(1)]);

        Assert.True(award.AwaitsApproval);
        Assert.Equal(Given.Eur(10_000m), award.Commitment.Amount);
        Assert.Equal("award-awaiting-approval", Given.CodeOf(RecordDisbursementDecision.Decide(grant, new(Given.WindowStart, Given.WindowEnd),
            new RecordDisbursement(Guid.NewGuid(), 100m, null, new LocalDate(2020, 5, 4), "X", null), GranteeHold.None)));
    }

    [Fact]
    public void below_the_threshold_an_award_applies_at_once() =>
        Assert.False(AwardGrantDecision.Decide(WithThreshold(), Award(9_999.99m)).Value.AwaitsApproval);

    [Fact]
    public void two_pending_awards_cannot_together_oversubscribe_the_allocation()
    {
        var programme = WithThreshold();
        var first = AwardGrantDecision.Decide(programme, Award(150_000m)).Value;

        var second = AwardGrantDecision.Decide(programme.Evolve(first.Commitment), Award(150_000m) with { GrantId = Guid.NewGuid() });

        Assert.Equal("allocation-exceeded", Given.CodeOf(second));
    }

    [Fact]
    public void the_awarder_cannot_approve_their_own_award_another_approver_can()
    {
        var award = AwardGrantDecision.Decide(WithThreshold(), Award(50_000m)).Value;
        var grant = Given.Grant(award.Award, [.. award.GrantEvents.Skip(1)]);

        var own = AwardApprovalDecision.Approve(grant, "aigerim");
        var other = AwardApprovalDecision.Approve(grant, "nurlan");

        Assert.Equal("same-person-approval", Given.CodeOf(own));
        Assert.Equal(FourEyesRule.Award, own.Error!.Rule);
        Assert.Equal(AwardStatus.Approved, grant.Evolve(other.Value).AwardState);
    }

    [Fact]
    public void a_rejected_award_releases_its_commitment_and_can_never_be_paid()
    {
        var programme = WithThreshold();
        var award = AwardGrantDecision.Decide(programme, Award(50_000m)).Value;
        var grant = Given.Grant(award.Award, [.. award.GrantEvents.Skip(1)]);

        var (rejected, released) = AwardApprovalDecision.Reject(grant, "Grantee not vetted", "nurlan").Value;

        Assert.Equal(Given.Eur(220_000m), programme.Evolve(award.Commitment).Evolve(released).Uncommitted);
        Assert.Equal("award-rejected", Given.CodeOf(RecordDisbursementDecision.Decide(grant.Evolve(rejected), new(Given.WindowStart, Given.WindowEnd),
            new RecordDisbursement(Guid.NewGuid(), 100m, null, new LocalDate(2020, 5, 4), "X", null), GranteeHold.None)));
    }
}

public class ReversalFourEyesTests
{
    private static readonly ApprovalRules Rules = new(Given.Eur(10_000m), 30);

    [Fact]
    public void reversing_a_payment_at_the_threshold_is_only_requested_until_another_approver_approves()
    {
        var paid = Given.Paid(10_000m);
        var grant = Given.Grant(Given.Awarded(), paid);

        var requested = Assert.IsType<ReversalRequested>(
            ReverseDisbursementDecision.Request(grant, new ReverseDisbursement(paid.DisbursementId, "duplicate", "aigerim"), Rules).Value);
        var pending = grant.Evolve(requested);
        var own = ReverseDisbursementDecision.DecideRequested(pending, new DecideReversal(paid.DisbursementId, true, "aigerim"));
        var approved = ReverseDisbursementDecision.DecideRequested(pending, new DecideReversal(paid.DisbursementId, true, "nurlan")).Value;

        Assert.Equal(Given.Eur(10_000m), pending.Disbursed);
        Assert.Equal("same-person-approval", Given.CodeOf(own));
        Assert.Equal(FourEyesRule.Reversal, own.Error!.Rule);
        var reversed = Assert.IsType<DisbursementReversed>(approved[1]);
        Assert.Equal("duplicate", reversed.Reason);
        Assert.Equal(Given.Eur(0m), approved.Aggregate(pending, (g, e) => g.Evolve(e)).Disbursed);
    }

    [Fact]
    public void below_the_threshold_a_reversal_applies_at_once()
    {
        var paid = Given.Paid(9_999.99m);

        Assert.IsType<DisbursementReversed>(ReverseDisbursementDecision.Request(Given.Grant(Given.Awarded(), paid),
            new ReverseDisbursement(paid.DisbursementId, "duplicate", "aigerim"), Rules).Value);
    }

    [Fact]
    public void a_second_request_while_one_is_pending_is_refused_and_a_rejected_one_leaves_the_payment_standing()
    {
        var paid = Given.Paid(20_000m);
        var grant = Given.Grant(Given.Awarded(), paid);
        var pending = grant.Evolve(ReverseDisbursementDecision.Request(grant, new ReverseDisbursement(paid.DisbursementId, "x", "aigerim"), Rules).Value);

        var again = ReverseDisbursementDecision.Request(pending, new ReverseDisbursement(paid.DisbursementId, "y", "aigerim"), Rules);
        var rejected = ReverseDisbursementDecision.DecideRequested(pending, new DecideReversal(paid.DisbursementId, false, "nurlan", "not a duplicate")).Value;

        Assert.Equal("reversal-pending", Given.CodeOf(again));
        Assert.Equal(Given.Eur(20_000m), rejected.Aggregate(pending, (g, e) => g.Evolve(e)).Disbursed);
    }
}

public class ApprovalRuleChangeTests
{
    private static Programme WithThreshold() => Programme.Start(Given.Opened() with { ApprovalThreshold = Given.Eur(10_000m) });

    [Theory]
    [InlineData(1_000_000_000_000, "approval-threshold-above-allocation")]
    [InlineData(220_000.01, "approval-threshold-above-allocation")]
    [InlineData(0, "invalid-approval-threshold")]
    [InlineData(-5, "invalid-approval-threshold")]
    [InlineData(10_000.001, "invalid-approval-threshold")]
    public void opening_a_programme_with_a_threshold_that_switches_four_eyes_off_is_refused(decimal threshold, string code) =>
        Assert.Equal(code, Given.CodeOf(OpenProgrammeDecision.Decide(new OpenProgramme(Guid.NewGuid(), "X", "X", "EUR", 220_000m,
            Given.WindowStart, Given.WindowEnd, "UTC", threshold))));

    [Theory]
    [InlineData(0)]
    [InlineData(367)]
    public void a_window_of_no_days_or_more_than_a_year_is_refused(int days) =>
        Assert.Equal("invalid-approval-window", Given.CodeOf(OpenProgrammeDecision.Decide(new OpenProgramme(Guid.NewGuid(), "X", "X", "EUR", 220_000m,
            Given.WindowStart, Given.WindowEnd, "UTC", 10_000m, null, days))));

    [Fact]
    public void a_threshold_equal_to_the_allocation_is_allowed_and_the_window_defaults_to_30_days()
    {
        var opened = OpenProgrammeDecision.Decide(new OpenProgramme(Guid.NewGuid(), "X", "X", "EUR", 220_000m,
            Given.WindowStart, Given.WindowEnd, "UTC", 220_000m)).Value;

        Assert.Equal(new ApprovalRules(Given.Eur(220_000m), 30), Programme.Start(opened).Approval);
    }

    [Fact]
    public void a_proposed_rule_change_changes_nothing_until_another_person_approves_it()
    {
        var programme = WithThreshold();
        var proposed = ApprovalRuleChangeDecisions.Propose(programme, new ProposeApprovalRuleChange(Guid.NewGuid(), 50_000m, 7, "Donor raised the limit", "aigerim")).Value;
        var pending = programme.Evolve(proposed);

        var own = ApprovalRuleChangeDecisions.Decide(pending, new DecideApprovalRuleChange(proposed.ProposalId, true, "aigerim"));
        var other = ApprovalRuleChangeDecisions.Decide(pending, new DecideApprovalRuleChange(proposed.ProposalId, true, "nurlan")).Value;

        Assert.Equal(Given.Eur(10_000m), pending.Approval!.Threshold);
        Assert.Equal("same-person-approval", Given.CodeOf(own));
        Assert.Equal(FourEyesRule.RuleChange, own.Error!.Rule);
        Assert.Equal(new ApprovalRules(Given.Eur(50_000m), 7), pending.Evolve(other).Approval);
    }

    [Fact]
    public void a_proposal_above_the_allocation_is_refused_and_a_decided_one_cannot_be_decided_again()
    {
        var programme = WithThreshold();
        var proposed = ApprovalRuleChangeDecisions.Propose(programme, new ProposeApprovalRuleChange(Guid.NewGuid(), 50_000m, null, "r", "aigerim")).Value;
        var rejected = programme.Evolve(proposed).Evolve(
            ApprovalRuleChangeDecisions.Decide(programme.Evolve(proposed), new DecideApprovalRuleChange(proposed.ProposalId, false, "nurlan", "no")).Value);

        Assert.Equal("approval-threshold-above-allocation", Given.CodeOf(
            ApprovalRuleChangeDecisions.Propose(programme, new ProposeApprovalRuleChange(Guid.NewGuid(), 1e12m, null, "r", "aigerim"))));
        Assert.Equal("not-awaiting-approval", Given.CodeOf(
            ApprovalRuleChangeDecisions.Decide(rejected, new DecideApprovalRuleChange(proposed.ProposalId, true, "dana"))));
        Assert.Equal(Given.Eur(10_000m), rejected.Approval!.Threshold);
    }
}
