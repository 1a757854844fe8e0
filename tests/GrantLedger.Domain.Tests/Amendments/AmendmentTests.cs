using GrantLedger.Domain.Amendments;
using GrantLedger.Domain.Budgets;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Milestones;
using GrantLedger.Domain.Programmes;
using GrantLedger.Domain.Tests.Budgets;
using NodaTime;

namespace GrantLedger.Domain.Tests.Amendments;

public class AmendmentTests
{
    private static readonly DateTimeZone Bishkek = DateTimeZoneProviders.Tzdb["Asia/Bishkek"];

    private static Programme Programme(decimal otherGrants = 130_000m) =>
        Given.Programme(Given.Opened(220_000m), Given.Committed(otherGrants), new GrantCommitted(Given.ProgrammeId, Given.GrantId, "SLT", Given.Eur(80_000m)));

    private static ProposeAmendment Proposal(decimal? amount = null, LocalDate? end = null, IReadOnlyList<PlannedBudgetLine>? budget = null,
        IReadOnlyList<MilestoneDueDate>? milestones = null, string by = "aigerim") =>
        new(Guid.NewGuid(), amount, end, budget, null, milestones, "Donor letter of 2021-05-03", by);

    private static (Grant Grant, Guid AmendmentId) Proposed(Grant grant, ProposeAmendment proposal, Programme? programme = null)
    {
        var proposed = AmendmentDecisions.Propose(grant, programme ?? Programme(), BudgetRules.Default, proposal).Value;
        return (grant.Evolve(proposed), proposed.AmendmentId);
    }

    [Fact]
    public void an_amendment_changes_nothing_until_a_second_person_approves_it()
    {
        var (grant, id) = Proposed(Given.Grant(Given.Awarded(80_000m)), Proposal(end: new LocalDate(2021, 9, 30)));

        Assert.Equal(new LocalDate(2021, 9, 30), grant.WindowEnd);
        Assert.Equal("same-person-approval", Given.CodeOf(AmendmentDecisions.Approve(grant, Programme(), id, "aigerim", Bishkek)));
    }

    [Fact]
    public void a_no_cost_extension_moves_the_end_date_within_the_programme_window()
    {
        var awarded = Given.Awarded(80_000m, end: new LocalDate(2021, 3, 31));
        var (grant, id) = Proposed(Given.Grant(awarded), Proposal(end: new LocalDate(2021, 9, 30)));

        var effects = AmendmentDecisions.Approve(grant, Programme(), id, "nurlan", Bishkek).Value;
        var after = effects.GrantEvents.Aggregate(grant, (g, e) => g.Evolve(e));

        Assert.Equal(new LocalDate(2021, 9, 30), after.WindowEnd);
        Assert.Equal(Given.Eur(80_000m), after.Amount);
        Assert.Null(effects.ProgrammeEvent);
        Assert.Equal(AmendmentStatus.Approved, after.Amendments.Single().Status);
    }

    [Fact]
    public void an_extension_beyond_the_programme_window_is_refused() =>
        Assert.Equal("outside-window", Given.CodeOf(AmendmentDecisions.Propose(Given.Grant(Given.Awarded(80_000m)), Programme(),
            BudgetRules.Default, Proposal(end: new LocalDate(2021, 10, 1)))));

    [Fact]
    public void more_money_comes_from_the_programme_reserve_and_is_committed_on_the_programme()
    {
        var grant = Given.Grant(Given.Awarded(80_000m));
        var (proposed, id) = Proposed(grant, Proposal(amount: 90_000m));

        var effects = AmendmentDecisions.Approve(proposed, Programme(), id, "nurlan", Bishkek).Value;

        Assert.Equal(Given.Eur(90_000m), effects.GrantEvents.Aggregate(proposed, (g, e) => g.Evolve(e)).Amount);
        Assert.Equal(Given.Eur(90_000m), effects.ProgrammeEvent!.To);
        Assert.Equal(Given.Eur(220_000m), Programme().Evolve(effects.ProgrammeEvent).Committed);
    }

    [Fact]
    public void more_money_than_the_programme_has_left_is_refused() =>
        Assert.Equal("allocation-exceeded", Given.CodeOf(AmendmentDecisions.Propose(Given.Grant(Given.Awarded(80_000m)), Programme(),
            BudgetRules.Default, Proposal(amount: 90_000.01m))));

    [Fact]
    public void a_change_of_amount_must_restate_a_budget_that_adds_up_to_it()
    {
        var grant = BudgetTests.Budgeted();

        var without = AmendmentDecisions.Propose(grant, Programme(), BudgetRules.Default, Proposal(amount: 85_000m));
        var with = AmendmentDecisions.Propose(grant, Programme(), BudgetRules.Default,
            Proposal(amount: 85_000m, budget: BudgetTests.SltBudget(community: 33_000m)));

        Assert.Equal("budget-total-mismatch", Given.CodeOf(without));
        Assert.True(with.IsSuccess);
    }

    [Fact]
    public void the_grant_cannot_shrink_below_what_was_paid() =>
        Assert.Equal("amount-below-paid", Given.CodeOf(AmendmentDecisions.Propose(Given.Grant(Given.Awarded(80_000m), Given.Paid(50_000m)),
            Programme(), BudgetRules.Default, Proposal(amount: 49_999.99m))));

    [Fact]
    public void a_rescheduled_milestone_gets_its_new_deadline_and_is_no_longer_overdue()
    {
        var grant = Given.GatedGrant(Given.MidTermOverdue());
        var (proposed, id) = Proposed(grant, Proposal(milestones: [new MilestoneDueDate(Given.MidTermId, new LocalDate(2021, 3, 31))]));

        var after = AmendmentDecisions.Approve(proposed, Programme(), id, "nurlan", Bishkek).Value.GrantEvents.Aggregate(proposed, (g, e) => g.Evolve(e));
        var milestone = after.FindMilestone(Given.MidTermId)!;

        Assert.Equal(new LocalDate(2021, 3, 31), milestone.DueDate);
        Assert.Equal(Instant.FromUtc(2021, 3, 31, 18, 0), milestone.Deadline);
        Assert.False(milestone.IsOverdue);
    }

    [Fact]
    public void an_amendment_that_changes_nothing_is_refused() =>
        Assert.Equal("empty-amendment", Given.CodeOf(AmendmentDecisions.Propose(Given.Grant(Given.Awarded()), Programme(), BudgetRules.Default, Proposal())));

    [Fact]
    public void a_decided_amendment_cannot_be_decided_again()
    {
        var (grant, id) = Proposed(Given.Grant(Given.Awarded(80_000m)), Proposal(end: new LocalDate(2021, 6, 30)));
        grant = grant.Evolve(AmendmentDecisions.Reject(grant, id, "Not agreed with the donor", "nurlan").Value);

        Assert.Equal("amendment-not-proposed", Given.CodeOf(AmendmentDecisions.Approve(grant, Programme(), id, "dana", Bishkek)));
    }
}
