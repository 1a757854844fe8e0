using System.Threading.Channels;
using GrantLedger.Api.Http;
using Marten;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GrantLedger.Api.Grants;

/// <summary>Settings under <c>GrantLedger:Disbursements</c>.</summary>
public sealed class DisbursementOptions
{
    /// <summary>
    /// Commit concurrent disbursements together, in one PostgreSQL transaction, each answered only after that commit.
    /// Off by default: measured, it buys nothing on our machines (ADR 0008, docs/benchmarks.md).
    /// </summary>
    public bool GroupCommit { get; set; }

    /// <summary>The most disbursements committed in one transaction.</summary>
    public int MaxGroupSize { get; set; } = 64;
}

/// <summary>This node is stopping and wrote nothing of the request: a 503, and a retry with the same key is safe.</summary>
public sealed class LedgerShuttingDownException() : Exception("The ledger is shutting down; nothing was recorded. Retry with the same Idempotency-Key.");

/// <summary>
/// A disbursement's write, decided and waiting for the next group commit: the events to append to the grant at the
/// version the decision read, the idempotency record answering retries, and who asked and why.
/// </summary>
public sealed record StagedWrite(Guid GrantId, long ReadVersion, IReadOnlyList<object> Events, IdempotencyRecord Record,
    RequestMetadata Metadata, string? Reason)
{
    /// <summary>Writes this into a session; its commit checks the grant is still at <see cref="ReadVersion"/>.</summary>
    public void StageInto(IDocumentSession session)
    {
        session.RecordedBy(Metadata, Reason);
        session.Events.Append(GrantId, ReadVersion + Events.Count, Events.ToArray());
        session.Insert(Record);
    }
}

/// <summary>
/// Group commit for disbursements. Requests decide on their own (reads, rules) and hand their write here; one loop
/// takes every write waiting, at most one per grant and per idempotency key, and commits them in one transaction:
/// each through its own Marten session enlisted in that transaction, so every event keeps its own request's actor,
/// reason and correlation id. If the transaction fails (a write lost a race on its grant, or repeated a key), each
/// write of the group is committed alone, so each gets its own outcome: exactly what it would have got without group
/// commit (409 for a stale version, the first answer for a repeated key). Nothing is answered before its commit.
/// </summary>
public sealed class GroupCommitter(IDocumentStore store, NpgsqlDataSource dataSource, IOptions<DisbursementOptions> options,
    ILogger<GroupCommitter> logger) : BackgroundService
{
    private readonly Channel<Pending> _waiting = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    private sealed record Pending(StagedWrite Write, TaskCompletionSource Done);

    private long _groupsCommitted;
    private int _largestGroup;

    /// <summary>How many transactions carried two or more disbursements, and the most one carried.</summary>
    public (long GroupsCommitted, int LargestGroup) Statistics => (Interlocked.Read(ref _groupsCommitted), Volatile.Read(ref _largestGroup));

    /// <summary>Completes when the write is committed; throws what its commit threw otherwise.</summary>
    public Task Commit(StagedWrite write)
    {
        var pending = new Pending(write, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_waiting.Writer.TryWrite(pending))
        {
            throw new LedgerShuttingDownException();
        }

        return pending.Done.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var deferred = new List<Pending>();
        try
        {
            while (deferred.Count > 0 || await _waiting.Reader.WaitToReadAsync(stoppingToken))
            {
                var (group, later) = Take(deferred);
                deferred = later;
                await CommitGroup(group);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: what waits is refused, not lost (nothing of it was written); clients retry with their keys.
            _waiting.Writer.TryComplete();
            foreach (var pending in deferred.Concat(_waiting.Reader.ReadAllAsync(CancellationToken.None).ToBlockingEnumerable()))
            {
                pending.Done.TrySetException(new LedgerShuttingDownException());
            }
        }
    }

    /// <summary>The next group: writes for different grants and keys; a second write for the same grant waits for the next group.</summary>
    private (List<Pending> Group, List<Pending> Later) Take(List<Pending> deferred)
    {
        var group = new List<Pending>();
        var later = new List<Pending>();
        var grants = new HashSet<Guid>();
        var keys = new HashSet<string>();
        foreach (var pending in deferred.Concat(Drain()))
        {
            var joins = group.Count < options.Value.MaxGroupSize && !grants.Contains(pending.Write.GrantId) && !keys.Contains(pending.Write.Record.Id);
            (joins ? group : later).Add(pending);
            if (joins)
            {
                grants.Add(pending.Write.GrantId);
                keys.Add(pending.Write.Record.Id);
            }
        }

        return (group, later);
    }

    private IEnumerable<Pending> Drain()
    {
        while (_waiting.Reader.TryRead(out var pending))
        {
            yield return pending;
        }
    }

    private async Task CommitGroup(List<Pending> group)
    {
        if (group.Count > 1)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync();
                await using var transaction = await connection.BeginTransactionAsync();
                foreach (var pending in group)
                {
                    await using var session = store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(transaction));
                    pending.Write.StageInto(session);
                    await session.SaveChangesAsync();
                }

                await transaction.CommitAsync();
                Interlocked.Increment(ref _groupsCommitted);
                _largestGroup = Math.Max(_largestGroup, group.Count); // one reader: this loop
                group.ForEach(p => p.Done.TrySetResult());
                return;
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "A group of {Count} disbursements failed together; committing each alone", group.Count);
            }
        }

        foreach (var pending in group)
        {
            try
            {
                await using var session = store.LightweightSession();
                pending.Write.StageInto(session);
                await session.SaveChangesAsync();
                pending.Done.TrySetResult();
            }
            catch (Exception e)
            {
                pending.Done.TrySetException(e);
            }
        }
    }
}
