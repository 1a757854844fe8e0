using GrantLedger.Domain.Grants;
using NodaTime;

namespace GrantLedger.Domain.Tests.Grants;

public class FourEyesTests
{
    private static readonly DateWindow ProgrammeWindow = new(Given.WindowStart, Given.WindowEnd);
    private static readonly Domain.Programmes.ApprovalRules Threshold = new(Given.Eur(10_000m), 30);

    private static Result<DisbursementDecision> Record(Grant grant, decimal amount, string by = "aigerim") =>
        RecordDisbursementDecision.Decide(grant, ProgrammeWindow,
            new RecordDisbursement(Guid.NewGuid(), amount, null, new LocalDate(2020, 5, 4), "ECARO-1", null, null, null, by),
            GranteeHold.None, Threshold);

    private static Grant Pending(decimal amount, out Guid disbursementId, decimal grantAmount = 80_000m)
    {
        var submitted = Record(Given.Grant(Given.Awarded(grantAmount)), amount).Value.Payment;
        disbursementId = ((DisbursementSubmittedForApproval)submitted).DisbursementId;
        return Given.Grant(Given.Awarded(grantAmount), submitted);
    }

    [Fact]
    public void below_the_threshold_a_payment_is_recorded_at_once() =>
        Assert.IsType<DisbursementRecorded>(Record(Given.Grant(Given.Awarded()), 9_999.99m).Value.Payment);

    [Fact]
    public void at_the_threshold_a_payment_waits_for_approval_and_is_reserved_not_disbursed()
    {
        var grant = Pending(10_000m, out _);

        Assert.Equal(Given.Eur(0m), grant.Disbursed);
        Assert.Equal(Given.Eur(10_000m), grant.Reserved);
        Assert.Equal(Given.Eur(70_000m), grant.Remaining);
    }

    [Fact]
    public void two_pending_payments_can_never_overspend_the_grant()
    {
        var grant = Pending(15_000m, out _, grantAmount: 20_000m);

        Assert.Equal("grant-exceeded", Given.CodeOf(Record(grant, 15_000m)));
    }

    [Fact]
    public void the_recorder_cannot_approve_their_own_payment() =>
        Assert.Equal("same-person-approval",
            Given.CodeOf(ApproveDisbursementDecision.Decide(Pending(15_000m, out var id), new ApproveDisbursement(id, "aigerim"))));

    [Fact]
    public void a_second_person_approval_turns_the_reservation_into_a_disbursement()
    {
        var grant = Pending(15_000m, out var id);

        var approved = ApproveDisbursementDecision.Decide(grant, new ApproveDisbursement(id, "nurlan")).Value;
        var after = grant.Evolve(approved);

        Assert.Equal(Given.Eur(15_000m), after.Disbursed);
        Assert.Equal(Given.Eur(0m), after.Reserved);
        Assert.Equal("nurlan", after.FindDisbursement(id)!.DecidedBy);
    }

    [Fact]
    public void a_rejection_releases_the_reservation_and_pays_nothing()
    {
        var grant = Pending(15_000m, out var id);

        var after = grant.Evolve(RejectDisbursementDecision.Decide(grant, new RejectDisbursement(id, "Wrong IBAN", "nurlan")).Value);

        Assert.Equal(Given.Eur(0m), after.Disbursed);
        Assert.Equal(Given.Eur(80_000m), after.Remaining);
        Assert.Equal(DisbursementStatus.Rejected, after.FindDisbursement(id)!.Status);
    }

    [Fact]
    public void only_a_payment_awaiting_approval_can_be_approved_or_rejected()
    {
        var grant = Pending(15_000m, out var id);
        var approved = grant.Evolve(ApproveDisbursementDecision.Decide(grant, new ApproveDisbursement(id, "nurlan")).Value);

        Assert.Equal("not-awaiting-approval", Given.CodeOf(ApproveDisbursementDecision.Decide(approved, new ApproveDisbursement(id, "dana"))));
        Assert.Equal("not-awaiting-approval", Given.CodeOf(RejectDisbursementDecision.Decide(approved, new RejectDisbursement(id, "late", "dana"))));
        Assert.Equal("disbursement-not-found", Given.CodeOf(ApproveDisbursementDecision.Decide(grant, new ApproveDisbursement(Guid.NewGuid(), "dana"))));
    }

    [Fact]
    public void a_payment_awaiting_approval_cannot_be_reversed_because_nothing_was_paid() =>
        Assert.Equal("not-disbursed",
            Given.CodeOf(ReverseDisbursementDecision.Decide(Pending(15_000m, out var id), new ReverseDisbursement(id, "error"))));
}
