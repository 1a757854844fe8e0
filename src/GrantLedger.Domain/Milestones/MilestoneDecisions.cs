using GrantLedger.Domain.Grants;
using NodaTime;

namespace GrantLedger.Domain.Milestones;

public sealed record PlanMilestone(Guid MilestoneId, string Title, MilestoneKind Kind, LocalDate DueDate, Guid? GatesTrancheId);

public sealed record SubmitMilestone(Guid MilestoneId, string? Note, IReadOnlyList<EvidenceFile> Files);

public sealed record ConfirmMilestone(Guid MilestoneId, string? Note);

public sealed record RejectMilestone(Guid MilestoneId, string Reason);

public static class PlanMilestoneDecision
{
    public static Result<MilestonePlanned> Decide(Grant grant, PlanMilestone cmd, DateTimeZone zone)
    {
        if (cmd.GatesTrancheId is { } trancheId)
        {
            if (grant.FindTranche(trancheId) is not { } tranche)
            {
                return DomainErrors.TrancheNotFound(trancheId);
            }

            if (tranche.MilestoneId is not null)
            {
                return DomainErrors.TrancheAlreadyGated(tranche.Number);
            }
        }

        return new MilestonePlanned(grant.Id, cmd.MilestoneId, cmd.Title, cmd.Kind, cmd.DueDate,
            Milestone.DeadlineOf(cmd.DueDate, zone), cmd.GatesTrancheId);
    }
}

public static class SubmitMilestoneDecision
{
    public static Result<MilestoneSubmitted> Decide(Grant grant, SubmitMilestone cmd) =>
        grant.FindMilestone(cmd.MilestoneId) switch
        {
            null => DomainErrors.MilestoneNotFound(cmd.MilestoneId),
            { Status: MilestoneStatus.Submitted } m => DomainErrors.MilestoneAlreadySubmitted(m.Title),
            { Status: MilestoneStatus.Confirmed } m => DomainErrors.MilestoneAlreadyConfirmed(m.Title),
            _ when cmd.Files.Count == 0 => DomainErrors.EvidenceRequired(),
            var m => new MilestoneSubmitted(grant.Id, m.Id, cmd.Note, cmd.Files),
        };
}

public static class ConfirmMilestoneDecision
{
    public static Result<MilestoneConfirmed> Decide(Grant grant, ConfirmMilestone cmd) =>
        grant.FindMilestone(cmd.MilestoneId) switch
        {
            null => DomainErrors.MilestoneNotFound(cmd.MilestoneId),
            { Status: MilestoneStatus.Confirmed } m => DomainErrors.MilestoneAlreadyConfirmed(m.Title),
            { Status: not MilestoneStatus.Submitted } m => DomainErrors.MilestoneNotSubmitted(m.Title),
            var m => new MilestoneConfirmed(grant.Id, m.Id, cmd.Note),
        };
}

public static class RejectMilestoneDecision
{
    /// <summary>A rejection after the deadline makes the milestone overdue at once (the grantee owes a delivery again).</summary>
    public static Result<IReadOnlyList<object>> Decide(Grant grant, RejectMilestone cmd, Instant now) =>
        grant.FindMilestone(cmd.MilestoneId) switch
        {
            null => DomainErrors.MilestoneNotFound(cmd.MilestoneId),
            { Status: MilestoneStatus.Confirmed } m => DomainErrors.MilestoneAlreadyConfirmed(m.Title),
            { Status: not MilestoneStatus.Submitted } m => DomainErrors.MilestoneNotSubmitted(m.Title),
            var m when now >= m.Deadline && !m.DeadlineMissed =>
                new object[] { new MilestoneRejected(grant.Id, m.Id, cmd.Reason), new MilestoneBecameOverdue(grant.Id, m.Id, m.DueDate, m.Deadline) },
            var m => new object[] { new MilestoneRejected(grant.Id, m.Id, cmd.Reason) },
        };
}

/// <summary>What the deadline check found.</summary>
public abstract record DeadlineCheck
{
    /// <summary>Record this: the deadline passed with the grantee still owing a delivery.</summary>
    public sealed record Overdue(MilestoneBecameOverdue Event) : DeadlineCheck;

    /// <summary>The clock has not reached the deadline yet: check again then.</summary>
    public sealed record NotYet(Instant Deadline) : DeadlineCheck;

    /// <summary>Delivered, confirmed, already overdue, or gone: nothing to record.</summary>
    public sealed record NothingToDo : DeadlineCheck;
}

public static class MilestoneDeadlineDecision
{
    public static DeadlineCheck Decide(Grant grant, Guid milestoneId, Instant now) =>
        grant.FindMilestone(milestoneId) switch
        {
            null or { DeadlineMissed: true } or { AwaitsDelivery: false } => new DeadlineCheck.NothingToDo(),
            var m when now < m.Deadline => new DeadlineCheck.NotYet(m.Deadline),
            var m => new DeadlineCheck.Overdue(new MilestoneBecameOverdue(grant.Id, m.Id, m.DueDate, m.Deadline)),
        };
}
