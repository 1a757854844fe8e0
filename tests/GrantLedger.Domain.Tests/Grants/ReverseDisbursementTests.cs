using GrantLedger.Domain.Grants;

namespace GrantLedger.Domain.Tests.Grants;

public class ReverseDisbursementTests
{
    [Fact]
    public void reversing_a_payment_restores_the_remaining_amount_and_keeps_the_original()
    {
        var paid = Given.Paid(28_000m);
        var grant = Given.Grant(Given.Awarded(70_000m), paid);

        var reversed = ReverseDisbursementDecision.Decide(grant, new ReverseDisbursement(paid.DisbursementId, "Duplicate payment")).Value;
        var after = grant.Evolve(reversed);

        Assert.Equal(Given.Eur(28_000m), reversed.Amount);
        Assert.Equal(Given.Eur(70_000m), after.Remaining);
        var original = Assert.Single(after.Disbursements);
        Assert.True(original.Reversed);
        Assert.Equal("Duplicate payment", original.ReversalReason);
    }

    [Fact]
    public void a_payment_cannot_be_reversed_twice()
    {
        var paid = Given.Paid(28_000m);
        var grant = Given.Grant(Given.Awarded(70_000m), paid, Given.Reversed(paid));

        Assert.Equal("already-reversed",
            Given.CodeOf(ReverseDisbursementDecision.Decide(grant, new ReverseDisbursement(paid.DisbursementId, "again"))));
    }

    [Fact]
    public void reversing_an_unknown_payment_is_not_found()
    {
        var result = ReverseDisbursementDecision.Decide(Given.Grant(Given.Awarded()), new ReverseDisbursement(Guid.NewGuid(), "?"));

        Assert.Equal("disbursement-not-found", Given.CodeOf(result));
        Assert.Equal(ErrorKind.NotFound, result.Error!.Kind);
    }
}
