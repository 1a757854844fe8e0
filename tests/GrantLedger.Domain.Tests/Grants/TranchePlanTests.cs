using GrantLedger.Domain.Grants;

namespace GrantLedger.Domain.Tests.Grants;

public class TranchePlanTests
{
    [Fact]
    public void tranches_are_numbered_in_order_and_may_add_up_to_the_grant()
    {
        var grant = Given.Grant(Given.Awarded(80_000m), Given.TrancheOf(Given.Tranche1, 1, 32_000m), Given.TrancheOf(Given.Tranche2, 2, 32_000m));

        var added = AddTrancheDecision.Decide(grant, new AddTranche(Guid.NewGuid(), 16_000m, null)).Value;

        Assert.Equal(3, added.Number);
        Assert.Equal(Given.Eur(80_000m), grant.Evolve(added).Planned);
    }

    [Fact]
    public void tranches_adding_up_to_more_than_the_grant_are_refused()
    {
        var grant = Given.Grant(Given.Awarded(80_000m), Given.TrancheOf(Given.Tranche1, 1, 70_000m));

        Assert.Equal("tranche-plan-exceeded", Given.CodeOf(AddTrancheDecision.Decide(grant, new AddTranche(Guid.NewGuid(), 10_000.01m, null))));
    }

    [Fact]
    public void a_tranche_gated_by_an_unknown_milestone_is_refused() =>
        Assert.Equal("milestone-not-found",
            Given.CodeOf(AddTrancheDecision.Decide(Given.Grant(Given.Awarded()), new AddTranche(Guid.NewGuid(), 1m, Guid.NewGuid()))));

    [Fact]
    public void an_amendment_restates_the_plan_and_keeps_what_was_paid()
    {
        var grant = Given.GatedGrant(Given.Paid(40_000m) with { TrancheId = Given.Tranche1 });

        var amended = AmendTranchePlanDecision.Decide(grant, new AmendTranchePlan(
            [new PlannedTranche(Given.Tranche1, 40_000m, null, Guid.NewGuid()), new PlannedTranche(Given.Tranche2, 20_000m, Given.MidTermId, Guid.NewGuid()), new PlannedTranche(null, 20_000m, null, Guid.NewGuid())],
            "No-cost restructuring agreed with the donor")).Value;
        var after = grant.Evolve(amended);

        Assert.Equal(3, after.Tranches.Count);
        Assert.Equal(Given.Eur(80_000m), after.Planned);
        Assert.Equal(Given.Eur(40_000m), after.PaidAgainst(Given.Tranche1));
        Assert.Equal("No-cost restructuring agreed with the donor", amended.Reason);
    }

    [Fact]
    public void an_amendment_cannot_drop_or_shrink_a_tranche_below_what_was_paid_against_it()
    {
        var grant = Given.GatedGrant(Given.Paid(30_000m) with { TrancheId = Given.Tranche1 });

        Assert.Equal("tranche-below-paid", Given.CodeOf(AmendTranchePlanDecision.Decide(grant,
            new AmendTranchePlan([new PlannedTranche(Given.Tranche2, 80_000m, null, Guid.NewGuid())], "merge"))));
        Assert.Equal("tranche-below-paid", Given.CodeOf(AmendTranchePlanDecision.Decide(grant,
            new AmendTranchePlan([new PlannedTranche(Given.Tranche1, 29_999.99m, null, Guid.NewGuid())], "shrink"))));
    }

    [Fact]
    public void an_amended_plan_cannot_exceed_the_grant() =>
        Assert.Equal("tranche-plan-exceeded", Given.CodeOf(AmendTranchePlanDecision.Decide(Given.GatedGrant(),
            new AmendTranchePlan([new PlannedTranche(null, 50_000m, null, Guid.NewGuid()), new PlannedTranche(null, 30_000.01m, null, Guid.NewGuid())], "too much"))));

    [Fact]
    public void finance_alone_cannot_remove_a_milestone_gate_but_an_approved_amendment_can()
    {
        var plan = new List<PlannedTranche> { new(Given.Tranche1, 40_000m, null, Guid.NewGuid()), new(Given.Tranche2, 40_000m, null, Guid.NewGuid()) };

        var alone = AmendTranchePlanDecision.Decide(Given.GatedGrant(), new AmendTranchePlan(plan, "pay early"));
        var amended = AmendTranchePlanDecision.Decide(Given.GatedGrant(), new AmendTranchePlan(plan, "donor waived the report", ThroughAmendment: true));

        Assert.Equal("gate-change-needs-amendment", Given.CodeOf(alone));
        Assert.True(amended.IsSuccess);
    }
}
