using GrantLedger.Domain.Grants;
using JasperFx.Events;
using Marten.Events.Aggregation;

namespace GrantLedger.Api.Grants;

/// <summary>Keeps the <see cref="Grant"/> snapshot inline; the domain record does the folding.</summary>
/// <remarks>The snapshot carries the stream version it reflects, so a read returns data and version consistently.</remarks>
public sealed class GrantProjection : SingleStreamProjection<Grant, Guid>
{
    public override Grant? Evolve(Grant? snapshot, Guid id, IEvent e) =>
        (e.Data is GrantAwarded awarded ? Grant.Start(awarded) : snapshot?.Evolve(e.Data)) is { } grant
            ? grant with { Version = e.Version }
            : null;
}
