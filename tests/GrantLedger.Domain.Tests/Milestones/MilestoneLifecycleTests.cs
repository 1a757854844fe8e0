using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Milestones;
using NodaTime;

namespace GrantLedger.Domain.Tests.Milestones;

public class MilestoneLifecycleTests
{
    private static readonly DateTimeZone Bishkek = DateTimeZoneProviders.Tzdb["Asia/Bishkek"];
    private static readonly Instant BeforeDeadline = Given.MidTermDeadline - Duration.FromMinutes(1);
    private static readonly Instant AfterDeadline = Given.MidTermDeadline + Duration.FromMinutes(1);

    private static SubmitMilestone Submission(int files = 1) =>
        new(Given.MidTermId, "Report attached",
            Enumerable.Range(0, files).Select(i => new EvidenceFile(Guid.NewGuid(), $"r{i}.pdf", "application/pdf", 10, "aa")).ToList());

    [Fact]
    public void the_deadline_is_the_end_of_the_due_date_in_the_programme_time_zone()
    {
        var planned = PlanMilestoneDecision.Decide(Given.Grant(Given.Awarded()),
            new PlanMilestone(Guid.NewGuid(), "Mid-term report", MilestoneKind.Interim, new LocalDate(2020, 12, 31), null), Bishkek).Value;

        // Midnight at the end of 31 December in Bishkek (UTC+6) is 18:00 UTC that day.
        Assert.Equal(Instant.FromUtc(2020, 12, 31, 18, 0), planned.Deadline);
    }

    [Fact]
    public void planning_a_milestone_that_gates_a_tranche_locks_the_tranche()
    {
        var grant = Given.Grant(Given.Awarded(80_000m), Given.TrancheOf(Given.Tranche2, 1, 40_000m));

        var planned = PlanMilestoneDecision.Decide(grant,
            new PlanMilestone(Given.MidTermId, "Mid-term report", MilestoneKind.Interim, new LocalDate(2020, 12, 31), Given.Tranche2), Bishkek).Value;

        Assert.True(grant.Evolve(planned).IsLocked(grant.Evolve(planned).Tranches[0]));
    }

    [Fact]
    public void a_tranche_already_gated_cannot_be_gated_again() =>
        Assert.Equal("tranche-already-gated", Given.CodeOf(PlanMilestoneDecision.Decide(Given.GatedGrant(),
            new PlanMilestone(Guid.NewGuid(), "Other", MilestoneKind.Other, new LocalDate(2021, 1, 31), Given.Tranche2), Bishkek)));

    [Fact]
    public void gating_an_unknown_tranche_is_refused() =>
        Assert.Equal("tranche-not-found", Given.CodeOf(PlanMilestoneDecision.Decide(Given.GatedGrant(),
            new PlanMilestone(Guid.NewGuid(), "Other", MilestoneKind.Other, new LocalDate(2021, 1, 31), Guid.NewGuid()), Bishkek)));

    [Fact]
    public void a_planned_milestone_can_be_submitted_with_evidence()
    {
        var submitted = SubmitMilestoneDecision.Decide(Given.GatedGrant(), Submission(2)).Value;

        Assert.Equal(2, submitted.Files.Count);
        Assert.Equal(MilestoneStatus.Submitted, Given.GatedGrant(submitted).FindMilestone(Given.MidTermId)!.Status);
    }

    [Fact]
    public void a_submission_without_evidence_is_refused() =>
        Assert.Equal("evidence-required", Given.CodeOf(SubmitMilestoneDecision.Decide(Given.GatedGrant(), Submission(0))));

    [Fact]
    public void a_submission_awaiting_review_cannot_be_submitted_again() =>
        Assert.Equal("milestone-already-submitted",
            Given.CodeOf(SubmitMilestoneDecision.Decide(Given.GatedGrant(Given.MidTermSubmitted()), Submission())));

    [Fact]
    public void a_rejected_milestone_can_be_resubmitted()
    {
        var grant = Given.GatedGrant(Given.MidTermSubmitted(), Given.MidTermRejected());

        var resubmitted = SubmitMilestoneDecision.Decide(grant, Submission()).Value;
        var milestone = grant.Evolve(resubmitted).FindMilestone(Given.MidTermId)!;

        Assert.Equal(MilestoneStatus.Submitted, milestone.Status);
        Assert.Equal(2, milestone.Submissions.Count);
        Assert.Null(milestone.RejectionReason);
    }

    [Fact]
    public void a_confirmed_milestone_cannot_be_submitted_confirmed_or_rejected_again()
    {
        var grant = Given.GatedGrant(Given.MidTermSubmitted(), Given.MidTermConfirmed());

        Assert.Equal("milestone-already-confirmed", Given.CodeOf(SubmitMilestoneDecision.Decide(grant, Submission())));
        Assert.Equal("milestone-already-confirmed", Given.CodeOf(ConfirmMilestoneDecision.Decide(grant, new ConfirmMilestone(Given.MidTermId, null))));
        Assert.Equal("milestone-already-confirmed", Given.CodeOf(RejectMilestoneDecision.Decide(grant, new RejectMilestone(Given.MidTermId, "no"), AfterDeadline)));
    }

    [Fact]
    public void only_a_submitted_milestone_can_be_confirmed_or_rejected()
    {
        Assert.Equal("milestone-not-submitted", Given.CodeOf(ConfirmMilestoneDecision.Decide(Given.GatedGrant(), new ConfirmMilestone(Given.MidTermId, null))));
        Assert.Equal("milestone-not-submitted", Given.CodeOf(RejectMilestoneDecision.Decide(Given.GatedGrant(), new RejectMilestone(Given.MidTermId, "no"), BeforeDeadline)));
    }

    [Fact]
    public void a_rejection_before_the_deadline_only_rejects()
    {
        var events = RejectMilestoneDecision.Decide(Given.GatedGrant(Given.MidTermSubmitted()), new RejectMilestone(Given.MidTermId, "Annex missing"), BeforeDeadline).Value;

        var rejected = Assert.IsType<MilestoneRejected>(Assert.Single(events));
        Assert.Equal("Annex missing", rejected.Reason);
    }

    [Fact]
    public void a_rejection_after_the_deadline_makes_the_milestone_overdue_at_once()
    {
        var events = RejectMilestoneDecision.Decide(Given.GatedGrant(Given.MidTermSubmitted()), new RejectMilestone(Given.MidTermId, "Annex missing"), AfterDeadline).Value;

        Assert.Collection(events, e => Assert.IsType<MilestoneRejected>(e), e => Assert.IsType<MilestoneBecameOverdue>(e));
    }

    [Fact]
    public void unknown_milestones_are_not_found()
    {
        var result = ConfirmMilestoneDecision.Decide(Given.GatedGrant(), new ConfirmMilestone(Guid.NewGuid(), null));

        Assert.Equal("milestone-not-found", Given.CodeOf(result));
        Assert.Equal(ErrorKind.NotFound, result.Error!.Kind);
    }

    [Fact]
    public void the_deadline_passing_with_nothing_delivered_makes_the_milestone_overdue()
    {
        var check = MilestoneDeadlineDecision.Decide(Given.GatedGrant(), Given.MidTermId, Given.MidTermDeadline);

        var overdue = Assert.IsType<DeadlineCheck.Overdue>(check);
        Assert.Equal(new LocalDate(2020, 12, 31), overdue.Event.DueDate);
        Assert.True(Given.GatedGrant(overdue.Event).FindMilestone(Given.MidTermId)!.IsOverdue);
    }

    [Fact]
    public void before_the_deadline_the_check_waits_for_it()
    {
        var check = MilestoneDeadlineDecision.Decide(Given.GatedGrant(), Given.MidTermId, BeforeDeadline);

        Assert.Equal(Given.MidTermDeadline, Assert.IsType<DeadlineCheck.NotYet>(check).Deadline);
    }

    [Theory]
    [MemberData(nameof(NothingOwed))]
    public void a_delivered_confirmed_or_already_overdue_milestone_is_not_marked_again(object[] history) =>
        Assert.IsType<DeadlineCheck.NothingToDo>(MilestoneDeadlineDecision.Decide(Given.GatedGrant(history), Given.MidTermId, AfterDeadline));

    public static TheoryData<object[]> NothingOwed => new()
    {
        new object[] { Given.MidTermSubmitted() },
        new object[] { Given.MidTermSubmitted(), Given.MidTermConfirmed() },
        new object[] { Given.MidTermOverdue() },
    };
}
