using GrantLedger.Domain.Grants;
using NodaTime;

namespace GrantLedger.Domain.Tests.Grants;

public class PaymentRequestTests
{
    private static readonly DateWindow ProgrammeWindow = new(Given.WindowStart, Given.WindowEnd);
    private static readonly Domain.Programmes.ApprovalRules Threshold = new(Given.Eur(10_000m), 30);
    private static readonly Instant Now = Instant.FromUtc(2020, 5, 4, 9, 0);

    private static Result<PaymentRequested> Request(Grant grant, decimal amount, Guid? tranche, Guid? id = null) =>
        RequestPaymentDecision.Decide(grant, new RequestPayment(id ?? Guid.NewGuid(), amount, tranche, "Next tranche, please", [], "grantee-1", Now));

    private static Result<DisbursementDecision> Pay(Grant grant, decimal amount, Guid? tranche, Guid? requestId,
        Domain.Programmes.ApprovalRules? approval = null) =>
        RecordDisbursementDecision.Decide(grant, ProgrammeWindow,
            new RecordDisbursement(Guid.NewGuid(), amount, null, new LocalDate(2020, 5, 4), "ECARO-1", null, tranche, null, "aigerim", Now,
                requestId), GranteeHold.None, approval);

    /// <summary>The gated grant with an open request of 30,000 for tranche 1.</summary>
    private static (Grant Grant, Guid RequestId) Requested(params object[] before)
    {
        var grant = Given.GatedGrant(before);
        var requested = Request(grant, 30_000m, Given.Tranche1).Value;
        return (grant.Evolve(requested), requested.RequestId);
    }

    [Fact]
    public void a_grantee_may_request_an_open_tranche_and_the_request_is_open()
    {
        var (grant, id) = Requested();

        var request = Assert.Single(grant.PaymentRequests);
        Assert.Equal((id, PaymentRequestStatus.Open, Given.Eur(30_000m)), (request.Id, request.Status, request.Amount));
    }

    [Fact]
    public void a_request_for_a_tranche_locked_by_an_unconfirmed_milestone_is_refused_as_a_payment_would_be() =>
        Assert.Equal("tranche-locked", Given.CodeOf(Request(Given.GatedGrant(), 10_000m, Given.Tranche2)));

    [Fact]
    public void a_request_beyond_what_remains_of_the_tranche_is_refused() =>
        Assert.Equal("tranche-exceeded", Given.CodeOf(Request(Given.GatedGrant(), 40_000.01m, Given.Tranche1)));

    [Fact]
    public void a_request_without_a_tranche_on_a_grant_with_a_plan_is_refused() =>
        Assert.Equal("tranche-required", Given.CodeOf(Request(Given.GatedGrant(), 10_000m, null)));

    [Fact]
    public void a_request_beyond_the_grant_is_refused() =>
        Assert.Equal("grant-exceeded", Given.CodeOf(Request(Given.Grant(Given.Awarded(5_000m)), 5_000.01m, null)));

    [Fact]
    public void a_request_with_more_than_two_decimals_or_nothing_is_refused()
    {
        Assert.Equal("invalid-amount", Given.CodeOf(Request(Given.GatedGrant(), 100.001m, Given.Tranche1)));
        Assert.Equal("invalid-amount", Given.CodeOf(Request(Given.GatedGrant(), 0m, Given.Tranche1)));
    }

    [Fact]
    public void a_request_on_an_award_awaiting_approval_is_refused() =>
        Assert.Equal("award-awaiting-approval", Given.CodeOf(Request(
            Given.Grant(Given.Awarded(), new GrantAwardSubmittedForApproval(Given.GrantId, Given.ProgrammeId, Given.Eur(80_000m), "finance-1")),
            1_000m, null)));

    [Fact]
    public void a_second_open_request_for_the_same_tranche_is_refused() =>
        Assert.Equal("payment-request-open", Given.CodeOf(Request(Requested().Grant, 1_000m, Given.Tranche1)));

    [Fact]
    public void after_a_decline_the_grantee_may_ask_again_and_sees_the_reason()
    {
        var (grant, id) = Requested();
        var declined = grant.Evolve(DeclinePaymentRequestDecision.Decide(grant, new DeclinePaymentRequest(id, " Report first ", "finance-1")).Value);

        Assert.Equal((PaymentRequestStatus.Declined, "Report first"), (declined.FindPaymentRequest(id)!.Status, declined.FindPaymentRequest(id)!.DeclineReason));
        Assert.True(Request(declined, 1_000m, Given.Tranche1).IsSuccess);
    }

    [Fact]
    public void declining_twice_or_an_unknown_request_is_refused()
    {
        var (grant, id) = Requested();
        var declined = grant.Evolve(DeclinePaymentRequestDecision.Decide(grant, new DeclinePaymentRequest(id, "No", "finance-1")).Value);

        Assert.Equal("payment-request-declined", Given.CodeOf(DeclinePaymentRequestDecision.Decide(declined, new DeclinePaymentRequest(id, "No", "f"))));
        Assert.Equal("payment-request-not-found", Given.CodeOf(DeclinePaymentRequestDecision.Decide(grant, new DeclinePaymentRequest(Guid.NewGuid(), "No", "f"))));
    }

    [Fact]
    public void a_payment_carrying_the_request_settles_it_and_may_pay_another_amount()
    {
        var (grant, id) = Requested();
        var payment = Assert.IsType<DisbursementRecorded>(Pay(grant, 25_000m, Given.Tranche1, id).Value.Payment);
        var paid = grant.Evolve(payment);

        Assert.Equal(id, payment.PaymentRequestId);
        var request = paid.FindPaymentRequest(id)!;
        Assert.Equal((PaymentRequestStatus.Paid, payment.DisbursementId, Given.Eur(30_000m)), (request.Status, request.DisbursementId, request.Amount));
    }

    [Fact]
    public void a_paid_request_cannot_be_paid_again_nor_declined()
    {
        var (grant, id) = Requested();
        var paid = grant.Evolve(Pay(grant, 10_000m, Given.Tranche1, id).Value.Payment);

        Assert.Equal("payment-request-paid", Given.CodeOf(Pay(paid, 10_000m, Given.Tranche1, id)));
        Assert.Equal("payment-request-paid", Given.CodeOf(DeclinePaymentRequestDecision.Decide(paid, new DeclinePaymentRequest(id, "No", "f"))));
    }

    [Fact]
    public void a_declined_request_cannot_be_paid()
    {
        var (grant, id) = Requested();
        var declined = grant.Evolve(new PaymentRequestDeclined(Given.GrantId, id, "No", "finance-1"));

        Assert.Equal("payment-request-declined", Given.CodeOf(Pay(declined, 10_000m, Given.Tranche1, id)));
    }

    [Fact]
    public void a_request_of_another_grant_cannot_be_paid_here() =>
        Assert.Equal("payment-request-unknown", Given.CodeOf(Pay(Given.GatedGrant(), 10_000m, Given.Tranche1, Guid.NewGuid())));

    [Fact]
    public void a_request_is_paid_against_the_tranche_it_asked_for()
    {
        var (grant, id) = Requested(Given.MidTermConfirmed());

        Assert.Equal("payment-request-tranche-mismatch", Given.CodeOf(Pay(grant, 10_000m, Given.Tranche2, id)));
    }

    [Fact]
    public void paying_a_request_passes_the_same_rules_as_any_payment_hold_included()
    {
        var (grant, id) = Requested();
        var hold = new GranteeHold([Given.GatedGrant(Given.MidTermOverdue()).Milestones[0]]);
        var onHold = RecordDisbursementDecision.Decide(grant, ProgrammeWindow,
            new RecordDisbursement(Guid.NewGuid(), 10_000m, null, new LocalDate(2020, 5, 4), "ECARO-1", null, Given.Tranche1, null, "aigerim", Now, id),
            hold, null);

        Assert.Equal("grantee-on-hold", Given.CodeOf(onHold));
    }

    [Fact]
    public void a_request_paid_over_the_threshold_awaits_approval_and_opens_again_when_the_payment_is_rejected()
    {
        var (grant, id) = Requested();
        var held = Assert.IsType<DisbursementSubmittedForApproval>(Pay(grant, 30_000m, Given.Tranche1, id, Threshold).Value.Payment);
        var pending = grant.Evolve(held);
        Assert.Equal((PaymentRequestStatus.Paid, held.DisbursementId), (pending.FindPaymentRequest(id)!.Status, pending.FindPaymentRequest(id)!.DisbursementId));

        var rejected = pending.Evolve(RejectDisbursementDecision.Decide(pending, new RejectDisbursement(held.DisbursementId, "Wrong account", "approver-1")).Value);

        Assert.Equal((PaymentRequestStatus.Open, (Guid?)null), (rejected.FindPaymentRequest(id)!.Status, rejected.FindPaymentRequest(id)!.DisbursementId));
        Assert.True(Pay(rejected, 30_000m, Given.Tranche1, id).IsSuccess);
    }
}
