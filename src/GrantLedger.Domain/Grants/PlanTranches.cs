namespace GrantLedger.Domain.Grants;

public sealed record AddTranche(Guid TrancheId, decimal Amount, Guid? MilestoneId);

public static class AddTrancheDecision
{
    public static Result<TrancheAdded> Decide(Grant grant, AddTranche cmd) =>
        Money.Positive(cmd.Amount, grant.Currency).Then<TrancheAdded>(amount =>
        {
            if (grant.Planned + amount > grant.Amount)
            {
                return DomainErrors.TranchePlanExceeded(grant.Planned + amount, grant.Amount);
            }

            if (cmd.MilestoneId is { } milestoneId)
            {
                if (grant.FindMilestone(milestoneId) is null)
                {
                    return DomainErrors.UnknownMilestone(milestoneId);
                }
            }

            return new TrancheAdded(grant.Id, cmd.TrancheId, grant.Tranches.Count + 1, amount, cmd.MilestoneId);
        });
}

/// <summary>One line of an amended plan: an existing tranche by its id, or a new one (<paramref name="NewTrancheId"/>).</summary>
public sealed record PlannedTranche(Guid? TrancheId, decimal Amount, Guid? MilestoneId, Guid NewTrancheId);

/// <param name="ThroughAmendment">An approved amendment may move milestone gates; finance alone may not.</param>
public sealed record AmendTranchePlan(IReadOnlyList<PlannedTranche> Tranches, string Reason, bool ThroughAmendment = false);

public static class AmendTranchePlanDecision
{
    public static Result<TranchePlanAmended> Decide(Grant grant, AmendTranchePlan cmd)
    {
        var restated = new List<Tranche>();
        foreach (var (line, index) in cmd.Tranches.Select((t, i) => (t, i)))
        {
            var amount = Money.Positive(line.Amount, grant.Currency);
            if (!amount.IsSuccess)
            {
                return amount.Error!;
            }

            if (line.TrancheId is { } existing && grant.FindTranche(existing) is null)
            {
                return DomainErrors.TrancheNotFound(existing);
            }

            if (line.MilestoneId is { } milestoneId && grant.FindMilestone(milestoneId) is null)
            {
                return DomainErrors.UnknownMilestone(milestoneId);
            }

            restated.Add(new Tranche(line.TrancheId ?? line.NewTrancheId, index + 1, amount.Value, line.MilestoneId));
        }

        var planned = restated.Select(t => t.Amount).Sum(grant.Currency);
        if (planned > grant.Amount)
        {
            return DomainErrors.TranchePlanExceeded(planned, grant.Amount);
        }

        if (restated.Select(t => t.Id).Distinct().Count() != restated.Count)
        {
            return new DomainError("duplicate-tranche", "The amended plan names the same tranche twice.");
        }

        foreach (var tranche in grant.Tranches)
        {
            var kept = restated.FirstOrDefault(t => t.Id == tranche.Id);
            if (!cmd.ThroughAmendment && tranche.MilestoneId is not null && kept?.MilestoneId != tranche.MilestoneId)
            {
                return new DomainError("gate-change-needs-amendment",
                    $"Tranche {tranche.Number} is paid only after a milestone; removing or moving that gate needs an amendment approved by a second person.");
            }

            var paid = grant.CommittedAgainst(tranche.Id);
            if (paid.Amount > 0m && (kept is null || kept.Amount < paid))
            {
                return DomainErrors.TrancheBelowPaid(tranche.Number, paid);
            }
        }

        return new TranchePlanAmended(grant.Id, restated, cmd.Reason);
    }
}
