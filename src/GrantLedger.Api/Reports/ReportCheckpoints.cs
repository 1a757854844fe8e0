using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using GrantLedger.Api.Configuration;
using GrantLedger.Domain.Grants;
using GrantLedger.Reports.Models;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.Options;
using NodaTime;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace GrantLedger.Api.Reports;

/// <summary>Settings under <c>GrantLedger:Reports:Checkpoints</c>.</summary>
public sealed class ReportCheckpointOptions
{
    /// <summary>Programme financial and milestone status reports start from the nearest checkpoint; off: they fold every event.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A checkpoint after every this many events: the most an as-of report folds after its checkpoint.</summary>
    public int EveryEvents { get; set; } = 20_000;

    /// <summary>How often the writer looks for due checkpoints; 0: never in the background (a test writes them itself).</summary>
    public int WriteIntervalSeconds { get; set; } = 10;
}

/// <summary>A report's ledger state rebuilt from a checkpoint: the checkpoint's sequence, the events folded after it,
/// and the grants folded again from their own streams because an event named a payment the checkpoint had merged.</summary>
public sealed record ResumedState(LedgerState State, long Checkpoint, int EventsAfter, int GrantsRefolded);

/// <summary>
/// Checkpoints of the report fold (docs/internals.md, "Report checkpoints"): the ledger folded up to an event sequence,
/// condensed (<see cref="LedgerCheckpoint"/>), in the table <c>report_checkpoints</c>. A checkpoint is written only at a
/// sequence the audit chain has passed, so no event at or before it can still commit; it is usable for an as-of
/// instant at or after the latest recorded time of the events it folded, so it never holds an event recorded after
/// the instant; and events are never changed, so it stays right for ever (a reversal is a later event). It is tied to
/// the code that folded it (<see cref="FoldVersion"/>) and to the event it was taken at (its id).
/// </summary>
public sealed class ReportCheckpoints(IDocumentStore store, NpgsqlDataSource dataSource, IOptions<ReportCheckpointOptions> options)
{
    public const string TableName = "report_checkpoints";

    /// <summary>Bumped when the way a checkpoint is stored changes (its JSON, the serializer's settings).</summary>
    private const string Format = "grantledger-report-checkpoint/v1";

    private const long LockKey = 0x6c65646765726370; // "ledgercp"

    /// <summary>The ledger's JSON (as the snapshots, <see cref="Configuration.JsonConfiguration"/>) without nulls and without
    /// computed members (a grant's totals, a payment's net): a checkpoint holds every grant, and most members of a
    /// payment are null.</summary>
    private static readonly JsonSerializerOptions Json = new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        IgnoreReadOnlyProperties = true,
    }.ConfigureGrantLedger();

    /// <summary>
    /// The fold's identity: the format and the builds of the domain (Evolve) and of the report models (fold and
    /// condensing). Builds are deterministic, so the same code gives the same value; after changed domain or report code,
    /// older checkpoints are no longer used and the writer starts a new series.
    /// </summary>
    public static string FoldVersion { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        $"{Format}|{typeof(Grant).Assembly.ManifestModule.ModuleVersionId}|{typeof(LedgerState).Assembly.ManifestModule.ModuleVersionId}")))[..16];

    public static Table Table(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("fold").AsPrimaryKey();
        table.AddColumn<long>("seq_id").AsPrimaryKey();
        table.AddColumn<Guid>("event_id").NotNull();
        table.AddColumn("recorded_up_to", "timestamptz").NotNull();
        table.AddColumn("segment_from", "timestamptz").NotNull();
        table.AddColumn<long>("position").NotNull();
        table.AddColumn<int>("events").NotNull();
        table.AddColumn("state", "json").NotNull();
        table.AddColumn("written_at", "timestamptz").NotNull().DefaultValueByExpression("now()");
        return table;
    }

    private string Schema => store.Options.Events.DatabaseSchemaName;

    /// <summary>
    /// The report ledger as of the instant, from the nearest checkpoint at or before it, or null when none is usable
    /// (checkpoints off, none written yet, or every one folded an event recorded after the instant).
    /// </summary>
    public async Task<ResumedState?> StateAsOfAsync(IQuerySession session, Instant asOf, CancellationToken cancellation)
    {
        if (!options.Value.Enabled)
        {
            return null;
        }

        var cutoff = asOf.ToDateTimeOffset();
        long sequence, scanTo, last;
        LedgerCheckpoint checkpoint;
        // The newest checkpoint whose events were all recorded by the cutoff; and, after it, how far events recorded by
        // the cutoff can lie: to the last checkpoint whose own events began by the cutoff, and anywhere after the newest.
        await using (var command = dataSource.CreateCommand($"""
            select c.seq_id, c.state,
              coalesce((select max(n.seq_id) from {Schema}.{TableName} n where n.fold = $1 and n.seq_id > c.seq_id and n.segment_from <= $2), c.seq_id),
              (select max(n.seq_id) from {Schema}.{TableName} n where n.fold = $1)
            from {Schema}.{TableName} c
            where c.fold = $1 and c.recorded_up_to <= $2
              and exists (select 1 from {Schema}.mt_events e where e.seq_id = c.seq_id and e.id = c.event_id)
            order by c.seq_id desc limit 1
            """))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = FoldVersion });
            command.Parameters.Add(new NpgsqlParameter { Value = cutoff, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            await using var reader = await command.ExecuteReaderAsync(cancellation);
            if (!await reader.ReadAsync(cancellation))
            {
                return null;
            }

            sequence = reader.GetInt64(0);
            checkpoint = await Read(reader, 1, cancellation);
            scanTo = reader.GetInt64(2);
            last = reader.GetInt64(3);
        }

        var after = await session.Events.QueryAllRawEvents()
            .Where(e => e.Sequence > sequence && (e.Sequence <= scanTo || e.Sequence > last) && e.Timestamp <= cutoff)
            .OrderBy(e => e.Sequence).ToListAsync(cancellation);
        var state = checkpoint.FoldOn(Recorded(after), out var heldBack);
        if (heldBack.Count > 0)
        {
            var ids = heldBack.ToArray();
            state = LedgerCheckpoint.Refolded(state, ids, Recorded(await session.Events.QueryAllRawEvents()
                .Where(e => e.StreamId.IsOneOf(ids) && e.Timestamp <= cutoff).OrderBy(e => e.Sequence).ToListAsync(cancellation)));
        }

        return new ResumedState(state, sequence, after.Count, heldBack.Count);
    }

    /// <summary>The highest sequence up to which every event is final: the audit chain's head (the chainer waits out
    /// every gap a running transaction could still fill, <see cref="Audit.AuditChainer"/>).</summary>
    public async Task<long> SettledAsync(CancellationToken cancellation)
    {
        await using var command = dataSource.CreateCommand($"select coalesce(max(seq_id), 0) from {Schema}.{Audit.AuditChain.TableName}");
        return (long)(await command.ExecuteScalarAsync(cancellation))!;
    }

    /// <summary>
    /// Writes every checkpoint due up to <paramref name="settled"/> (every event up to it final), each folded on from the
    /// one before; returns how many. One node writes at a time (an advisory lock); another returns 0 at once.
    /// </summary>
    public async Task<int> WriteDueAsync(long settled, CancellationToken cancellation)
    {
        var every = options.Value.EveryEvents;
        await using var connection = await dataSource.OpenConnectionAsync(cancellation);
        if (!await Scalar<bool>(connection, $"select pg_try_advisory_lock({LockKey})", cancellation))
        {
            return 0;
        }

        try
        {
            var (from, recordedUpTo, last) = await Latest(connection, cancellation) ?? (0L, DateTimeOffset.MinValue, LedgerCheckpoint.Of(LedgerState.Empty));
            var written = 0;
            while (settled - from >= every)
            {
                await using var session = store.QuerySession();
                var start = from;
                var events = await session.Events.QueryAllRawEvents().Where(e => e.Sequence > start && e.Sequence <= settled)
                    .OrderBy(e => e.Sequence).Take(every).ToListAsync(cancellation);
                if (events.Count < every)
                {
                    break; // gaps (rolled-back transactions) in the range: due once more events are final
                }

                var at = events[^1];
                var folded = last.FoldOn(Recorded(events), out var heldBack);
                if (heldBack.Count > 0)
                {
                    var ids = heldBack.ToArray();
                    folded = LedgerCheckpoint.Refolded(folded, ids, Recorded(await session.Events.QueryAllRawEvents()
                        .Where(e => e.StreamId.IsOneOf(ids) && e.Sequence <= at.Sequence).OrderBy(e => e.Sequence).ToListAsync(cancellation)));
                }

                var checkpoint = LedgerCheckpoint.Of(folded);
                recordedUpTo = events.Select(e => e.Timestamp).Append(recordedUpTo).Max();
                await using (var insert = new NpgsqlCommand($"""
                    insert into {Schema}.{TableName} (fold, seq_id, event_id, recorded_up_to, segment_from, position, events, state)
                    values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict do nothing
                    """, connection))
                {
                    insert.Parameters.Add(new NpgsqlParameter { Value = FoldVersion });
                    insert.Parameters.Add(new NpgsqlParameter { Value = at.Sequence });
                    insert.Parameters.Add(new NpgsqlParameter { Value = at.Id });
                    insert.Parameters.Add(new NpgsqlParameter { Value = recordedUpTo, NpgsqlDbType = NpgsqlDbType.TimestampTz });
                    insert.Parameters.Add(new NpgsqlParameter { Value = events.Min(e => e.Timestamp), NpgsqlDbType = NpgsqlDbType.TimestampTz });
                    insert.Parameters.Add(new NpgsqlParameter { Value = checkpoint.Position });
                    insert.Parameters.Add(new NpgsqlParameter { Value = events.Count });
                    insert.Parameters.Add(new NpgsqlParameter { Value = ToJson(checkpoint), NpgsqlDbType = NpgsqlDbType.Json });
                    await insert.ExecuteNonQueryAsync(cancellation);
                }

                (from, last) = (at.Sequence, checkpoint);
                written++;
            }

            return written;
        }
        finally
        {
            await Scalar<bool>(connection, $"select pg_advisory_unlock({LockKey})", CancellationToken.None);
        }
    }

    /// <summary>The newest checkpoint of this fold on this history, to fold on from.</summary>
    private async Task<(long, DateTimeOffset, LedgerCheckpoint)?> Latest(NpgsqlConnection connection, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand($"""
            select c.seq_id, c.recorded_up_to, c.state from {Schema}.{TableName} c
            where c.fold = $1 and exists (select 1 from {Schema}.mt_events e where e.seq_id = c.seq_id and e.id = c.event_id)
            order by c.seq_id desc limit 1
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = FoldVersion });
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        if (!await reader.ReadAsync(cancellation))
        {
            return null;
        }

        var checkpoint = await Read(reader, 2, cancellation);
        return (reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), checkpoint);
    }

    /// <summary>A checkpoint's <c>state</c> column as written.</summary>
    public static string ToJson(LedgerCheckpoint checkpoint) => JsonSerializer.Serialize(checkpoint, Json);

    public static LedgerCheckpoint FromJson(string json) =>
        JsonSerializer.Deserialize<LedgerCheckpoint>(json, Json) ?? throw new InvalidOperationException("A report checkpoint holds no state.");

    private static async Task<LedgerCheckpoint> Read(NpgsqlDataReader reader, int column, CancellationToken cancellation)
    {
        await using var json = await reader.GetStreamAsync(column, cancellation);
        return await JsonSerializer.DeserializeAsync<LedgerCheckpoint>(json, Json, cancellation)
            ?? throw new InvalidOperationException("A report checkpoint holds no state.");
    }

    /// <summary>Ledger events as the report fold takes them: records of reports left out (<see cref="ReportBuilder.EventsAsOf"/>).</summary>
    private static IEnumerable<RecordedEvent> Recorded(IEnumerable<IEvent> events) =>
        events.Where(e => e.Data is not ReportGenerated)
            .Select(e => new RecordedEvent(e.Sequence, Instant.FromDateTimeOffset(e.Timestamp), e.StreamId, e.Data));

    private static async Task<T> Scalar<T>(NpgsqlConnection connection, string sql, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(cancellation))!;
    }
}

/// <summary>Writes due report checkpoints in the background, every <c>WriteIntervalSeconds</c>, up to the audit chain's head.</summary>
public sealed class ReportCheckpointWriter(ReportCheckpoints checkpoints, IOptions<ReportCheckpointOptions> options, ILogger<ReportCheckpointWriter> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.WriteIntervalSeconds;
        if (interval <= 0 || !options.Value.Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var written = await checkpoints.WriteDueAsync(await checkpoints.SettledAsync(stoppingToken), stoppingToken);
                if (written > 0)
                {
                    logger.LogInformation("Wrote {Count} report checkpoint(s)", written);
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Report checkpoints could not be written; retrying");
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(interval), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
