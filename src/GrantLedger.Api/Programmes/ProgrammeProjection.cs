using GrantLedger.Domain.Programmes;
using JasperFx.Events;
using Marten.Events.Aggregation;

namespace GrantLedger.Api.Programmes;

/// <summary>Keeps the <see cref="Programme"/> snapshot inline; the domain record does the folding.</summary>
public sealed class ProgrammeProjection : SingleStreamProjection<Programme, Guid>
{
    /// <summary>
    /// Only the programme stream's own events reach the projection. Without the filter Marten hands it every event
    /// (Evolve names no types) and, on every grant payment, looks for a programme snapshot under the grant's id.
    /// </summary>
    public ProgrammeProjection()
    {
        IncludeType<ProgrammeOpened>();
        IncludeType<GrantCommitted>();
        IncludeType<GrantLedger.Domain.Amendments.GrantCommitmentChanged>();
        IncludeType<GrantCommitmentReleased>();
        IncludeType<ApprovalRuleChangeProposed>();
        IncludeType<ApprovalRuleChangeApproved>();
        IncludeType<ApprovalRuleChangeRejected>();
        IncludeType<PeriodClosed>();
        IncludeType<PeriodReopeningRequested>();
        IncludeType<PeriodReopened>();
        IncludeType<PeriodReopeningRejected>();
    }

    public override Programme? Evolve(Programme? snapshot, Guid id, IEvent e) =>
        (e.Data is ProgrammeOpened opened ? Programme.Start(opened) : snapshot?.Evolve(e.Data)) is { } programme
            ? programme with { Version = e.Version }
            : null;
}
