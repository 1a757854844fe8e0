using GrantLedger.Domain.Programmes;

namespace GrantLedger.Domain.Grants;

public sealed record DecideAward(bool Approve, string DecidedBy, string? Reason = null);

/// <summary>An award at or above the threshold: the grant is paid only when someone other than its awarder approves it.</summary>
public static class AwardApprovalDecision
{
    public static Result<GrantAwardApproved> Approve(Grant grant, string approvedBy) =>
        grant.AwardState != AwardStatus.AwaitingApproval ? DomainErrors.AwardNotAwaitingApproval()
        : grant.AwardedBy == approvedBy ? DomainErrors.SamePersonApproval(FourEyesRule.Award)
        : new GrantAwardApproved(grant.Id, grant.ProgrammeId, grant.Amount, approvedBy);

    /// <summary>The rejection on the grant, and the release of its commitment on the programme (two streams).</summary>
    public static Result<(GrantAwardRejected Rejected, GrantCommitmentReleased Released)> Reject(Grant grant, string reason, string rejectedBy) =>
        grant.AwardState != AwardStatus.AwaitingApproval
            ? DomainErrors.AwardNotAwaitingApproval()
            : (new GrantAwardRejected(grant.Id, grant.ProgrammeId, grant.Amount, reason, rejectedBy),
                new GrantCommitmentReleased(grant.ProgrammeId, grant.Id, grant.Amount, reason));
}
