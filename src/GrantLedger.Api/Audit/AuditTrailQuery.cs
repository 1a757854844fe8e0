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

    /// <summary>
    /// One page of the trail, and how many events it holds in all. The whole trail (no filter, as the audit page opens)
    /// starts from the newest trail mark the chainer keeps (<see cref="AuditTrailMarks"/>): its total is the mark's count
    /// plus the events after it, and a page far back starts at the mark before it, so neither reads the whole history.
    /// A filtered trail is counted over the events that match.
    /// </summary>
    public async Task<AuditPage> Page(IDocumentStore store, NpgsqlDataSource dataSource, int page, int pageSize, CancellationToken cancellation)
    {
        var offset = (long)(page - 1) * pageSize;
        var whole = this == new AuditTrailQuery();
        await using var connection = await dataSource.OpenConnectionAsync(cancellation);
        var (afterSequence, skip) = whole ? await MarkBefore(store, connection, offset, cancellation) : (0L, offset);
        var items = new List<AuditEntry>();
        await using (var command = new NpgsqlCommand($"{SelectSql(store, afterSequence: true)} limit $9 offset $10", connection))
        {
            AddFilter(command, store);
            command.Parameters.Add(new NpgsqlParameter { Value = afterSequence });
            command.Parameters.Add(new NpgsqlParameter { Value = pageSize });
            command.Parameters.Add(new NpgsqlParameter { Value = skip });
            await using var reader = await command.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation))
            {
                items.Add(Entry(reader));
            }
        }

        var marks = $"{store.Options.Events.DatabaseSchemaName}.{AuditTrailMarks.TableName}";
        await using var count = new NpgsqlCommand(whole
            ? $"""
               select coalesce(m.events, 0) + (select count(*) from {store.EventsTable()} e where e.seq_id > coalesce(m.seq_id, 0) and e.type <> $1)
               from (select 1) one left join lateral (select seq_id, events from {marks} order by seq_id desc limit 1) m on true
               """
            : $"select count(*) from {store.EventsTable()} e {WhereSql(store)}", connection);
        if (whole)
        {
            count.Parameters.Add(new NpgsqlParameter { Value = store.EventTypeName<ReportGenerated>(), NpgsqlDbType = NpgsqlDbType.Text });
        }
        else
        {
            AddFilter(count, store);
        }

        return new AuditPage(items, page, pageSize, (long)(await count.ExecuteScalarAsync(cancellation) ?? 0L));
    }

    /// <summary>The newest trail mark at or before the <paramref name="offset"/>-th event of the whole trail: where a page that
    /// far back starts reading, and how many events of the trail remain to skip after it.</summary>
    private static async Task<(long AfterSequence, long Skip)> MarkBefore(IDocumentStore store, NpgsqlConnection connection, long offset,
        CancellationToken cancellation)
    {
        if (offset == 0)
        {
            return (0, 0);
        }

        await using var command = new NpgsqlCommand(
            $"select seq_id, events from {store.Options.Events.DatabaseSchemaName}.{AuditTrailMarks.TableName} where events <= $1 order by seq_id desc limit 1",
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = offset });
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        return await reader.ReadAsync(cancellation) ? (reader.GetInt64(0), offset - reader.GetInt64(1)) : (0, offset);
    }

    /// <summary>The whole trail, streamed as it is read.</summary>
    public async IAsyncEnumerable<AuditEntry> Read(IDocumentStore store, NpgsqlDataSource dataSource,
        [EnumeratorCancellation] CancellationToken cancellation)
    {
        await using var command = dataSource.CreateCommand(SelectSql(store, afterSequence: false));
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

    /// <param name="afterSequence">Adds a lower bound on the sequence (parameter $8), where a page starts from a trail mark.</param>
    private string SelectSql(IDocumentStore store, bool afterSequence) => $"""
        select e.seq_id, e.stream_id, e.version, e.type, e.timestamp, {ActorSql}, e.headers ->> '{SessionMetadata.UserIdHeader}',
               e.headers ->> '{SessionMetadata.RoleHeader}', e.headers ->> '{SessionMetadata.ReasonHeader}', e.correlation_id,
               e.data::text
        from {store.EventsTable()} e
        {WhereSql(store)}{(afterSequence ? " and e.seq_id > $8" : "")}
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
