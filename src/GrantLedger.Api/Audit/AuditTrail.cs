using System.Text.Json;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using Marten;
using Microsoft.AspNetCore.Authorization;
using NodaTime;
using NodaTime.Text;
using Npgsql;
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
    /// Every event with who recorded it, when, in which role and why, oldest first (<see cref="AuditTrailQuery"/>).
    /// <c>from</c>/<c>to</c> are recorded times (an ISO instant, or a date meaning its start in UTC; <c>to</c> is exclusive).
    /// </summary>
    [Authorize(Policy = Policies.Audit)]
    [WolverineGet("/api/audit")]
    public static async Task<IResult> Get(string? from, string? to, Guid? grantId, Guid? programmeId, string? actor, int? page, int? pageSize,
        NpgsqlDataSource dataSource, IDocumentStore store, CancellationToken cancellation)
    {
        var fromInstant = ParseBound(from);
        var toInstant = ParseBound(to);
        if (fromInstant is { Success: false } || toInstant is { Success: false })
        {
            return Problems.BadRequest("malformed-request", "from and to must be ISO instants (2021-01-31T18:00:00Z) or dates (2021-01-31).");
        }

        var query = new AuditTrailQuery(fromInstant?.Value, toInstant?.Value, Actor: actor, GrantId: grantId, ProgrammeId: programmeId);
        return Results.Ok(await query.Page(store, dataSource, Math.Max(page ?? 1, 1), Math.Clamp(pageSize ?? 50, 1, 500), cancellation));
    }

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
