using NodaTime;

namespace GrantLedger.Domain.Programmes;

/// <summary>A funding envelope was opened: its allocation, currency, implementation window and the amount from which
/// a payment needs a second person's approval.</summary>
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
    Budgets.BudgetRules? BudgetRules = null);

/// <summary>Part of the allocation was committed to a grant. Recorded on the programme stream, so two concurrent
/// awards cannot both spend the same uncommitted euros (optimistic concurrency on this stream).</summary>
public sealed record GrantCommitted(Guid ProgrammeId, Guid GrantId, string Grantee, Money Amount);
