using NodaTime;

namespace GrantLedger.Domain.Programmes;

/// <summary>A funding envelope was opened: its allocation, currency, implementation window and the amount from which
/// a payment, award or reversal needs a second person's approval, and over how many days (default 30) a grant's
/// payments are added up against it.</summary>
public sealed record ProgrammeOpened(
    Guid ProgrammeId,
    string Code,
    string Name,
    string Currency,
    Money Allocation,
    LocalDate WindowStart,
    LocalDate WindowEnd,
    string TimeZone,
    Money? ApprovalThreshold = null,
    Budgets.BudgetRules? BudgetRules = null,
    int? ApprovalWindowDays = null);

/// <summary>An award awaiting approval was rejected: its commitment no longer holds part of the allocation.</summary>
public sealed record GrantCommitmentReleased(Guid ProgrammeId, Guid GrantId, Money Amount, string Reason);

/// <summary>Part of the allocation was committed to a grant. Recorded on the programme stream, so two concurrent
/// awards cannot both spend the same uncommitted euros (optimistic concurrency on this stream).</summary>
public sealed record GrantCommitted(Guid ProgrammeId, Guid GrantId, string Grantee, Money Amount);

/// <summary>Finance closed a month of the programme's books: no command whose value date falls in it is accepted any more.</summary>
public sealed record PeriodClosed(Guid ProgrammeId, int Year, int Month, string? Note, string ClosedBy);

/// <summary>Someone asked to reopen a closed month, with a reason; it stays closed until a second person approves.</summary>
public sealed record PeriodReopeningRequested(Guid ProgrammeId, Guid RequestId, int Year, int Month, string Reason, string RequestedBy);

/// <summary>A second person approved reopening the month: commands dated in it are accepted again until it is closed again.</summary>
public sealed record PeriodReopened(Guid ProgrammeId, Guid RequestId, int Year, int Month, string ApprovedBy);

/// <summary>A request to reopen a month was turned down: the month stays closed.</summary>
public sealed record PeriodReopeningRejected(Guid ProgrammeId, Guid RequestId, int Year, int Month, string Reason, string RejectedBy);
