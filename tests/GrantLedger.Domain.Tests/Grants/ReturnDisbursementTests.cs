using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using NodaTime;

namespace GrantLedger.Domain.Tests.Grants;

public class ReturnDisbursementTests
{
    private static ReturnDisbursement Back(Guid payment, decimal amount, LocalDate? on = null) =>
        new(payment, amount, on ?? new LocalDate(2020, 5, 20), "Beneficiary account closed", "RTN-1", "finance@test.example");

    [Fact]
    public void a_partial_return_restores_what_came_back_and_the_bank_charges_stay_paid()
    {
        var paid = Given.Paid(28_000m);
        var grant = Given.Grant(Given.Awarded(70_000m), paid);

        var returned = ReturnDisbursementDecision.Decide(grant, Back(paid.DisbursementId, 27_985m)).Value;
        var after = grant.Evolve(returned);

        Assert.Equal(Given.Eur(15m), after.Disbursed);
        Assert.Equal(Given.Eur(69_985m), after.Remaining);
        var payment = Assert.Single(after.Disbursements);
        Assert.True(payment.IsReturned);
        Assert.False(payment.Reversed);
        Assert.Equal("Beneficiary account closed", payment.ReturnReason);
    }

    [Fact]
    public void a_return_gives_the_tranche_its_room_back()
    {
        var paid = Given.Paid(30_000m) with { TrancheId = Given.Tranche1 };
        var grant = Given.Grant(Given.Awarded(70_000m), Given.TrancheOf(Given.Tranche1, 1, 30_000m), paid);

        var after = grant.Evolve(ReturnDisbursementDecision.Decide(grant, Back(paid.DisbursementId, 30_000m)).Value);

        Assert.Equal(Given.Eur(0m), after.PaidAgainst(Given.Tranche1));
        Assert.Equal(Given.Eur(0m), after.CommittedAgainst(Given.Tranche1));
    }

    [Fact]
    public void a_payment_cannot_be_returned_twice()
    {
        var paid = Given.Paid(28_000m);
        var grant = Given.Grant(Given.Awarded(70_000m), paid);
        grant = grant.Evolve(ReturnDisbursementDecision.Decide(grant, Back(paid.DisbursementId, 1_000m)).Value);

        Assert.Equal("payment-not-returnable", Given.CodeOf(ReturnDisbursementDecision.Decide(grant, Back(paid.DisbursementId, 1_000m))));
    }

    [Fact]
    public void a_reversed_payment_cannot_be_returned_and_a_returned_one_cannot_be_reversed()
    {
        var reversedPayment = Given.Paid(1_000m);
        var returnedPayment = Given.Paid(2_000m);
        var grant = Given.Grant(Given.Awarded(70_000m), reversedPayment, returnedPayment, Given.Reversed(reversedPayment));
        grant = grant.Evolve(ReturnDisbursementDecision.Decide(grant, Back(returnedPayment.DisbursementId, 2_000m)).Value);

        Assert.Equal("payment-not-returnable", Given.CodeOf(ReturnDisbursementDecision.Decide(grant, Back(reversedPayment.DisbursementId, 1_000m))));
        Assert.Equal("payment-returned",
            Given.CodeOf(ReverseDisbursementDecision.Decide(grant, new ReverseDisbursement(returnedPayment.DisbursementId, "mistake"))));
    }

    [Fact]
    public void a_payment_awaiting_approval_or_with_a_reversal_pending_cannot_be_returned()
    {
        var held = new DisbursementSubmittedForApproval(Given.GrantId, Given.ProgrammeId, Guid.NewGuid(), Given.Eur(20_000m), new LocalDate(2020, 5, 1),
            "BANK-2", null, null, "finance");
        var paid = Given.Paid(5_000m);
        var grant = Given.Grant(Given.Awarded(70_000m), held, paid,
            new ReversalRequested(Given.GrantId, Given.ProgrammeId, paid.DisbursementId, paid.Amount, "duplicate", "finance"));

        Assert.Equal("payment-not-returnable", Given.CodeOf(ReturnDisbursementDecision.Decide(grant, Back(held.DisbursementId, 1_000m))));
        Assert.Equal("payment-not-returnable", Given.CodeOf(ReturnDisbursementDecision.Decide(grant, Back(paid.DisbursementId, 1_000m))));
    }

    [Theory]
    [InlineData(28_000.01, "return-exceeds-payment")]
    [InlineData(0, "invalid-amount")]
    [InlineData(-5, "invalid-amount")]
    [InlineData(1.005, "invalid-amount")]
    public void a_return_must_be_more_than_nothing_and_no_more_than_the_payment(decimal amount, string code)
    {
        var paid = Given.Paid(28_000m);
        var grant = Given.Grant(Given.Awarded(70_000m), paid);

        Assert.Equal(code, Given.CodeOf(ReturnDisbursementDecision.Decide(grant, Back(paid.DisbursementId, amount))));
    }

    [Fact]
    public void the_money_cannot_come_back_before_it_left()
    {
        var paid = Given.Paid(28_000m);
        var grant = Given.Grant(Given.Awarded(70_000m), paid);

        Assert.Equal("return-before-payment",
            Given.CodeOf(ReturnDisbursementDecision.Decide(grant, Back(paid.DisbursementId, 100m, new LocalDate(2020, 4, 30)))));
        Assert.True(ReturnDisbursementDecision.Decide(grant, Back(paid.DisbursementId, 100m, new LocalDate(2020, 5, 1))).IsSuccess);
    }

    [Fact]
    public void a_return_dated_in_a_closed_month_is_refused()
    {
        var paid = Given.Paid(28_000m);
        var grant = Given.Grant(Given.Awarded(70_000m), paid);
        var books = new BookPeriods(["2020-05"]);

        Assert.Equal("period-closed", Given.CodeOf(ReturnDisbursementDecision.Decide(grant, Back(paid.DisbursementId, 100m), books)));
        Assert.True(ReturnDisbursementDecision.Decide(grant, Back(paid.DisbursementId, 100m, new LocalDate(2020, 6, 2)), books).IsSuccess);
    }

    [Fact]
    public void an_unknown_payment_is_not_found()
    {
        var grant = Given.Grant(Given.Awarded(70_000m));

        Assert.Equal("disbursement-not-found", Given.CodeOf(ReturnDisbursementDecision.Decide(grant, Back(Guid.NewGuid(), 100m))));
    }
}
