namespace GrantLedger.Domain.Grants;

/// <summary>A planned payment of a grant, optionally gated by a milestone that finance must confirm first.</summary>
public sealed record Tranche(Guid Id, int Number, Money Amount, Guid? MilestoneId);

/// <summary>A tranche was added to the grant's payment plan.</summary>
public sealed record TrancheAdded(Guid GrantId, Guid TrancheId, int Number, Money Amount, Guid? MilestoneId);

/// <summary>The whole tranche plan was restated (an amendment); the previous plan stays in history.</summary>
public sealed record TranchePlanAmended(Guid GrantId, IReadOnlyList<Tranche> Tranches, string Reason);

/// <summary>Finance paid a grantee that was on hold for an overdue milestone, and said why.</summary>
public sealed record HoldOverridden(Guid GrantId, Guid DisbursementId, string Grantee, IReadOnlyList<Guid> OverdueMilestoneIds, string Reason);

/// <summary>Finance paid a further tranche before enough spending was reported and accepted, and said why.</summary>
public sealed record ReportedSpendRuleOverridden(Guid GrantId, Guid DisbursementId, Money Accepted, Money Required, string Reason);
