using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using GrantLedger.Api.Configuration;
using GrantLedger.Api.Http;
using GrantLedger.Api.Reports;
using GrantLedger.Domain.Grants;
using JasperFx.Events;
using Marten;
using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace GrantLedger.Api.Audit;

/// <summary>
/// The audit trail, defined once for <c>GET /api/audit</c> (and the audit page), the audit-trail CSV and the
/// audit-trail PDF. An event belongs to it when:
/// <list type="bullet">
/// <item>it was recorded in [<see cref="From"/>, <see cref="To"/>) and at or before <see cref="AsOf"/> (each optional);</item>
/// <item><see cref="Actor"/>, if given, recorded it (the actor header, else Marten's user name);</item>
/// <item>with <see cref="GrantId"/>: it is on the grant's stream, or its data names the grant (<c>grantId</c>: the
/// grant's commitment, and changes to it, on the programme stream);</item>
/// <item>with <see cref="ProgrammeId"/>: it is on the programme's stream, or on the stream of a grant awarded from it;</item>
/// <item>it is not the record of a generated report (<see cref="ReportGenerated"/>), so generating a report never
/// changes an audit trail.</item>
/// </list>
/// Oldest first, in store order. The database answers it in SQL (<see cref="Page"/>, <see cref="Read"/>); a report,
/// which already holds every event up to its instant, answers it in memory (<see cref="Select"/>). Each rule is
/// written in both forms, side by side below; <c>AuditTests</c> holds the three answers equal.
/// </summary>
public sealed record AuditTrailQuery(
    Instant? From = null, Instant? To = null, Instant? AsOf = null, string? Actor = null, Guid? GrantId = null, Guid? ProgrammeId = null)
{
    private static readonly string GrantIdMember = MartenNames.Member(nameof(GrantAwarded.GrantId));
    private static readonly string ProgrammeIdMember = MartenNames.Member(nameof(Grant.ProgrammeId));
    private static readonly ConcurrentDictionary<Type, PropertyInfo?> GrantIdProperties = new();

    /// <summary>The actor as the trail shows it and filters on it.</summary>
    private const string ActorSql = $"coalesce(e.headers ->> '{SessionMetadata.ActorHeader}', e.user_name)";

    /// <summary>One page of the trail, and how many events it holds in all.</summary>
    public async Task<AuditPage> Page(IDocumentStore store, NpgsqlDataSource dataSource, int page, int pageSize, CancellationToken cancellation)
    {
        var items = new List<AuditEntry>();
        long total = 0;
        await using (var command = dataSource.CreateCommand($"{SelectSql(store, "count(*) over ()")} limit $8 offset $9"))
        {
            AddFilter(command, store);
            command.Parameters.Add(new NpgsqlParameter { Value = pageSize });
            command.Parameters.Add(new NpgsqlParameter { Value = (long)(page - 1) * pageSize });
            await using var reader = await command.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation))
            {
                items.Add(Entry(reader));
                total = reader.GetInt64(Columns);
            }
        }

        if (items.Count == 0)
        {
            // Past the last page (or nothing at all): the window count above had no row to ride on.
            await using var count = dataSource.CreateCommand($"select count(*) from {store.EventsTable()} e {WhereSql(store)}");
            AddFilter(count, store);
            total = (long)(await count.ExecuteScalarAsync(cancellation) ?? 0L);
        }

        return new AuditPage(items, page, pageSize, total);
    }

    /// <summary>The whole trail, streamed as it is read.</summary>
    public async IAsyncEnumerable<AuditEntry> Read(IDocumentStore store, NpgsqlDataSource dataSource,
        [EnumeratorCancellation] CancellationToken cancellation)
    {
        await using var command = dataSource.CreateCommand(SelectSql(store, null));
        AddFilter(command, store);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            yield return Entry(reader);
        }
    }

    /// <summary>
    /// The trail among events already loaded: <paramref name="eventsAsOf"/> must be every event recorded up to an
    /// instant, in store order (as <see cref="ReportBuilder.EventsAsOf"/> loads them), not a part of them, since the
    /// programme's grants are found among them.
    /// </summary>
    public IEnumerable<IEvent> Select(IReadOnlyList<IEvent> eventsAsOf)
    {
        // SQL finds the programme's grants among the grant documents; here among the awards that start their streams.
        var programmeGrants = ProgrammeId is { } programme
            ? eventsAsOf.Where(e => e.Data is GrantAwarded a && a.ProgrammeId == programme).Select(e => e.StreamId).ToHashSet()
            : [];
        return eventsAsOf.Where(e =>
            e.Data is not ReportGenerated
            && (From is null || RecordedAt(e) >= From) && (To is null || RecordedAt(e) < To) && (AsOf is null || RecordedAt(e) <= AsOf)
            && (Actor is null || ActorOf(e) == Actor)
            && (GrantId is not { } grant || e.StreamId == grant || NamedGrant(e.Data) == grant)
            && (ProgrammeId is not { } p || e.StreamId == p || programmeGrants.Contains(e.StreamId)));
    }

    /// <summary>Who recorded an event, as <see cref="ActorSql"/> reads it.</summary>
    public static string? ActorOf(IEvent e) => Header(e, SessionMetadata.ActorHeader) ?? e.UserName;

    private static string? Header(IEvent e, string key) => e.Headers?.TryGetValue(key, out var value) == true ? value?.ToString() : null;

    private static Instant RecordedAt(IEvent e) => Instant.FromDateTimeOffset(e.Timestamp);

    /// <summary>What <c>data ->> 'grantId'</c> reads in SQL: the event's property stored under that JSON name.</summary>
    private static Guid? NamedGrant(object data) =>
        GrantIdProperties.GetOrAdd(data.GetType(), type => type.GetProperties().SingleOrDefault(p => MartenNames.Member(p.Name) == GrantIdMember))
            ?.GetValue(data) as Guid?;

    private const int Columns = 11;

    private string SelectSql(IDocumentStore store, string? extraColumn) => $"""
        select e.seq_id, e.stream_id, e.version, e.type, e.timestamp, {ActorSql}, e.headers ->> '{SessionMetadata.UserIdHeader}',
               e.headers ->> '{SessionMetadata.RoleHeader}', e.headers ->> '{SessionMetadata.ReasonHeader}', e.correlation_id,
               e.data::text{(extraColumn is null ? "" : ", " + extraColumn)}
        from {store.EventsTable()} e
        {WhereSql(store)}
        order by e.seq_id
        """;

    private string WhereSql(IDocumentStore store) => $"""
        where e.type <> $1
          and ($2::timestamptz is null or e.timestamp >= $2) and ($3::timestamptz is null or e.timestamp < $3)
          and ($4::timestamptz is null or e.timestamp <= $4)
          and ($5::text is null or {ActorSql} = $5)
          and ($6::uuid is null or e.stream_id = $6 or e.data ->> '{GrantIdMember}' = $6::text)
          and ($7::uuid is null or e.stream_id = $7
               or e.stream_id in (select g.id from {store.DocumentTable<Grant>()} g where (g.data ->> '{ProgrammeIdMember}')::uuid = $7))
        """;

    private void AddFilter(NpgsqlCommand command, IDocumentStore store)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = store.EventTypeName<ReportGenerated>(), NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)From ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)To ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)AsOf ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)Actor ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)GrantId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)ProgrammeId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
    }

    private static AuditEntry Entry(NpgsqlDataReader reader)
    {
        using var data = JsonDocument.Parse(reader.GetString(10));
        return new AuditEntry(reader.GetInt64(0), reader.GetGuid(1), reader.GetInt64(2), reader.GetString(3), reader.GetFieldValue<Instant>(4),
            Text(reader, 5), Text(reader, 6), Text(reader, 7), Text(reader, 8), Text(reader, 9), data.RootElement.Clone());
    }

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
