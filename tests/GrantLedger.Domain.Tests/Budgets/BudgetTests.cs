using GrantLedger.Domain.Amendments;
using GrantLedger.Domain.Budgets;
using GrantLedger.Domain.Expenditure;
using GrantLedger.Domain.Grants;
using NodaTime;

namespace GrantLedger.Domain.Tests.Budgets;

public class BudgetTests
{
    private static readonly BudgetRules Rules = BudgetRules.Default;

    public static PlannedBudgetLine Line(string code, string heading, decimal amount) => new(Guid.NewGuid(), code, heading, code, amount);

    /// <summary>80,000: direct 75,000 and indirect 5,000 (6.67%, under the 7% cap of 5,250).</summary>
    public static IReadOnlyList<PlannedBudgetLine> SltBudget(decimal indirect = 5_000m, decimal community = 28_000m) =>
    [
        Line("P1", "personnel", 24_000m), Line("T1", "travel", 8_000m), Line("E1", "equipment", 10_000m),
        Line("C1", "community-activities", community), Line("M1", "monitoring-and-evaluation", 5_000m), Line("I1", "indirect-costs", indirect),
    ];

    public static Grant Budgeted(IReadOnlyList<PlannedBudgetLine>? lines = null)
    {
        var grant = Given.Grant(Given.Awarded(80_000m));
        return grant.Evolve(SetBudgetDecision.Decide(grant, Rules, new SetBudget(lines ?? SltBudget())).Value);
    }

    [Fact]
    public void a_budget_adding_up_to_the_grant_is_set_and_becomes_the_baseline()
    {
        var grant = Budgeted();

        Assert.Equal(6, grant.Budget!.Lines.Count);
        Assert.Equal(Given.Eur(28_000m), grant.Budget.Baseline["community-activities"]);
    }

    [Fact]
    public void a_budget_that_does_not_add_up_to_the_grant_is_refused() =>
        Assert.Equal("budget-total-mismatch", Given.CodeOf(SetBudgetDecision.Decide(Given.Grant(Given.Awarded(80_000m)), Rules,
            new SetBudget(SltBudget(community: 27_999.99m)))));

    [Fact]
    public void indirect_costs_may_reach_exactly_seven_percent_of_direct_costs_but_not_more()
    {
        // Direct 74,766.36 -> 7% = 5,233.6452: indirect 5,233.64 fits; with direct 74,766.35 the cap is 5,233.6445.
        var fits = SetBudgetDecision.Decide(Given.Grant(Given.Awarded(80_000m)), Rules,
            new SetBudget([Line("P1", "personnel", 74_766.36m), Line("I1", "indirect-costs", 5_233.64m)]));
        var over = SetBudgetDecision.Decide(Given.Grant(Given.Awarded(80_000m)), Rules,
            new SetBudget([Line("P1", "personnel", 74_766.35m), Line("I1", "indirect-costs", 5_233.65m)]));

        Assert.True(fits.IsSuccess);
        Assert.Equal("indirect-cost-cap-exceeded", Given.CodeOf(over));
    }

    [Fact]
    public void unknown_headings_and_repeated_codes_are_named_by_row()
    {
        var result = SetBudgetDecision.Decide(Given.Grant(Given.Awarded(80_000m)), Rules,
            new SetBudget([Line("P1", "personnel", 40_000m), Line("P1", "snacks", 40_000m)]));

        Assert.Equal("invalid-budget", Given.CodeOf(result));
        Assert.Contains(result.Error!.Rows!, r => r is { Row: 2, Field: "heading" });
        Assert.Contains(result.Error!.Rows!, r => r is { Row: 2, Field: "code" });
    }

    [Fact]
    public void a_revision_within_a_quarter_of_each_heading_is_recorded_with_its_reason()
    {
        var grant = Budgeted();
        var community = grant.Budget!.LineByCode("C1")!;
        var personnel = grant.Budget.LineByCode("P1")!;

        // Community activities 28,000 -> 34,000 (+21%), personnel 24,000 -> 18,000 (-25%, exactly the cap).
        var revised = ReviseBudgetDecision.Decide(grant, Rules, new ReviseBudget(
            [(community.LineId, 34_000m), (personnel.LineId, 18_000m)], "More corrals, fewer rangers")).Value;

        Assert.Equal("More corrals, fewer rangers", revised.Reason);
        Assert.Equal(Given.Eur(34_000m), grant.Evolve(revised).Budget!.LineByCode("C1")!.Amount);
    }

    [Fact]
    public void moving_more_than_a_quarter_of_a_heading_needs_an_amendment()
    {
        var grant = Budgeted();
        var community = grant.Budget!.LineByCode("C1")!;
        var equipment = grant.Budget.LineByCode("E1")!;

        // Equipment 10,000 -> 7,499.99 moves 25.0001%.
        var result = ReviseBudgetDecision.Decide(grant, Rules, new ReviseBudget(
            [(community.LineId, 30_500.01m), (equipment.LineId, 7_499.99m)], "More corrals"));

        Assert.Equal("reallocation-cap-exceeded", Given.CodeOf(result));
        Assert.Contains("equipment", result.Error!.Message);
    }

    [Fact]
    public void revisions_are_cumulative_against_the_original_amounts()
    {
        var grant = Budgeted();
        var (community, equipment) = (grant.Budget!.LineByCode("C1")!, grant.Budget.LineByCode("E1")!);
        grant = grant.Evolve(ReviseBudgetDecision.Decide(grant, Rules, new ReviseBudget([(community.LineId, 30_000m), (equipment.LineId, 8_000m)], "first")).Value);

        var second = ReviseBudgetDecision.Decide(grant, Rules, new ReviseBudget([(community.LineId, 31_000m), (equipment.LineId, 7_000m)], "second"));

        Assert.Equal("reallocation-cap-exceeded", Given.CodeOf(second));
    }

    [Fact]
    public void a_revision_cannot_change_the_total()
    {
        var grant = Budgeted();

        Assert.Equal("budget-total-mismatch", Given.CodeOf(ReviseBudgetDecision.Decide(grant, Rules,
            new ReviseBudget([(grant.Budget!.Lines[0].LineId, 24_000.01m)], "typo"))));
    }

    [Fact]
    public void a_revision_may_not_push_indirect_costs_over_the_cap()
    {
        var grant = Budgeted();
        var (indirect, community) = (grant.Budget!.LineByCode("I1")!, grant.Budget.LineByCode("C1")!);

        var result = ReviseBudgetDecision.Decide(grant, Rules, new ReviseBudget([(indirect.LineId, 6_000m), (community.LineId, 27_000m)], "overheads"));

        Assert.Equal("indirect-cost-cap-exceeded", Given.CodeOf(result));
    }

    [Fact]
    public void after_an_amendment_the_cap_is_measured_from_the_restated_budget()
    {
        var grant = Budgeted();
        var restated = grant.Budget!.Lines.Select(l => l.Code == "C1" ? l with { Amount = Given.Eur(33_000m) } : l.Code == "E1" ? l with { Amount = Given.Eur(5_000m) } : l).ToList();
        grant = grant.Evolve(new BudgetRestated(grant.Id, restated, Guid.NewGuid()));

        var equipment = grant.Budget!.LineByCode("E1")!;
        var community = grant.Budget.LineByCode("C1")!;
        var result = ReviseBudgetDecision.Decide(grant, Rules, new ReviseBudget([(equipment.LineId, 6_000m), (community.LineId, 32_000m)], "within 25% of 5,000"));

        Assert.True(result.IsSuccess);
    }

    [Fact]
    public void once_spending_is_reported_the_budget_can_only_be_revised_or_amended()
    {
        var grant = Budgeted();
        grant = grant.Evolve(new ExpenditureReportSubmitted(grant.Id, Guid.NewGuid(), new LocalDate(2020, 4, 1), new LocalDate(2020, 6, 30), []));

        Assert.Equal("budget-locked", Given.CodeOf(SetBudgetDecision.Decide(grant, Rules, new SetBudget(SltBudget()))));
    }
}
