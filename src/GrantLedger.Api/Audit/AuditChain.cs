using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using GrantLedger.Api.Configuration;
using Marten;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace GrantLedger.Api.Audit;

/// <summary>
/// A hash chain over committed events, kept in its own table: link(n) = SHA-256(link(n-1) + "\n" + canonical(event n)),
/// where the canonical form is the event row as PostgreSQL stores it (data and headers as jsonb text, timestamp in
/// UTC, ids, type, version, correlation, user). Anyone with database access can recompute it; changing, deleting or
/// re-ordering an event breaks every link after it.
/// </summary>
public static class AuditChain
{
    public const string TableName = "audit_chain";
    public static readonly string Genesis = Convert.ToHexStringLower(SHA256.HashData("grantledger-audit-chain-genesis"u8));

    public static Table Table(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<long>("seq_id").AsPrimaryKey();
        table.AddColumn<string>("link").NotNull();
        table.AddColumn("chained_at", "timestamptz").NotNull().DefaultValueByExpression("now()");
        return table;
    }

    /// <summary>The canonical text of an event row; the chainer and the verifier must use exactly this.</summary>
    public static string CanonicalSql(string alias) =>
        $"concat_ws('|', {alias}.seq_id::text, {alias}.id::text, {alias}.stream_id::text, {alias}.version::text, {alias}.type, " +
        $"to_char({alias}.timestamp at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), {alias}.data::text, " +
        $"coalesce({alias}.headers::text, ''), coalesce({alias}.correlation_id, ''), coalesce({alias}.causation_id, ''), " +
        $"coalesce({alias}.user_name, ''))";

    public static string Link(string previous, string canonical) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(previous + "\n" + canonical)));
}

/// <summary>
/// Marks along the audit trail, so that a page of the whole trail and its total cost the same in year five as in month
/// one: each row says how many events of the trail (every event but the records of generated reports) have a sequence
/// number up to its own. The chainer, which reads every event in order anyway, adds a mark once at least
/// <see cref="Every"/> sequence numbers (<c>GrantLedger:Audit:TrailMarkEveryEvents</c>) have passed since the last one; a reader counts only what came after the newest
/// mark. Derived and rebuildable (a working table, not a fact): it answers "how many", never "what happened".
/// </summary>
public static class AuditTrailMarks
{
    public const string TableName = "audit_trail_marks";
    public const int Every = 1000;

    public static Table Table(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<long>("seq_id").AsPrimaryKey();
        table.AddColumn<long>("events").NotNull();
        return table;
    }
}

/// <summary>Settings under <c>GrantLedger:Audit</c>.</summary>
public sealed class AuditOptions
{
    public int ChainIntervalMilliseconds { get; set; } = 500;

    /// <summary>A signed checkpoint after this many chained events since the last one...</summary>
    public int CheckpointEveryEvents { get; set; } = 1000;

    /// <summary>...or after this many minutes once the head has moved.</summary>
    public double CheckpointEveryMinutes { get; set; } = 5;

    /// <summary>A trail mark (<see cref="AuditTrailMarks"/>) at the chain head once this many sequence numbers have passed since the last one.</summary>
    public int TrailMarkEveryEvents { get; set; } = AuditTrailMarks.Every;

    /// <summary>The private key (PEM, PKCS#8) that signs checkpoints; kept outside the database. Required in Production.</summary>
    public string? SigningKeyPath { get; set; }

    /// <summary>Public keys (PEM) of retired signing keys whose checkpoints still verify.</summary>
    public string[]? TrustedPublicKeyPaths { get; set; }

    /// <summary>Where signed checkpoints are appended outside the database (JSON lines); default beside the key.</summary>
    public string? CheckpointJournalPath { get; set; }
}

/// <summary>
/// Extends the chain as events commit, in sequence order. A missing sequence number belongs to a transaction that
/// is still running or was rolled back: the chain waits until every transaction that was running when the gap was
/// seen has finished (PostgreSQL snapshot xmin/xmax), then takes the gap as final. Several application nodes may run
/// this: an advisory lock lets one chain at a time.
/// </summary>
public sealed class AuditChainer(NpgsqlDataSource dataSource, IDocumentStore store, Microsoft.Extensions.Options.IOptions<AuditOptions> options,
    AuditCheckpointer checkpointer, ILogger<AuditChainer> logger) : BackgroundService
{
    /// <summary>The advisory lock of this ledger's chain: one per schema (advisory locks are per database), so a ledger in
    /// another schema of the same database, or a stalled one, never holds this one's chain up.</summary>
    private long LockKey { get; } = LockKeyFor(store.Options.Events.DatabaseSchemaName);

    public static long LockKeyFor(string schema) =>
        0x6772616e746c6564 ^ BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(schema)), 0);
    private readonly Dictionary<long, (long Xmax, long FirstSeen)> _gaps = new();

    /// <summary>A gap also has to stay open this long: a transaction takes its sequence number a moment before PostgreSQL
    /// gives it a transaction id, so the snapshot test alone could miss it in that instant.</summary>
    private static readonly TimeSpan MinimumGapAge = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Straight on only while a batch was full (a backlog); otherwise the next pass waits the interval, so
                // under a steady load the chain runs a few passes a second instead of one per handful of events.
                while (await ChainNextBatch(stoppingToken) == BatchSize)
                {
                }

                await checkpointer.SignIfDueAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Audit chain could not be extended; retrying");
            }

            try
            {
                await Task.Delay(options.Value.ChainIntervalMilliseconds, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The most events one pass chains.</summary>
    public const int BatchSize = 1000;

    /// <summary>Chains what can be chained now; returns how many links were added.</summary>
    public async Task<int> ChainNextBatch(CancellationToken cancellation)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        await using var connection = await dataSource.OpenConnectionAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        if (await Scalar<bool>(connection, transaction, $"select pg_try_advisory_xact_lock({LockKey})", cancellation) is not true)
        {
            return 0;
        }

        // Read before the events: every transaction older than this xmin has finished, so its events are visible below.
        var xmin = await Scalar<long>(connection, transaction, "select pg_snapshot_xmin(pg_current_snapshot())::text::bigint", cancellation);
        // A gap's age is elapsed time on a monotonic timer (Stopwatch), not a reading of any clock: it is about
        // transactions in flight in this database, and must age even when the ledger's business clock is frozen.
        var now = Stopwatch.GetTimestamp();
        bool Closed(long sequence) => _gaps.TryGetValue(sequence, out var gap) && xmin >= gap.Xmax && Stopwatch.GetElapsedTime(gap.FirstSeen, now) >= MinimumGapAge;

        var (lastSequence, lastLink) = (0L, AuditChain.Genesis);
        await using (var head = new NpgsqlCommand($"select seq_id, link from {schema}.{AuditChain.TableName} order by seq_id desc limit 1", connection, transaction))
        await using (var reader = await head.ExecuteReaderAsync(cancellation))
        {
            if (await reader.ReadAsync(cancellation))
            {
                (lastSequence, lastLink) = (reader.GetInt64(0), reader.GetString(1));
            }
        }

        var rows = new List<(long Sequence, string Canonical)>();
        await using (var next = new NpgsqlCommand(
            $"select e.seq_id, {AuditChain.CanonicalSql("e")} from {schema}.mt_events e where e.seq_id > $1 order by e.seq_id limit {BatchSize}",
            connection, transaction))
        {
            next.Parameters.Add(new NpgsqlParameter { Value = lastSequence });
            await using var reader = await next.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation))
            {
                rows.Add((reader.GetInt64(0), reader.GetString(1)));
            }
        }

        var links = new List<(long Sequence, string Link)>();
        var expected = lastSequence + 1;
        foreach (var (sequence, canonical) in rows)
        {
            var missing = Enumerable.Range(0, (int)Math.Min(sequence - expected, 10_000)).Select(i => expected + i).ToList();
            if (missing.Count > 0 && !missing.All(Closed))
            {
                // Note every gap in this batch now, so they age together instead of one after another.
                var xmax = await Scalar<long>(connection, transaction, "select pg_snapshot_xmax(pg_current_snapshot())::text::bigint", cancellation);
                var previous = lastSequence;
                foreach (var (seq, _) in rows)
                {
                    for (var gapAt = previous + 1; gapAt < seq && gapAt - previous <= 10_000; gapAt++)
                    {
                        _gaps.TryAdd(gapAt, (xmax, now));
                    }

                    previous = seq;
                }

                break;
            }

            foreach (var closed in missing)
            {
                _gaps.Remove(closed);
            }

            lastLink = AuditChain.Link(lastLink, canonical);
            links.Add((sequence, lastLink));
            expected = sequence + 1;
        }

        if (links.Count == 0)
        {
            await transaction.RollbackAsync(cancellation);
            return 0;
        }

        await using (var insert = new NpgsqlCommand(
            $"insert into {schema}.{AuditChain.TableName} (seq_id, link) select * from unnest($1::bigint[], $2::text[])", connection, transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = links.Select(l => l.Sequence).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter { Value = links.Select(l => l.Link).ToArray() });
            await insert.ExecuteNonQueryAsync(cancellation);
        }

        await Mark(connection, transaction, schema, links[^1].Sequence, cancellation);
        await transaction.CommitAsync(cancellation);
        return links.Count;
    }

    /// <summary>Adds a trail mark at the new chain head when <see cref="AuditOptions.TrailMarkEveryEvents"/> sequence numbers have
    /// passed since the last mark: counting the few events in between, once. A chain that has no mark yet (a ledger older than
    /// the marks) gets one per that many sequence numbers up to its head, in one pass.</summary>
    private async Task Mark(NpgsqlConnection connection, NpgsqlTransaction transaction, string schema, long head, CancellationToken cancellation)
    {
        var marks = $"{schema}.{AuditTrailMarks.TableName}";
        var every = options.Value.TrailMarkEveryEvents;
        var (last, events) = (0L, 0L);
        await using (var newest = new NpgsqlCommand($"select seq_id, events from {marks} order by seq_id desc limit 1", connection, transaction))
        await using (var reader = await newest.ExecuteReaderAsync(cancellation))
        {
            if (await reader.ReadAsync(cancellation))
            {
                (last, events) = (reader.GetInt64(0), reader.GetInt64(1));
            }
        }

        if (head - last < every)
        {
            return;
        }

        // Two statements, not one with both branches: PostgreSQL may compute a branch's subquery before its guard.
        await using var command = new NpgsqlCommand(last > 0
            ? $"""
               insert into {marks} (seq_id, events)
               select $1, $3 + count(*) from {schema}.mt_events e where e.seq_id > $4 and e.seq_id <= $1 and e.type <> $2
               """
            : $"""
               insert into {marks} (seq_id, events)
               select x.seq_id, x.events from (
                   select e.seq_id, count(*) filter (where e.type <> $2) over (order by e.seq_id) as events, lead(e.seq_id) over (order by e.seq_id) as next
                   from {schema}.mt_events e where e.seq_id <= $1) x
               where x.next is null or x.next / {every} > x.seq_id / {every}
               """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = head });
        command.Parameters.Add(new NpgsqlParameter { Value = store.EventTypeName<GrantLedger.Api.Reports.ReportGenerated>() });
        if (last > 0)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = events });
            command.Parameters.Add(new NpgsqlParameter { Value = last });
        }

        await command.ExecuteNonQueryAsync(cancellation);
    }

    private static async Task<T?> Scalar<T>(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        return (T?)await command.ExecuteScalarAsync(cancellation);
    }
}
