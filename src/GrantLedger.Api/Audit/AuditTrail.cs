using System.Text.Json;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using Marten;
using Microsoft.AspNetCore.Authorization;
using NodaTime;
using NodaTime.Text;
using Npgsql;
using NpgsqlTypes;
using Wolverine.Http;

namespace GrantLedger.Api.Audit;

public sealed record AuditEntry(
    long Sequence,
    Guid StreamId,
    long Version,
    string EventType,
    Instant RecordedAt,
    string? Actor,
    string? UserId,
    string? Role,
    string? Reason,
    string? CorrelationId,
    JsonElement Data);

public sealed record AuditPage(IReadOnlyList<AuditEntry> Items, int Page, int PageSize, long Total);

public static class AuditTrailEndpoint
{
    /// <summary>
    /// Every event with who recorded it, when, in which role and why, oldest first. <c>from</c>/<c>to</c> are recorded
    /// times (an ISO instant, or a date meaning its start in UTC; <c>to</c> is exclusive).
    /// </summary>
    [Authorize(Policy = Policies.Audit)]
    [WolverineGet("/api/audit")]
    public static async Task<IResult> Get(string? from, string? to, Guid? grantId, string? actor, int? page, int? pageSize,
        NpgsqlDataSource dataSource, IDocumentStore store, CancellationToken cancellation)
    {
        var fromInstant = ParseBound(from);
        var toInstant = ParseBound(to);
        if (fromInstant is { Success: false } || toInstant is { Success: false })
        {
            return Problems.BadRequest("malformed-request", "from and to must be ISO instants (2021-01-31T18:00:00Z) or dates (2021-01-31).");
        }

        var (pageNumber, size) = (Math.Max(page ?? 1, 1), Math.Clamp(pageSize ?? 50, 1, 500));
        var schema = store.Options.Events.DatabaseSchemaName;
        const string filter = """
            where ($1::timestamptz is null or e.timestamp >= $1) and ($2::timestamptz is null or e.timestamp < $2)
              and ($3::uuid is null or e.stream_id = $3 or e.data->>'grantId' = $3::text)
              and ($4::text is null or e.user_name = $4 or e.headers->>'actor' = $4)
            """;
        await using var command = dataSource.CreateCommand($"""
            select e.seq_id, e.stream_id, e.version, e.type, e.timestamp, e.headers->>'actor', e.headers->>'userId',
                   e.headers->>'role', e.headers->>'reason', e.correlation_id, e.data::text, count(*) over ()
            from {schema}.mt_events e
            {filter}
            order by e.seq_id
            limit $5 offset $6
            """);
        AddFilter(command, fromInstant?.Value, toInstant?.Value, grantId, actor);
        command.Parameters.Add(new NpgsqlParameter { Value = size });
        command.Parameters.Add(new NpgsqlParameter { Value = (pageNumber - 1) * size });

        var items = new List<AuditEntry>();
        long total = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            using var data = JsonDocument.Parse(reader.GetString(10));
            items.Add(new AuditEntry(reader.GetInt64(0), reader.GetGuid(1), reader.GetInt64(2), reader.GetString(3),
                reader.GetFieldValue<Instant>(4), Text(reader, 5), Text(reader, 6), Text(reader, 7), Text(reader, 8), Text(reader, 9),
                data.RootElement.Clone()));
            total = reader.GetInt64(11);
        }

        if (items.Count == 0)
        {
            total = await Count(dataSource, schema, filter, fromInstant?.Value, toInstant?.Value, grantId, actor, cancellation);
        }

        return Results.Ok(new AuditPage(items, pageNumber, size, total));
    }

    private static async Task<long> Count(NpgsqlDataSource dataSource, string schema, string filter, Instant? from, Instant? to,
        Guid? grantId, string? actor, CancellationToken cancellation)
    {
        await using var command = dataSource.CreateCommand($"select count(*) from {schema}.mt_events e {filter}");
        AddFilter(command, from, to, grantId, actor);
        return (long)(await command.ExecuteScalarAsync(cancellation) ?? 0L);
    }

    private static void AddFilter(NpgsqlCommand command, Instant? from, Instant? to, Guid? grantId, string? actor)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)from ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)to ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)grantId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)actor ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
    }

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>An ISO instant, or a date taken as the start of that day in UTC.</summary>
    public static ParseResult<Instant>? ParseBound(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var instant = InstantPattern.ExtendedIso.Parse(text);
        if (instant.Success)
        {
            return instant;
        }

        var date = LocalDatePattern.Iso.Parse(text);
        return date.Success ? ParseResult<Instant>.ForValue(date.Value.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant()) : instant;
    }
}
