using GrantLedger.Domain.Grants;
using Marten.Events.Aggregation;

namespace GrantLedger.Api.Grants;

/// <summary>Keeps the <see cref="Grant"/> snapshot inline; the domain record does the folding.</summary>
public sealed partial class GrantProjection : SingleStreamProjection<Grant, Guid>
{
    public static Grant Create(GrantAwarded e) => Grant.Create(e);
    public static Grant Apply(DisbursementRecorded e, Grant current) => current.Apply(e);
    public static Grant Apply(DisbursementReversed e, Grant current) => current.Apply(e);
}
