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
    Guid Id, string Code, decimal Allocation, decimal Committed, decimal GrantsAwarded, decimal Disbursed, decimal Reserved);

public sealed record ReconciliationReport(
    bool Reconciled,
    int StreamsChecked,
    long EventsReplayed,
    IReadOnlyList<ProgrammeReconciliation> Programmes,
    IReadOnlyList<ReconciliationFinding> Findings);

/// <summary>
/// Replays every programme and grant stream from its first event and compares the result with the snapshot the
/// inline projections stored, to the cent and field by field (both serialised the same way). It then checks the
/// ledger's sums: each programme commitment equals its grant's amount, commitments never exceed the allocation, and
/// no grant has paid or reserved more than it was awarded.
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
        var events = 0L;

        var storedProgrammes = (await session.Query<Programme>().ToListAsync(cancellation)).ToDictionary(p => p.Id);
        var storedGrants = (await session.Query<Grant>().ToListAsync(cancellation)).ToDictionary(g => g.Id);
        var programmeIds = await session.Events.QueryRawEventDataOnly<ProgrammeOpened>().Select(e => e.ProgrammeId).ToListAsync(cancellation);
        var grantIds = await session.Events.QueryRawEventDataOnly<GrantAwarded>().Select(e => e.GrantId).ToListAsync(cancellation);

        var programmes = new List<Programme>();
        foreach (var id in programmeIds.Union(storedProgrammes.Keys))
        {
            var stream = await session.Events.FetchStreamAsync(id, token: cancellation);
            events += stream.Count;
            var replayed = Replay<Programme>(stream, new ProgrammeProjection().Evolve, id);
            Compare(id, "programme", replayed, storedProgrammes.GetValueOrDefault(id), serializer, findings);
            if (replayed is not null) programmes.Add(replayed);
        }

        var grants = new List<Grant>();
        foreach (var id in grantIds.Union(storedGrants.Keys))
        {
            var stream = await session.Events.FetchStreamAsync(id, token: cancellation);
            events += stream.Count;
            var replayed = Replay<Grant>(stream, new GrantProjection().Evolve, id);
            Compare(id, "grant", replayed, storedGrants.GetValueOrDefault(id), serializer, findings);
            if (replayed is null) continue;
            grants.Add(replayed);
            if (replayed.Disbursed + replayed.Reserved > replayed.Amount)
            {
                findings.Add(new(id, "overspend", $"Paid {replayed.Disbursed} and reserved {replayed.Reserved} against an award of {replayed.Amount}."));
            }
        }

        var summaries = programmes.OrderBy(p => p.Code).Select(p => Check(p, grants.Where(g => g.ProgrammeId == p.Id).ToList(), findings)).ToList();
        return new ReconciliationReport(findings.Count == 0, programmes.Count + grants.Count, events, summaries, findings);
    }

    private static T? Replay<T>(IReadOnlyList<IEvent> stream, Func<T?, Guid, IEvent, T?> evolve, Guid id) where T : class =>
        stream.Aggregate<IEvent, T?>(null, (state, e) => evolve(state, id, e));

    private static void Compare<T>(Guid id, string kind, T? replayed, T? stored, ISerializer serializer, List<ReconciliationFinding> findings)
        where T : class
    {
        if (replayed is null || stored is null)
        {
            findings.Add(new(id, kind, replayed is null ? "A snapshot is stored but the events do not make one." : "The events make one but no snapshot is stored."));
            return;
        }

        if (serializer.ToJson(replayed) != serializer.ToJson(stored))
        {
            findings.Add(new(id, kind, "The stored snapshot differs from a replay of its events."));
        }
    }

    private static ProgrammeReconciliation Check(Programme programme, List<Grant> grants, List<ReconciliationFinding> findings)
    {
        foreach (var commitment in programme.Commitments)
        {
            var grant = grants.FirstOrDefault(g => g.Id == commitment.GrantId);
            if (grant is null)
            {
                findings.Add(new(programme.Id, "commitment", $"{commitment.Amount} is committed to grant {commitment.GrantId}, which has no events."));
            }
            else if (grant.Amount != commitment.Amount)
            {
                findings.Add(new(programme.Id, "commitment", $"{commitment.Amount} is committed to grant {grant.Id}, awarded {grant.Amount}."));
            }
        }

        foreach (var grant in grants.Where(g => programme.Commitments.All(c => c.GrantId != g.Id)))
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
            grants.Select(g => g.Reserved).Sum(currency).Amount);
    }
}
