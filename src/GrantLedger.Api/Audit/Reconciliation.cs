using GrantLedger.Api.Grants;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Programmes;
using GrantLedger.Domain;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using System.Data;
using Wolverine.Http;

namespace GrantLedger.Api.Audit;

/// <summary>One disagreement between what the events say and what is stored or promised.</summary>
public sealed record ReconciliationFinding(Guid StreamId, string Kind, string Problem);

public sealed record ProgrammeReconciliation(
    Guid Id, string Code, decimal Allocation, decimal Committed, decimal GrantsAwarded, decimal Disbursed, decimal Reserved, decimal Returned = 0m);

public sealed record ReconciliationReport(
    bool Reconciled,
    int StreamsChecked,
    long EventsReplayed,
    IReadOnlyList<ProgrammeReconciliation> Programmes,
    IReadOnlyList<ReconciliationFinding> Findings);

/// <summary>
/// Replays every programme and grant stream from its first event and compares the result with the snapshot the
/// inline projections stored, to the cent and field by field (both serialised the same way). It then checks the
/// ledger's sums: each programme commitment equals its grant's amount, commitments never exceed the allocation,
/// no grant has paid or reserved more than it was awarded, and money the bank returned is at most its payment, not
/// before it (the disbursed figure, paid less returned, is checked by the replay above).
/// </summary>
public static class ReconciliationEndpoint
{
    [Authorize(Policy = Policies.Audit)]
    [WolverineGet("/api/admin/reconciliation")]
    public static async Task<ReconciliationReport> Get(NpgsqlDataSource dataSource, IDocumentStore store, CancellationToken cancellation)
    {
        // One repeatable-read snapshot for every read: a payment or award committing meanwhile is either wholly
        // seen or not at all, so it cannot show up as a difference between a programme and its grants.
        await using var connection = await dataSource.OpenConnectionAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellation);
        await using var session = store.QuerySession(Marten.Services.SessionOptions.ForTransaction(transaction));
        var serializer = store.Options.Serializer();
        var findings = new List<ReconciliationFinding>();
        var pass = new Pass(session, serializer, findings);

        var programmeIds = await session.Events.QueryRawEventDataOnly<ProgrammeOpened>().Select(e => e.ProgrammeId).ToListAsync(cancellation);
        var programmes = await pass.ReplayAll<Programme>(programmeIds, p => p.Id, (id, stream) =>
        {
            var programme = stream.Aggregate<IEvent, Programme?>(null, (state, e) => new ProgrammeProjection().Evolve(state, id, e));
            return (programme, programme);
        }, "programme", cancellation);
        var grantIds = await session.Events.QueryRawEventDataOnly<GrantAwarded>().Select(e => e.GrantId).ToListAsync(cancellation);
        // The stored grant snapshot settles old payments into sums (ADR 0018): it is compared with the same replay, and
        // every payment's document with the payment in the plain fold. Grants are replayed a batch at a time and only
        // their figures kept, so memory stays that of one batch however long the history (over a million events,
        // keeping them would hold every payment several times over: replayed, stored, and in its document).
        var overspent = new List<ReconciliationFinding>();
        var returns = new List<ReconciliationFinding>();
        var grants = new List<GrantFigures>();
        await pass.ReplayGrantsInBatches(grantIds, await session.Query<Grant>().Select(g => g.Id).ToListAsync(cancellation), grant =>
        {
            if (grant.Disbursed + grant.Reserved > grant.Amount)
            {
                overspent.Add(new(grant.Id, "overspend", $"Paid {grant.Disbursed} and reserved {grant.Reserved} against an award of {grant.Amount}."));
            }

            // Money the bank sent back: never more than its payment, never before it, only of a paid unreversed payment.
            foreach (var d in grant.Disbursements.Where(d => d.IsReturned))
            {
                if (!d.CountsAsDisbursed || d.ReturnedAmount!.Value > d.Amount || d.ReturnedOn < d.ValueDate)
                {
                    returns.Add(new(grant.Id, "return", $"Payment {d.Id} of {d.Amount} on {d.ValueDate:uuuu-MM-dd} shows {d.ReturnedAmount} returned on " +
                        $"{d.ReturnedOn:uuuu-MM-dd}{(d.CountsAsDisbursed ? "" : " although it was never paid or was reversed")}."));
                }
            }

            grants.Add(new GrantFigures(grant.Id, grant.ProgrammeId, grant.Amount, grant.AwardState, grant.Disbursed, grant.Reserved, grant.Returned));
        }, cancellation);
        findings.AddRange(overspent);
        findings.AddRange(returns);

        var byProgramme = grants.ToLookup(g => g.ProgrammeId);
        var summaries = programmes.OrderBy(p => p.Code).Select(p => Check(p, byProgramme[p.Id].ToList(), findings)).ToList();
        return new ReconciliationReport(findings.Count == 0, programmes.Count + grants.Count, pass.Events, summaries, findings);
    }

    /// <summary>What the ledger's sums need of a replayed grant.</summary>
    private sealed record GrantFigures(Guid Id, Guid ProgrammeId, Money Amount, AwardStatus AwardState, Money Disbursed, Money Reserved, Money Returned);

    /// <summary>Replays streams of one kind and compares each with its stored snapshot.</summary>
    private sealed class Pass(IQuerySession session, ISerializer serializer, List<ReconciliationFinding> findings)
    {
        /// <summary>Grants replayed per round trip (<see cref="ReplayGrantsInBatches"/>): their snapshots, events and payment
        /// documents in three queries.</summary>
        private const int Batch = 500;

        public long Events { get; private set; }

        /// <param name="replay">From a stream's events: what must equal the stored snapshot, and the state to check.</param>
        public async Task<List<T>> ReplayAll<T>(IEnumerable<Guid> startedStreams, Func<T, Guid> idOf, Func<Guid, IReadOnlyList<IEvent>, (T? Stored, T? Full)> replay,
            string kind, CancellationToken cancellation) where T : class
        {
            var stored = (await session.Query<T>().ToListAsync(cancellation)).ToDictionary(idOf);
            var replayedAll = new List<T>();
            foreach (var id in startedStreams.Union(stored.Keys))
            {
                var stream = await session.Events.FetchStreamAsync(id, token: cancellation);
                Events += stream.Count;
                var (expected, replayed) = stream.Count == 0 ? (null, null) : replay(id, stream);
                Compare(id, kind, expected, stored.GetValueOrDefault(id));
                if (replayed is not null) replayedAll.Add(replayed);
            }

            return replayedAll;
        }

        /// <summary>
        /// Every grant stream replayed both ways (<see cref="Grant.Replay"/>), a batch at a time: the stored snapshot
        /// compared with the settling replay, every payment's document with the payment in the plain fold (and no other
        /// document stored), and the plain fold handed on instead of kept. Findings come in the order of one pass over
        /// every grant: snapshots, then payments, then documents no grant makes.
        /// </summary>
        public async Task ReplayGrantsInBatches(IEnumerable<Guid> startedStreams, IEnumerable<Guid> storedIds, Action<Grant> replayedOne,
            CancellationToken cancellation)
        {
            var payments = new List<ReconciliationFinding>();
            var orphans = new List<ReconciliationFinding>();
            var replayedIds = new List<Guid>();
            foreach (var batch in startedStreams.Union(storedIds).Chunk(Batch))
            {
                var stored = (await session.LoadManyAsync<Grant>(cancellation, batch)).ToDictionary(g => g.Id);
                var events = (await session.Events.QueryAllRawEvents().Where(e => e.StreamId.IsOneOf(batch)).OrderBy(e => e.Sequence)
                    .ToListAsync(cancellation)).ToLookup(e => e.StreamId);
                var documents = (await session.Query<GrantPayment>().Where(p => p.GrantId.IsOneOf(batch)).ToListAsync(cancellation)).ToDictionary(p => p.Id);
                foreach (var id in batch)
                {
                    var stream = events[id].OrderBy(e => e.Version).ToList();
                    Events += stream.Count;
                    var (full, settling) = stream.Count == 0 ? (null, null) : Grant.Replay(stream.Select(e => e.Data));
                    Compare(id, "grant", settling is null ? null : settling with { Version = stream[^1].Version }, stored.GetValueOrDefault(id));
                    if (full is null)
                    {
                        continue;
                    }

                    foreach (var payment in full.Disbursements)
                    {
                        if (!documents.Remove(payment.Id, out var document) || document.GrantId != full.Id
                            || serializer.ToJson(document.Payment) != serializer.ToJson(payment))
                        {
                            payments.Add(new(full.Id, "payment", $"The document of payment {payment.Id} is missing or differs from a replay of the grant's events."));
                        }
                    }

                    replayedIds.Add(full.Id);
                    replayedOne(full);
                }

                orphans.AddRange(documents.Values.Select(Orphan));
            }

            var elsewhere = replayedIds.ToArray();
            orphans.AddRange((await session.Query<GrantPayment>().Where(p => !p.GrantId.IsOneOf(elsewhere)).ToListAsync(cancellation)).Select(Orphan));
            findings.AddRange(payments);
            findings.AddRange(orphans);
        }

        private static ReconciliationFinding Orphan(GrantPayment orphan) =>
            new(orphan.GrantId, "payment", $"A document of payment {orphan.Id} is stored but the grant's events do not make it.");

        private void Compare<T>(Guid id, string kind, T? replayed, T? stored) where T : class
        {
            if (replayed is null || stored is null)
            {
                findings.Add(new(id, kind, replayed is null ? "A snapshot is stored but the events do not make one." : "The events make one but no snapshot is stored."));
            }
            else if (serializer.ToJson(replayed) != serializer.ToJson(stored))
            {
                findings.Add(new(id, kind, "The stored snapshot differs from a replay of its events."));
            }
        }
    }

    private static ProgrammeReconciliation Check(Programme programme, List<GrantFigures> allGrants, List<ReconciliationFinding> findings)
    {
        // A rejected award released its commitment (GrantCommitmentReleased): it holds none of the allocation.
        var grants = allGrants.Where(g => g.AwardState != AwardStatus.Rejected).ToList();
        var byId = grants.ToDictionary(g => g.Id);
        foreach (var commitment in programme.Commitments)
        {
            if (byId.GetValueOrDefault(commitment.GrantId) is not { } grant)
            {
                findings.Add(new(programme.Id, "commitment", $"{commitment.Amount} is committed to grant {commitment.GrantId}, which has no events."));
            }
            else if (grant.Amount != commitment.Amount)
            {
                findings.Add(new(programme.Id, "commitment", $"{commitment.Amount} is committed to grant {grant.Id}, awarded {grant.Amount}."));
            }
        }

        var committedTo = programme.Commitments.Select(c => c.GrantId).ToHashSet();
        foreach (var grant in grants.Where(g => !committedTo.Contains(g.Id)))
        {
            findings.Add(new(programme.Id, "commitment", $"Grant {grant.Id} ({grant.Amount}) has no commitment on its programme."));
        }

        if (programme.Committed > programme.Allocation)
        {
            findings.Add(new(programme.Id, "overcommitment", $"{programme.Committed} committed against an allocation of {programme.Allocation}."));
        }

        var currency = programme.Currency;
        return new ProgrammeReconciliation(programme.Id, programme.Code, programme.Allocation.Amount, programme.Committed.Amount,
            grants.Select(g => g.Amount).Sum(currency).Amount, grants.Select(g => g.Disbursed).Sum(currency).Amount,
            grants.Select(g => g.Reserved).Sum(currency).Amount, grants.Select(g => g.Returned).Sum(currency).Amount);
    }
}
