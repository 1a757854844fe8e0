using GrantLedger.Api.Identity;
using Marten;
using Microsoft.AspNetCore.Authorization;
using NodaTime;
using Npgsql;
using Wolverine.Http;

namespace GrantLedger.Api.Audit;

public sealed record ChainVerification(
    bool Valid,
    long CheckedEvents,
    long PendingEvents,
    long? HeadSequence,
    string HeadLink,
    long? FirstBrokenSequence,
    string? Problem,
    int Checkpoints,
    bool CheckpointsValid,
    SignedCheckpoint? LastSignedHead,
    long EventsAfterLastCheckpoint,
    string KeyId);

/// <summary>
/// The cheap check an audit page view runs (<see cref="ChainVerifier.VerifyTailAsync"/>): the newest signed checkpoint's
/// signature, that the events up to it still end in the link it signed, and every event after it. <c>ReadEvents</c> is
/// how many rows of the event store it read (the last checkpoint's event and its predecessor, and what came after).
/// </summary>
public sealed record TailVerification(bool Valid, SignedCheckpoint? From, long ReadEvents, long CheckedEvents, long PendingEvents, long? HeadSequence,
    long? FirstBrokenSequence, string? Problem);

/// <summary>The last whole-chain verification this node ran (any caller), and when: shown on the audit page.</summary>
public sealed class LastChainVerification
{
    private volatile Entry? _last;

    public sealed record Entry(ChainVerification Result, Instant At);

    public Entry? Last => _last;

    public void Record(ChainVerification result, Instant at) => _last = new Entry(result, at);
}

public sealed record PublicKeyView(string KeyId, string Algorithm, string PublicKeyPem, string PayloadFormat);

/// <summary>
/// Recomputes the chain from the events as stored now and checks every signed checkpoint (from the database and from
/// the journal outside it) against it. A rewrite that recomputes every link still fails here, because the recomputed
/// link at a checkpoint no longer matches what was signed; deleting the newest events with their links fails once a
/// checkpoint covers them.
/// </summary>
public sealed class ChainVerifier(NpgsqlDataSource dataSource, IDocumentStore store, AuditSigningKey key, AuditCheckpointer checkpointer,
    LastChainVerification last, IClock clock)
{
    /// <summary>
    /// What a page view can afford: starts from the newest signed checkpoint instead of the genesis. Its signature must
    /// verify, the event it covers (with its predecessor's stored link) must still yield the link it signed — a rewrite
    /// anywhere before it that recomputed the chain changes that link — and every event after it must match its link.
    /// An event before the checkpoint edited without recomputing the links is found by <see cref="VerifyAsync"/> only.
    /// </summary>
    public async Task<TailVerification> VerifyTailAsync(CancellationToken cancellation)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        SignedCheckpoint? newest = null;
        await using (var command = dataSource.CreateCommand(
            $"select seq_id, link, signed_at, key_id, signature, reason from {schema}.{AuditCheckpoints.TableName} order by seq_id desc limit 1"))
        await using (var reader = await command.ExecuteReaderAsync(cancellation))
        {
            if (await reader.ReadAsync(cancellation))
            {
                newest = new SignedCheckpoint(reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<Instant>(2), reader.GetString(3),
                    reader.GetString(4), reader.GetString(5));
            }
        }

        if (newest is not null && !key.Verifies(newest))
        {
            return new TailVerification(false, newest, 0, 0, 0, null, newest.Sequence,
                $"The checkpoint of event {newest.Sequence} does not carry a valid signature of a trusted key: it was forged or altered.");
        }

        var signed = newest is null ? new Dictionary<long, string>() : new Dictionary<long, string> { [newest.Sequence] = newest.Link };
        var walk = await Walk(schema, signed, cancellation, from: newest?.Sequence);
        var problem = walk.Problem ?? walk.CheckpointProblem;
        if (problem is null && newest is not null && (walk.HeadSequence ?? 0) < newest.Sequence)
        {
            problem = $"A signed checkpoint covers events up to {newest.Sequence}, but the chain ends at {walk.HeadSequence ?? 0}: " +
                      "recorded events were deleted together with their links.";
        }

        return new TailVerification(problem is null, newest, walk.ReadRows, walk.CheckedEvents, walk.PendingEvents, walk.HeadSequence,
            walk.FirstBrokenSequence ?? walk.CheckpointBrokenAt ?? (problem is null ? null : newest?.Sequence), problem);
    }

    /// <param name="alsoCheck">Signed heads held outside the ledger (e.g. the one printed in an uploaded report), checked like
    /// the ledger's own checkpoints.</param>
    public async Task<ChainVerification> VerifyAsync(CancellationToken cancellation, IReadOnlyCollection<SignedCheckpoint>? alsoCheck = null)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        // The journal first: a checkpoint reaches it only after its row committed, so every line read here is in the
        // database when it is read next, even while another node signs a new checkpoint.
        var journal = await checkpointer.ReadJournal(cancellation);
        var stored = await AuditCheckpoints.All(dataSource, schema, cancellation);
        var problems = new List<string>();

        var checkpoints = stored.Concat(journal).DistinctBy(c => c.Sequence).OrderBy(c => c.Sequence).ToList();
        foreach (var forged in checkpoints.Where(c => !key.Verifies(c)))
        {
            problems.Add($"The checkpoint of event {forged.Sequence} does not carry a valid signature of a trusted key: it was forged or altered.");
        }

        foreach (var missing in journal.Where(j => stored.All(s => s.Sequence != j.Sequence)))
        {
            problems.Add($"The checkpoint of event {missing.Sequence} signed at {missing.SignedAt} is in the journal but no longer in the database: it was deleted.");
        }

        foreach (var (kept, recorded) in journal.Join(stored, j => j.Sequence, s => s.Sequence, (j, s) => (j, s)).Where(p => p.j != p.s))
        {
            problems.Add($"The checkpoint of event {kept.Sequence} in the database differs from the one in the journal: it was replaced.");
        }

        var signedLinks = checkpoints.Where(key.Verifies).ToDictionary(c => c.Sequence, c => c.Link);
        foreach (var held in alsoCheck ?? [])
        {
            if (!key.Verifies(held))
            {
                problems.Add($"The signed head of event {held.Sequence} presented for checking does not carry a valid signature of a trusted key.");
            }
            else if (signedLinks.TryGetValue(held.Sequence, out var link) && link != held.Link)
            {
                problems.Add($"The signed head of event {held.Sequence} presented for checking contradicts the ledger's checkpoint of that event.");
            }
            else
            {
                signedLinks[held.Sequence] = held.Link;
                checkpoints.Add(held);
            }
        }

        var walk = await Walk(schema, signedLinks, cancellation);
        if (walk.CheckpointProblem is { } mismatch)
        {
            problems.Add(mismatch);
        }

        var signed = checkpoints.Where(key.Verifies).ToList();
        var beyondHead = signed.Where(c => c.Sequence > (walk.HeadSequence ?? 0)).ToList();
        if (beyondHead.Count > 0 && walk.FirstBrokenSequence is null)
        {
            problems.Add($"A signed checkpoint covers events up to {beyondHead.Max(c => c.Sequence)}, but the chain ends at {walk.HeadSequence ?? 0}: " +
                         "recorded events were deleted together with their links.");
        }

        var lastSigned = signed.LastOrDefault();
        var checkpointsValid = problems.Count == 0;
        var problem = walk.Problem ?? problems.FirstOrDefault();
        var result = new ChainVerification(walk.Problem is null && checkpointsValid, walk.CheckedEvents, walk.PendingEvents, walk.HeadSequence, walk.HeadLink,
            walk.FirstBrokenSequence ?? walk.CheckpointBrokenAt ?? (problems.Count > 0 ? beyondHead.Select(c => (long?)c.Sequence).FirstOrDefault() : null), problem,
            checkpoints.Count, checkpointsValid, lastSigned, Math.Max(0, (walk.HeadSequence ?? 0) - (lastSigned?.Sequence ?? 0)), key.KeyId);
        if (alsoCheck is null or { Count: 0 })
        {
            last.Record(result, clock.GetCurrentInstant());
        }

        return result;
    }

    private sealed record WalkResult(long CheckedEvents, long PendingEvents, long? HeadSequence, string HeadLink, long? FirstBrokenSequence,
        string? Problem, string? CheckpointProblem, long? CheckpointBrokenAt, long ReadRows);

    /// <param name="from">Walk from the chained event before this sequence (its stored link taken as given; sequences may have
    /// gaps), instead of from the genesis.</param>
    private async Task<WalkResult> Walk(string schema, IReadOnlyDictionary<long, string> signedLinks, CancellationToken cancellation, long? from = null)
    {
        // From a checkpoint, the bound goes into both sides of the join, so each is an index range scan of the tail:
        // a bound on coalesce(e.seq_id, c.seq_id) above the full join would make PostgreSQL join both tables whole first.
        var start = $"(select coalesce(max(p.seq_id), 0) from {schema}.{AuditChain.TableName} p where p.seq_id < $1)";
        await using var command = dataSource.CreateCommand(
            $"select coalesce(e.seq_id, c.seq_id), e.seq_id is not null, {AuditChain.CanonicalSql("e")}, c.link " +
            (from is null
                ? $"from {schema}.mt_events e full outer join {schema}.{AuditChain.TableName} c on c.seq_id = e.seq_id "
                : $"from (select * from {schema}.mt_events where seq_id >= {start}) e " +
                  $"full outer join (select * from {schema}.{AuditChain.TableName} where seq_id >= {start}) c on c.seq_id = e.seq_id ") +
            "order by 1");
        if (from is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = from.Value });
        }

        await using var reader = await command.ExecuteReaderAsync(cancellation);

        var (previous, checkedEvents, pending, readRows) = (AuditChain.Genesis, 0L, 0L, 0L);
        var anchored = from is null;
        long? head = null;
        long? firstPending = null;
        string? checkpointProblem = null;
        long? checkpointBrokenAt = null;
        while (await reader.ReadAsync(cancellation))
        {
            readRows++;
            var sequence = reader.GetInt64(0);
            var eventExists = reader.GetBoolean(1);
            var storedLink = reader.IsDBNull(3) ? null : reader.GetString(3);
            if (!anchored)
            {
                anchored = true;
                if (sequence < from && storedLink is not null)
                {
                    // The predecessor of the checkpoint's event: its stored link is where the walk starts.
                    (previous, head) = (storedLink, sequence);
                    continue;
                }
            }

            if (storedLink is null)
            {
                pending++;
                firstPending ??= sequence;
                continue;
            }

            if (pending > 0)
            {
                return Broken(firstPending!.Value, $"Event {firstPending} is not in the chain although later events are: it was inserted afterwards.");
            }

            if (!eventExists)
            {
                return Broken(sequence, $"Event {sequence} was chained but no longer exists: it was deleted.");
            }

            var link = AuditChain.Link(previous, reader.GetString(2));
            if (signedLinks.TryGetValue(sequence, out var signedLink) && signedLink != link && checkpointProblem is null)
            {
                // The stored links may have been recomputed to match; the signature cannot have been.
                checkpointProblem = $"The events up to {sequence} no longer yield the link signed in its checkpoint: history was rewritten and the chain recomputed.";
                checkpointBrokenAt = sequence;
            }

            if (link != storedLink)
            {
                return Broken(sequence, $"Event {sequence} does not match its link: it was changed after it was recorded.");
            }

            (previous, head) = (link, sequence);
            checkedEvents++;
        }

        return new WalkResult(checkedEvents, pending, head, previous, null, null, checkpointProblem, checkpointBrokenAt, readRows);

        WalkResult Broken(long at, string problem) => new(checkedEvents, pending, head, previous, at, problem, checkpointProblem, checkpointBrokenAt, readRows);
    }
}

public static class AuditVerificationEndpoint
{
    /// <summary>
    /// Recomputes the whole chain from the events as stored now, names the first link that no longer matches, and
    /// checks every signed checkpoint. Events committed but not chained yet (the chainer runs every half second) are
    /// reported as pending; events chained after the last checkpoint are counted (what a signature does not cover yet).
    /// </summary>
    [Authorize(Policy = Policies.Audit)]
    [WolverineGet("/api/audit/verification")]
    public static Task<ChainVerification> Get(ChainVerifier verifier, CancellationToken cancellation) => verifier.VerifyAsync(cancellation);

    /// <summary>The public key that verifies the ledger's signed checkpoints and report signatures.</summary>
    [Authorize(Policy = Policies.Audit)]
    [WolverineGet("/api/audit/public-key")]
    public static PublicKeyView PublicKey(AuditSigningKey key) =>
        new(key.KeyId, "ECDSA P-256, SHA-256, IEEE P1363 signature in base64", key.PublicKeyPem,
            $"UTF-8 of \"{AuditCheckpoints.Format}\\n<sequence>\\n<link>\\n<signedAt ISO-8601 UTC>\"");

    /// <summary>The newest 1,000 signed checkpoints, newest first, for an auditor to keep a copy outside the ledger (bounded:
    /// a checkpoint every five minutes makes about 100,000 a year; verification reads them all, this answer does not).</summary>
    [Authorize(Policy = Policies.Audit)]
    [WolverineGet("/api/audit/checkpoints")]
    public static async Task<IReadOnlyList<SignedCheckpoint>> Checkpoints(NpgsqlDataSource dataSource, IDocumentStore store, CancellationToken cancellation) =>
        (await AuditCheckpoints.All(dataSource, store.Options.Events.DatabaseSchemaName, cancellation)).AsEnumerable().Reverse().Take(1_000).ToList();
}
