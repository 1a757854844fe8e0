namespace GrantLedger.Domain.Grants;

public sealed record ReverseDisbursement(Guid DisbursementId, string Reason, string RequestedBy = "system");

public sealed record DecideReversal(Guid DisbursementId, bool Approve, string DecidedBy, string? Reason = null);

public static class ReverseDisbursementDecision
{
    public static Result<DisbursementReversed> Decide(Grant grant, ReverseDisbursement cmd) =>
        grant.FindDisbursement(cmd.DisbursementId) switch
        {
            null => DomainErrors.DisbursementNotFound(cmd.DisbursementId),
            { Reversed: true } => DomainErrors.AlreadyReversed(cmd.DisbursementId),
            { IsReturned: true } => DomainErrors.PaymentReturned(cmd.DisbursementId),
            { Status: not DisbursementStatus.Recorded } => DomainErrors.NotDisbursed(cmd.DisbursementId),
            { ReversalAwaitsApproval: true } => DomainErrors.ReversalPending(cmd.DisbursementId),
            var d => new DisbursementReversed(grant.Id, grant.ProgrammeId, d.Id, d.Amount, cmd.Reason),
        };

    /// <summary>
    /// Below the threshold the reversal applies at once; at or above it, it is requested and waits for a second person
    /// (un-paying a large sum moves as much money on paper as paying it).
    /// </summary>
    public static Result<object> Request(Grant grant, ReverseDisbursement cmd, Programmes.ApprovalRules? approval) =>
        Decide(grant, cmd).Then<object>(reversed => approval is { } rules && reversed.Amount >= rules.Threshold
            ? new ReversalRequested(grant.Id, grant.ProgrammeId, reversed.DisbursementId, reversed.Amount, cmd.Reason, cmd.RequestedBy)
            : reversed);

    /// <summary>A second person approves (the reversal then applies, with the requester's reason) or rejects a requested reversal.</summary>
    public static Result<IReadOnlyList<object>> DecideRequested(Grant grant, DecideReversal cmd) =>
        grant.FindDisbursement(cmd.DisbursementId) switch
        {
            null => DomainErrors.DisbursementNotFound(cmd.DisbursementId),
            { ReversalAwaitsApproval: false } => DomainErrors.ReversalNotAwaitingApproval(cmd.DisbursementId),
            { IsReturned: true } when cmd.Approve => DomainErrors.PaymentReturned(cmd.DisbursementId),
            var d when !cmd.Approve => new object[]
            {
                new ReversalRejected(grant.Id, grant.ProgrammeId, d.Id, d.Amount, cmd.Reason ?? "rejected", cmd.DecidedBy),
            },
            var d when d.ReversalRequestedBy == cmd.DecidedBy => DomainErrors.SamePersonApproval(Programmes.FourEyesRule.Reversal),
            var d => new object[]
            {
                new ReversalApproved(grant.Id, grant.ProgrammeId, d.Id, d.Amount, cmd.DecidedBy),
                new DisbursementReversed(grant.Id, grant.ProgrammeId, d.Id, d.Amount, d.RequestedReversalReason!),
            },
        };
}
