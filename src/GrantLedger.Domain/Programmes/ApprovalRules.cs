using System.Collections.Immutable;

namespace GrantLedger.Domain.Programmes;

/// <summary>The stable names of the four-eyes rules; a problem or answer that asks for a second person names one as <c>rule</c>.</summary>
public static class FourEyesRule
{
    /// <summary>One payment at or above the threshold.</summary>
    public const string SinglePayment = "single-payment";

    /// <summary>A payment that, with the grant's other payments recorded within the window, reaches the threshold.</summary>
    public const string CumulativeWindow = "cumulative-window";

    /// <summary>An award at or above the threshold.</summary>
    public const string Award = "award";

    /// <summary>A reversal of a payment at or above the threshold.</summary>
    public const string Reversal = "reversal";

    /// <summary>Any change of the threshold or the window.</summary>
    public const string RuleChange = "approval-rule-change";

    /// <summary>Reopening a closed month of the books (always four eyes).</summary>
    public const string PeriodReopening = "period-reopening";

    /// <summary>A grant amendment (always four eyes).</summary>
    public const string Amendment = "amendment";

    /// <summary>A new or changed bank account of an organisation (always four eyes).</summary>
    public const string BankAccount = "bank-account";
}

/// <summary>
/// From which amount a second person must approve (payments, awards, reversals), and over how many days a grant's
/// payments are added up, so splitting one payment into several below the threshold does not walk around it.
/// </summary>
public sealed record ApprovalRules(Money Threshold, int WindowDays)
{
    public const int DefaultWindowDays = 30;
    public const int MaxWindowDays = 366;

    /// <summary>A threshold must be a ledger amount no larger than the allocation (a threshold above it would never
    /// apply), and the window between one day and a year.</summary>
    public static Result<ApprovalRules> Create(decimal threshold, int? windowDays, Money allocation)
    {
        if (threshold <= 0m || decimal.Round(threshold, Money.Decimals) != threshold)
        {
            return new DomainError("invalid-approval-threshold",
                $"The approval threshold must be greater than zero with at most {Money.Decimals} decimals; {threshold} was given.");
        }

        if (threshold > allocation.Amount)
        {
            return new DomainError("approval-threshold-above-allocation",
                $"The approval threshold {threshold:0.00} is above the allocation of {allocation}: no single payment, award or reversal " +
                "could ever reach it. Choose an amount no larger than the allocation.");
        }

        var days = windowDays ?? DefaultWindowDays;
        if (days is < 1 or > MaxWindowDays)
        {
            return new DomainError("invalid-approval-window",
                $"The approval window must be between 1 and {MaxWindowDays} days; {days} was given.");
        }

        return new ApprovalRules(new Money(threshold + 0.00m, allocation.Currency), days);
    }
}

public enum RuleChangeStatus
{
    Proposed,
    Approved,
    Rejected,
}

public sealed record ApprovalRuleChange(Guid ProposalId, Money Threshold, int WindowDays, string Reason, string ProposedBy,
    RuleChangeStatus Status = RuleChangeStatus.Proposed, string? DecidedBy = null, string? RejectionReason = null);

/// <summary>Finance proposed new approval rules for the programme; nothing changes until a second person approves.</summary>
public sealed record ApprovalRuleChangeProposed(Guid ProgrammeId, Guid ProposalId, Money Threshold, int WindowDays, string Reason, string ProposedBy);

/// <summary>A second person approved the proposed approval rules: from now on they apply.</summary>
public sealed record ApprovalRuleChangeApproved(Guid ProgrammeId, Guid ProposalId, Money Threshold, int WindowDays, string ApprovedBy);

/// <summary>The proposed approval rules were turned down; the rules stay as they were.</summary>
public sealed record ApprovalRuleChangeRejected(Guid ProgrammeId, Guid ProposalId, string Reason, string RejectedBy);

public sealed record ProposeApprovalRuleChange(Guid ProposalId, decimal Threshold, int? WindowDays, string Reason, string ProposedBy);

public sealed record DecideApprovalRuleChange(Guid ProposalId, bool Approve, string DecidedBy, string? Reason = null);

/// <summary>Four eyes on the four-eyes rules themselves: the threshold and window change only by a proposal another person approves.</summary>
public static class ApprovalRuleChangeDecisions
{
    public static Result<ApprovalRuleChangeProposed> Propose(Programme programme, ProposeApprovalRuleChange cmd) =>
        ApprovalRules.Create(cmd.Threshold, cmd.WindowDays, programme.Allocation).Then<ApprovalRuleChangeProposed>(rules =>
            new ApprovalRuleChangeProposed(programme.Id, cmd.ProposalId, rules.Threshold, rules.WindowDays, cmd.Reason, cmd.ProposedBy));

    public static Result<object> Decide(Programme programme, DecideApprovalRuleChange cmd)
    {
        if (programme.RuleChanges.FirstOrDefault(c => c.ProposalId == cmd.ProposalId) is not { } change)
        {
            return new DomainError("approval-rule-change-not-found", $"The programme has no proposed rule change {cmd.ProposalId}.", ErrorKind.NotFound);
        }

        if (change.Status != RuleChangeStatus.Proposed)
        {
            return new DomainError("not-awaiting-approval", $"The rule change {cmd.ProposalId} is not awaiting approval.", Rule: FourEyesRule.RuleChange);
        }

        if (!cmd.Approve)
        {
            return new ApprovalRuleChangeRejected(programme.Id, change.ProposalId, cmd.Reason ?? "rejected", cmd.DecidedBy);
        }

        return change.ProposedBy == cmd.DecidedBy
            ? DomainErrors.SamePersonApproval(FourEyesRule.RuleChange)
            : new ApprovalRuleChangeApproved(programme.Id, change.ProposalId, change.Threshold, change.WindowDays, cmd.DecidedBy);
    }

    internal static ImmutableList<ApprovalRuleChange> With(ImmutableList<ApprovalRuleChange> changes, Guid proposalId,
        Func<ApprovalRuleChange, ApprovalRuleChange> change) =>
        changes.Select(c => c.ProposalId == proposalId ? change(c) : c).ToImmutableList();
}
