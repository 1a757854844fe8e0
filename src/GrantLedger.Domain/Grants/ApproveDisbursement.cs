namespace GrantLedger.Domain.Grants;

public sealed record ApproveDisbursement(Guid DisbursementId, string ApprovedBy);

public sealed record RejectDisbursement(Guid DisbursementId, string Reason, string RejectedBy);

/// <summary>Four eyes: a payment awaiting approval is paid only when someone other than its recorder approves it.</summary>
public static class ApproveDisbursementDecision
{
    public static Result<DisbursementApproved> Decide(Grant grant, ApproveDisbursement cmd) =>
        grant.FindDisbursement(cmd.DisbursementId) switch
        {
            null => DomainErrors.DisbursementNotFound(cmd.DisbursementId),
            { Status: not DisbursementStatus.AwaitingApproval } => DomainErrors.NotAwaitingApproval(cmd.DisbursementId),
            var d when d.RecordedBy == cmd.ApprovedBy => DomainErrors.SamePersonApproval(d.ApprovalRule ?? Programmes.FourEyesRule.SinglePayment),
            var d => new DisbursementApproved(grant.Id, grant.ProgrammeId, d.Id, d.Amount, cmd.ApprovedBy),
        };
}

/// <summary>Turning a pending payment down releases its reservation; the recorder may withdraw their own.</summary>
public static class RejectDisbursementDecision
{
    public static Result<DisbursementRejected> Decide(Grant grant, RejectDisbursement cmd) =>
        grant.FindDisbursement(cmd.DisbursementId) switch
        {
            null => DomainErrors.DisbursementNotFound(cmd.DisbursementId),
            { Status: not DisbursementStatus.AwaitingApproval } => DomainErrors.NotAwaitingApproval(cmd.DisbursementId),
            var d => new DisbursementRejected(grant.Id, grant.ProgrammeId, d.Id, d.Amount, cmd.Reason, cmd.RejectedBy),
        };
}
