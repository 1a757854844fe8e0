using System.Collections.Immutable;
using NodaTime;

namespace GrantLedger.Domain.Programmes;

/// <summary>A grant's share of the allocation, as the programme knows it.</summary>
public sealed record Commitment(Guid GrantId, string Grantee, Money Amount);

/// <summary>The programme write model: allocation and what has been committed to grants.</summary>
public sealed record Programme(
    Guid Id,
    string Code,
    string Name,
    string Currency,
    Money Allocation,
    LocalDate WindowStart,
    LocalDate WindowEnd,
    string TimeZone,
    ImmutableList<Commitment> Commitments,
    long Version = 0,
    Money? ApprovalThreshold = null,
    Budgets.BudgetRules? BudgetRules = null,
    int? ApprovalWindowDays = null,
    ImmutableList<ApprovalRuleChange>? RuleChangeList = null,
    ImmutableList<string>? ClosedMonthList = null,
    ImmutableList<PeriodReopening>? ReopeningList = null)
{
    /// <summary>The closed months, <c>yyyy-MM</c> (the payment handlers' guard reads this member in SQL: ADR 0015).</summary>
    public ImmutableList<string> ClosedMonths => ClosedMonthList ?? [];
    public ImmutableList<PeriodReopening> Reopenings => ReopeningList ?? [];
    public BookPeriods Books => new(ClosedMonths);

    /// <summary>The four-eyes rules in force; null when the programme has no threshold (older programmes: never).</summary>
    public ApprovalRules? Approval =>
        ApprovalThreshold is { } threshold ? new ApprovalRules(threshold, ApprovalWindowDays ?? ApprovalRules.DefaultWindowDays) : null;
    public ImmutableList<ApprovalRuleChange> RuleChanges => RuleChangeList ?? [];

    public DateWindow Window => new(WindowStart, WindowEnd);
    public Budgets.BudgetRules Rules => BudgetRules ?? Budgets.BudgetRules.Default;
    public Money Committed => Commitments.Select(c => c.Amount).Sum(Currency);
    public Money Uncommitted => Allocation - Committed;

    public static Programme Start(ProgrammeOpened e) =>
        new(e.ProgrammeId, e.Code, e.Name, e.Currency, e.Allocation, e.WindowStart, e.WindowEnd, e.TimeZone, [], 1, e.ApprovalThreshold, e.BudgetRules,
            e.ApprovalWindowDays);

    /// <summary>Folds any event of the programme stream; an unknown event is a bug, not a no-op.</summary>
    public Programme Evolve(object e) => e switch
    {
        GrantCommitted x => On(x),
        Amendments.GrantCommitmentChanged x => this with
        {
            Commitments = Commitments.Select(c => c.GrantId == x.GrantId ? c with { Amount = x.To } : c).ToImmutableList(),
        },
        GrantCommitmentReleased x => this with { Commitments = Commitments.RemoveAll(c => c.GrantId == x.GrantId) },
        ApprovalRuleChangeProposed x => this with
        {
            RuleChangeList = RuleChanges.Add(new ApprovalRuleChange(x.ProposalId, x.Threshold, x.WindowDays, x.Reason, x.ProposedBy)),
        },
        ApprovalRuleChangeApproved x => this with
        {
            ApprovalThreshold = x.Threshold,
            ApprovalWindowDays = x.WindowDays,
            RuleChangeList = ApprovalRuleChangeDecisions.With(RuleChanges, x.ProposalId,
                c => c with { Status = RuleChangeStatus.Approved, DecidedBy = x.ApprovedBy }),
        },
        ApprovalRuleChangeRejected x => this with
        {
            RuleChangeList = ApprovalRuleChangeDecisions.With(RuleChanges, x.ProposalId,
                c => c with { Status = RuleChangeStatus.Rejected, DecidedBy = x.RejectedBy, RejectionReason = x.Reason }),
        },
        PeriodClosed x => this with { ClosedMonthList = ClosedMonths.Add(BookPeriods.Name(new YearMonth(x.Year, x.Month))).Sort() },
        PeriodReopeningRequested x => this with
        {
            ReopeningList = Reopenings.Add(new PeriodReopening(x.RequestId, BookPeriods.Name(new YearMonth(x.Year, x.Month)), x.Reason, x.RequestedBy)),
        },
        PeriodReopened x => this with
        {
            ClosedMonthList = ClosedMonths.Remove(BookPeriods.Name(new YearMonth(x.Year, x.Month))),
            ReopeningList = BookPeriodDecisions.With(Reopenings, x.RequestId, r => r with { Status = ReopeningStatus.Approved, DecidedBy = x.ApprovedBy }),
        },
        PeriodReopeningRejected x => this with
        {
            ReopeningList = BookPeriodDecisions.With(Reopenings, x.RequestId,
                r => r with { Status = ReopeningStatus.Rejected, DecidedBy = x.RejectedBy, RejectionReason = x.Reason }),
        },
        _ => throw new InvalidOperationException($"A programme does not know how to apply {e.GetType().Name}."),
    } with { Version = Version + 1 };

    private Programme On(GrantCommitted e) =>
        this with { Commitments = Commitments.Add(new Commitment(e.GrantId, e.Grantee, e.Amount)) };
}
