using System.Text.Json;
using GrantLedger.Api.Configuration;
using GrantLedger.Domain.Grants;
using GrantLedger.Reports.Models;
using Marten;
using NodaTime;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace GrantLedger.Api.Programmes;

/// <summary>
/// What the programme dashboard needs of each grant, kept in a table of its own so that a view of a programme with
/// 10,000 grants reads 10,000 short rows instead of deserialising 10,000 grant snapshots: the grant's summary line (as
/// GET /api/programmes/{id} lists it) and its share of the monthly chart (<see cref="ReportModels.MonthShares"/>), with
/// the version and last write of the snapshot they were computed from. A line is computed from the stored snapshot by
/// the same domain code as before, never from events, and is recomputed whenever its snapshot was written since: a
/// view first catches up its programme's changed grants (usually none or a few), and <see cref="ProgrammeDashboardKeeper"/>
/// catches up every grant in the background so a view rarely has to. Nothing on the write path touches it.
/// </summary>
public sealed class ProgrammeDashboardLines(NpgsqlDataSource dataSource, IDocumentStore store)
{
    public const string TableName = "programme_dashboard_lines";

    public static Table Table(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<Guid>("grant_id").AsPrimaryKey();
        table.AddColumn<Guid>("programme_id").NotNull().AddIndex();
        table.AddColumn<long>("version").NotNull();
        table.AddColumn("modified", "timestamptz");
        table.AddColumn<string>("grantee").NotNull();
        table.AddColumn("amount", "numeric").NotNull();
        table.AddColumn("disbursed", "numeric").NotNull();
        table.AddColumn("remaining", "numeric").NotNull();
        table.AddColumn("reserved", "numeric").NotNull();
        table.AddColumn("months", "jsonb").NotNull();
        return table;
    }

    private string Lines => $"{store.Options.Events.DatabaseSchemaName}.{TableName}";
    private static readonly string ProgrammeIdMember = MartenNames.Member(nameof(Grant.ProgrammeId));

    /// <summary>
    /// Recomputes the lines of grants whose snapshot was written since their line was (or that have none): of one
    /// programme, or of every programme when <paramref name="programmeId"/> is null. Returns how many were recomputed.
    /// </summary>
    public async Task<int> CatchUpAsync(Guid? programmeId, int limit, CancellationToken cancellation)
    {
        var grants = store.DocumentTable<Grant>();
        var stale = new List<(Guid Id, long Version, Instant? Modified)>();
        // Reads the snapshots' version columns only; a grant's JSON is opened only when it has no line yet (to learn its programme).
        await using (var command = dataSource.CreateCommand($"""
            select g.id, g.mt_version, g.mt_last_modified from {grants} g left join {Lines} l on l.grant_id = g.id
            where (l.grant_id is null and ($1::uuid is null or (g.data ->> '{ProgrammeIdMember}')::uuid = $1))
               or (($1::uuid is null or l.programme_id = $1) and (l.version <> g.mt_version or l.modified is distinct from g.mt_last_modified))
            limit $2
            """))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)programmeId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
            command.Parameters.Add(new NpgsqlParameter { Value = limit });
            await using var reader = await command.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation))
            {
                stale.Add((reader.GetGuid(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<Instant>(2)));
            }
        }

        if (stale.Count == 0)
        {
            return 0;
        }

        // The version read above, not the one loaded: a snapshot written in between is found stale again next time.
        await using var session = store.QuerySession();
        var loaded = (await session.LoadManyAsync<Grant>(cancellation, stale.Select(s => s.Id))).ToDictionary(g => g.Id);
        var rows = stale.Where(s => loaded.ContainsKey(s.Id)).Select(s => (Stale: s, Grant: loaded[s.Id])).ToList();
        await using var upsert = dataSource.CreateCommand($"""
            insert into {Lines} (grant_id, programme_id, version, modified, grantee, amount, disbursed, remaining, reserved, months)
            select u.grant_id, u.programme_id, u.version, u.modified, u.grantee, u.amount, u.disbursed, u.remaining, u.reserved, u.months::jsonb
            from unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::timestamptz[], $5::text[], $6::numeric[], $7::numeric[], $8::numeric[],
                        $9::numeric[], $10::text[])
                 as u(grant_id, programme_id, version, modified, grantee, amount, disbursed, remaining, reserved, months)
            on conflict (grant_id) do update set programme_id = excluded.programme_id, version = excluded.version, modified = excluded.modified,
                grantee = excluded.grantee, amount = excluded.amount, disbursed = excluded.disbursed, remaining = excluded.remaining,
                reserved = excluded.reserved, months = excluded.months
            """);
        upsert.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Grant.Id).ToArray() });
        upsert.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Grant.ProgrammeId).ToArray() });
        upsert.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Stale.Version).ToArray() });
        upsert.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Stale.Modified).ToArray() });
        upsert.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Grant.Grantee).ToArray() });
        upsert.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Grant.Amount.Amount).ToArray() });
        upsert.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Grant.Disbursed.Amount).ToArray() });
        upsert.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Grant.Remaining.Amount).ToArray() });
        upsert.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Grant.Reserved.Amount).ToArray() });
        upsert.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => JsonSerializer.Serialize(ReportModels.MonthShares(r.Grant))).ToArray() });
        await upsert.ExecuteNonQueryAsync(cancellation);
        return rows.Count;
    }

    /// <summary>The programme's grants as summary lines, and their monthly shares summed by month (after catching up).</summary>
    public async Task<(IReadOnlyList<ProgrammeGrantLine> Grants, IReadOnlyDictionary<string, MonthShare> Months)> ReadAsync(Guid programmeId,
        CancellationToken cancellation)
    {
        while (await CatchUpAsync(programmeId, 1_000, cancellation) == 1_000)
        {
        }

        // Joined with the snapshots, so a line whose grant no longer exists (a test's reset) is never counted.
        var grants = new List<ProgrammeGrantLine>();
        var months = new Dictionary<string, MonthShare>();
        var from = $"from {Lines} l join {store.DocumentTable<Grant>()} g on g.id = l.grant_id where l.programme_id = $1";
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"select l.grant_id, l.grantee, l.amount, l.disbursed, l.remaining, l.reserved {from}")
        {
            Parameters = { new NpgsqlParameter { Value = programmeId } },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            $"select m.key, sum((m.value ->> 'Paid')::numeric), sum((m.value ->> 'Planned')::numeric) {from.Replace("where", "cross join jsonb_each(l.months) m where", StringComparison.Ordinal)} group by m.key")
        {
            Parameters = { new NpgsqlParameter { Value = programmeId } },
        });
        await using var reader = await batch.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            grants.Add(new ProgrammeGrantLine(reader.GetGuid(0), reader.GetString(1), reader.GetDecimal(2), reader.GetDecimal(3), reader.GetDecimal(4),
                reader.GetDecimal(5)));
        }

        await reader.NextResultAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            months[reader.GetString(0)] = new MonthShare(reader.GetDecimal(1), reader.GetDecimal(2));
        }

        return (grants, months);
    }
}

/// <summary>Keeps the dashboard lines caught up in the background, so a view finds few or none to recompute.</summary>
public sealed class ProgrammeDashboardKeeper(ProgrammeDashboardLines lines, ILogger<ProgrammeDashboardKeeper> logger) : BackgroundService
{
    private const int Batch = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Straight on only while a pass was full (a backlog). Under a steady load some line is always stale: looping
                // until none was recomputed every grant being paid, continuously; once a second is enough, since a view
                // catches up its own programme (ADR 0019).
                while (await lines.CatchUpAsync(null, Batch, stoppingToken) == Batch && !stoppingToken.IsCancellationRequested)
                {
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Programme dashboard lines could not be caught up; retrying");
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
