using System.Collections.Immutable;
using GrantLedger.Domain.Budgets;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Milestones;
using GrantLedger.Domain.Programmes;
using NodaTime;

namespace GrantLedger.Domain.Amendments;

public sealed record MilestoneDueDate(Guid MilestoneId, LocalDate DueDate);

/// <summary>The programme's commitment to a grant changed by an approved amendment (programme stream).</summary>
public sealed record GrantCommitmentChanged(Guid ProgrammeId, Guid GrantId, Money From, Money To, Guid AmendmentId);

public enum AmendmentStatus
{
    Proposed,
    Approved,
    Rejected,
}

public sealed record Amendment(AmendmentProposed Proposal, AmendmentStatus Status, string? DecidedBy, string? RejectionReason);

public sealed record ProposeAmendment(
    Guid AmendmentId,
    decimal? NewAmount,
    LocalDate? NewEndDate,
    IReadOnlyList<PlannedBudgetLine>? Budget,
    IReadOnlyList<PlannedTranche>? Tranches,
    IReadOnlyList<MilestoneDueDate>? Milestones,
    string Reason,
    string ProposedBy);

/// <summary>What an approved amendment does, on the grant stream and (when the amount changes) on the programme stream.</summary>
public sealed record AmendmentEffects(IReadOnlyList<object> GrantEvents, GrantCommitmentChanged? ProgrammeEvent);

public static class AmendmentDecisions
{
    public static Result<AmendmentProposed> Propose(Grant grant, Programme programme, BudgetRules rules, ProposeAmendment cmd)
    {
        Money? newAmount = null;
        if (cmd.NewAmount is { } amount)
        {
            var checkedAmount = Money.Positive(amount, grant.Currency);
            if (!checkedAmount.IsSuccess)
            {
                return checkedAmount.Error!;
            }

            newAmount = checkedAmount.Value;
        }

        IReadOnlyList<BudgetLine>? budget = null;
        if (cmd.Budget is { } lines)
        {
            var checkedLines = BudgetChecks.Lines(lines, newAmount ?? grant.Amount, rules);
            if (!checkedLines.IsSuccess)
            {
                return checkedLines.Error!;
            }

            budget = checkedLines.Value;
        }

        if (newAmount is null && cmd.NewEndDate is null && budget is null && cmd.Tranches is null && cmd.Milestones is null)
        {
            return new DomainError("empty-amendment", "The amendment changes nothing.");
        }

        var proposal = new AmendmentProposed(grant.Id, cmd.AmendmentId, newAmount, cmd.NewEndDate, budget, cmd.Tranches,
            cmd.Milestones, cmd.Reason, cmd.ProposedBy);
        return Effects(grant, programme, proposal, DateTimeZone.Utc).Then<AmendmentProposed>(_ => proposal);
    }

    /// <summary>Four eyes, and the amendment checked again against the grant and programme as they are now.</summary>
    public static Result<AmendmentEffects> Approve(Grant grant, Programme programme, Guid amendmentId, string approvedBy, DateTimeZone zone)
    {
        if (grant.Amendments.FirstOrDefault(a => a.Proposal.AmendmentId == amendmentId) is not { } amendment)
        {
            return new DomainError("amendment-not-found", $"The grant has no amendment {amendmentId}.", ErrorKind.NotFound);
        }

        if (amendment.Status != AmendmentStatus.Proposed)
        {
            return new DomainError("amendment-not-proposed", "The amendment has already been decided.");
        }

        if (amendment.Proposal.ProposedBy == approvedBy)
        {
            return DomainErrors.SamePersonApproval(Programmes.FourEyesRule.Amendment);
        }

        return Effects(grant, programme, amendment.Proposal, zone).Then<AmendmentEffects>(effects =>
            effects with { GrantEvents = [new AmendmentApproved(grant.Id, amendmentId, approvedBy), .. effects.GrantEvents] });
    }

    public static Result<AmendmentRejected> Reject(Grant grant, Guid amendmentId, string reason, string rejectedBy) =>
        grant.Amendments.FirstOrDefault(a => a.Proposal.AmendmentId == amendmentId) switch
        {
            null => new DomainError("amendment-not-found", $"The grant has no amendment {amendmentId}.", ErrorKind.NotFound),
            { Status: not AmendmentStatus.Proposed } => new DomainError("amendment-not-proposed", "The amendment has already been decided."),
            _ => new AmendmentRejected(grant.Id, amendmentId, reason, rejectedBy),
        };

    private static Result<AmendmentEffects> Effects(Grant grant, Programme programme, AmendmentProposed p, DateTimeZone zone)
    {
        var events = new List<object>();
        GrantCommitmentChanged? commitment = null;
        var target = p.NewAmount ?? grant.Amount;

        if (p.NewAmount is { } newAmount && newAmount != grant.Amount)
        {
            var committedElsewhere = programme.Committed - grant.Amount;
            if (committedElsewhere + newAmount > programme.Allocation)
            {
                return DomainErrors.AllocationExceeded(newAmount, programme.Allocation - committedElsewhere);
            }

            if (newAmount < grant.Disbursed + grant.Reserved)
            {
                return new DomainError("amount-below-paid",
                    $"The grant cannot go below what is paid or awaiting approval ({grant.Disbursed + grant.Reserved}).");
            }

            if (grant.Budget is not null && p.Budget is null)
            {
                return new DomainError("budget-total-mismatch", "An amendment that changes the amount must restate the budget.");
            }

            events.Add(new GrantAmountChanged(grant.Id, grant.ProgrammeId, grant.Amount, newAmount, p.AmendmentId));
            commitment = new GrantCommitmentChanged(programme.Id, grant.Id, grant.Amount, newAmount, p.AmendmentId);
        }

        if (p.NewEndDate is { } end && end != grant.WindowEnd)
        {
            if (end < grant.WindowStart || end > programme.WindowEnd)
            {
                return DomainErrors.OutsideWindow($"The new end date {end:uuuu-MM-dd} must lie inside the programme window {programme.Window}.");
            }

            events.Add(new GrantWindowChanged(grant.Id, grant.WindowStart, grant.WindowEnd, end, p.AmendmentId));
        }

        if (p.Budget is { } budget)
        {
            events.Add(new BudgetRestated(grant.Id, budget, p.AmendmentId));
        }

        var resized = grant with { Amount = target };
        if (p.Tranches is { } tranches)
        {
            var plan = AmendTranchePlanDecision.Decide(resized, new AmendTranchePlan(tranches, $"Amendment: {p.Reason}", ThroughAmendment: true));
            if (!plan.IsSuccess)
            {
                return plan.Error!;
            }

            events.Add(plan.Value);
        }
        else if (resized.Planned > target)
        {
            return DomainErrors.TranchePlanExceeded(resized.Planned, target);
        }

        foreach (var moved in p.Milestones ?? [])
        {
            if (grant.FindMilestone(moved.MilestoneId) is null)
            {
                return DomainErrors.UnknownMilestone(moved.MilestoneId);
            }

            events.Add(new MilestoneRescheduled(grant.Id, moved.MilestoneId, moved.DueDate, Milestone.DeadlineOf(moved.DueDate, zone), p.AmendmentId));
        }

        return new AmendmentEffects(events, commitment);
    }

    public static ImmutableList<Amendment> With(ImmutableList<Amendment> amendments, Guid amendmentId, Func<Amendment, Amendment> change) =>
        amendments.Select(a => a.Proposal.AmendmentId == amendmentId ? change(a) : a).ToImmutableList();
}
