using GrantLedger.Domain.Programmes;
using Marten.Events.Aggregation;

namespace GrantLedger.Api.Programmes;

/// <summary>Keeps the <see cref="Programme"/> snapshot inline; the domain record does the folding.</summary>
public sealed partial class ProgrammeProjection : SingleStreamProjection<Programme, Guid>
{
    public static Programme Create(ProgrammeOpened e) => Programme.Create(e);
    public static Programme Apply(GrantCommitted e, Programme current) => current.Apply(e);
}
