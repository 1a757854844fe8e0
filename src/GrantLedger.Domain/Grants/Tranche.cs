namespace GrantLedger.Domain.Grants;

/// <summary>A planned payment of a grant, optionally gated by a milestone that finance must confirm first.</summary>
public sealed record Tranche(Guid Id, int Number, Money Amount, Guid? MilestoneId);

