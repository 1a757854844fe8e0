using GrantLedger.Domain.Grants;
using NodaTime;

namespace GrantLedger.Domain.Tests.Grants;

public class ReportedSpendTests
{
    private static readonly DateWindow Window = new(Given.WindowStart, Given.WindowEnd);

    private static Result<DisbursementDecision> PayTranche2(decimal accepted, string? overrideReason = null)
    {
        var grant = Given.GatedGrant(Given.Paid(40_000m) with { TrancheId = Given.Tranche1 }, Given.MidTermSubmitted(), Given.MidTermConfirmed());
        return RecordDisbursementDecision.Decide(grant, Window,
            new RecordDisbursement(Guid.NewGuid(), 10_000m, null, new LocalDate(2021, 1, 18), "ECARO-2", null, Given.Tranche2, overrideReason),
            GranteeHold.None, null, new ReportedSpend(Given.Eur(accepted), 0.70m));
    }

    [Fact]
    public void a_further_tranche_needs_seventy_percent_of_the_funds_received_reported_and_accepted()
    {
        var refused = PayTranche2(27_999.99m);

        Assert.Equal("insufficient-reported-spend", Given.CodeOf(refused));
        Assert.Contains("28000.00 EUR", refused.Error!.Message);
        Assert.True(PayTranche2(28_000m).IsSuccess);
    }

    [Fact]
    public void finance_may_override_the_rule_with_a_reason_which_is_recorded()
    {
        var decision = PayTranche2(10_000m, "Donor agreed in writing to advance the tranche").Value;

        var overridden = Assert.IsType<ReportedSpendRuleOverridden>(decision.Overrides.Single());
        Assert.Equal(Given.Eur(28_000m), overridden.Required);
        Assert.Equal(Given.Eur(10_000m), overridden.Accepted);
    }

    [Fact]
    public void the_first_tranche_is_not_subject_to_the_rule()
    {
        var grant = Given.GatedGrant(Given.Paid(30_000m) with { TrancheId = Given.Tranche1 });

        var decision = RecordDisbursementDecision.Decide(grant, Window,
            new RecordDisbursement(Guid.NewGuid(), 10_000m, null, new LocalDate(2020, 6, 1), "ECARO-1b", null, Given.Tranche1),
            GranteeHold.None, null, new ReportedSpend(Given.Eur(0m), 0.70m));

        Assert.True(decision.IsSuccess);
    }
}
