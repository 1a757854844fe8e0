namespace GrantLedger.Domain.Grants;

public sealed record ReverseDisbursement(Guid DisbursementId, string Reason);

public static class ReverseDisbursementDecision
{
    public static Result<DisbursementReversed> Decide(Grant grant, ReverseDisbursement cmd) =>
        grant.FindDisbursement(cmd.DisbursementId) switch
        {
            null => DomainErrors.DisbursementNotFound(cmd.DisbursementId),
            { Reversed: true } => DomainErrors.AlreadyReversed(cmd.DisbursementId),
            { Status: not DisbursementStatus.Recorded } => DomainErrors.NotDisbursed(cmd.DisbursementId),
            var d => new DisbursementReversed(grant.Id, grant.ProgrammeId, d.Id, d.Amount, cmd.Reason),
        };
}
