using GrantLedger.Domain.Currencies;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;

namespace GrantLedger.Reports.Models;

/// <summary>One recorded event: its place in the store, when it was recorded, its stream, its data and (where the reader
/// has it) its id.</summary>
public sealed record RecordedEvent(long Sequence, NodaTime.Instant RecordedAt, Guid StreamId, object Data, Guid Id = default);

/// <summary>
/// The ledger as it was recorded up to a position: every programme, grant and the rate table, folded from events with
/// the same domain code the write side uses. Reports built from it show the past exactly as it was then.
/// </summary>
public sealed record LedgerState(
    IReadOnlyDictionary<Guid, Programme> Programmes,
    IReadOnlyDictionary<Guid, Grant> Grants,
    FxRateTable Rates,
    long Position,
    IReadOnlyDictionary<Guid, Domain.Organisations.Organisation>? OrganisationRecords = null)
{
    /// <summary>The organisations as recorded (ADR 0014): names and identifiers for reports and exports.</summary>
    public IReadOnlyDictionary<Guid, Domain.Organisations.Organisation> Organisations => OrganisationRecords ?? new Dictionary<Guid, Domain.Organisations.Organisation>();

    /// <summary>The organisation a grant is bound to, if it is one and was recorded by then.</summary>
    public Domain.Organisations.Organisation? OrganisationOf(Grant grant) =>
        grant.OrganisationId is { } id && Organisations.TryGetValue(id, out var organisation) ? organisation : null;

    /// <summary>Nothing recorded yet.</summary>
    public static LedgerState Empty { get; } = new(new Dictionary<Guid, Programme>(), new Dictionary<Guid, Grant>(), FxRateTable.Empty, 0,
        new Dictionary<Guid, Domain.Organisations.Organisation>());

    public static LedgerState Fold(IEnumerable<RecordedEvent> events) => FoldOn(Empty, events);

    /// <summary>
    /// Folds on from a state, exactly as <see cref="Fold"/> goes on from the events that made it. From a checkpoint's
    /// condensed state, pass <paramref name="heldBack"/>: a grant event naming a payment that condensing merged away
    /// (<see cref="LedgerCheckpoint.CanApply"/>) is not applied; its grant goes into <paramref name="heldBack"/> and its
    /// later events are skipped too, for the caller to fold that grant again from its own stream.
    /// </summary>
    public static LedgerState FoldOn(LedgerState from, IEnumerable<RecordedEvent> events, ISet<Guid>? heldBack = null)
    {
        var programmes = new Dictionary<Guid, Programme>(from.Programmes);
        var grants = new Dictionary<Guid, Grant>(from.Grants);
        var rates = from.Rates;
        var organisations = new Dictionary<Guid, Domain.Organisations.Organisation>(from.Organisations);
        var position = from.Position;
        foreach (var e in events)
        {
            position = Math.Max(position, e.Sequence);
            switch (e.Data)
            {
                case ProgrammeOpened opened:
                    programmes[e.StreamId] = Programme.Start(opened);
                    break;
                case GrantAwarded awarded:
                    grants[e.StreamId] = Grant.Start(awarded);
                    break;
                case Domain.Organisations.OrganisationRegistered registered:
                    organisations[e.StreamId] = Domain.Organisations.Organisation.Start(registered);
                    break;
                case FxRateSet rate:
                    rates = rates.Evolve(rate);
                    break;
                default:
                    if (programmes.TryGetValue(e.StreamId, out var programme))
                    {
                        programmes[e.StreamId] = programme.Evolve(e.Data);
                    }
                    else if (grants.TryGetValue(e.StreamId, out var grant))
                    {
                        if (heldBack?.Contains(e.StreamId) == true)
                        {
                            break;
                        }

                        if (heldBack is not null && !LedgerCheckpoint.CanApply(grant, e.Data))
                        {
                            heldBack.Add(e.StreamId);
                            break;
                        }

                        grants[e.StreamId] = grant.Evolve(e.Data);
                    }
                    else if (organisations.TryGetValue(e.StreamId, out var organisation))
                    {
                        organisations[e.StreamId] = organisation.Evolve(e.Data);
                    }

                    break;
            }
        }

        return new LedgerState(programmes, grants, rates, position, organisations);
    }
}
