using GrantLedger.Api.Http;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using NodaTime;
using Wolverine.Http;

namespace GrantLedger.Api.Identity;

/// <summary>
/// One security-relevant happening: a sign-in, a failed one, a lockout, a refused request, a revoked session. A
/// document rather than an event: failures for e-mail addresses nobody has must not start a stream per guess, and
/// mt_events keeps everything forever. Changes to a user (disable, roles, passwords, lockouts) are events on the
/// user's stream as well. Never a password; the e-mail only when it names a ledger user (a guess may be a password
/// typed into the wrong field).
/// </summary>
public sealed record SecurityLogEntry(Guid Id, Instant At, string Kind, Guid? UserId, string? Email, string Address, string Detail);

public static class SecurityLogKinds
{
    public const string SignedIn = "signed-in";
    public const string SignInFailed = "sign-in-failed";
    public const string SignInRefusedLocked = "sign-in-refused-locked";
    public const string SignInRefusedDisabled = "sign-in-refused-disabled";
    public const string SignInThrottled = "sign-in-throttled";
    public const string LockedOut = "locked-out";
    public const string AccessDenied = "access-denied";
    public const string SessionRevoked = "session-revoked";
    public const string ExternalSignInRefused = "external-sign-in-refused";
}

/// <summary>Writes the security log: the document, and the same as a structured log line for the operators' log store.</summary>
public sealed class SecurityLog(IDocumentStore store, IClock clock, ILogger<SecurityLog> logger)
{
    public async Task Record(string kind, Guid? userId, string? email, string address, string detail, CancellationToken cancellation = default)
    {
        var entry = new SecurityLogEntry(Guid.NewGuid(), clock.GetCurrentInstant(), kind, userId, email, Cap(address, 100), Cap(detail, 500));
        logger.LogInformation("Security {Kind} user {UserId} {Email} from {Address}: {Detail}", kind, userId, email, entry.Address, entry.Detail);
        await using var session = store.LightweightSession();
        session.Insert(entry);
        await session.SaveChangesAsync(cancellation);
    }

    private static string Cap(string text, int length) => text.Length <= length ? text : text[..length];
}

public sealed record SecurityLogPage(IReadOnlyList<SecurityLogEntry> Entries, int Page, int PageSize, bool More);

public static class SecurityLogEndpoint
{
    public const int MaxPageSize = 200;

    /// <summary>The newest entries first (entries of one instant in a fixed order, so pages neither repeat nor skip one), optionally for one user; bounded pages.</summary>
    [Authorize(Policy = Policies.SecurityLog)]
    [WolverineGet("/api/security/log")]
    public static async Task<IResult> Get(IQuerySession session, int? page, int? pageSize, Guid? userId)
    {
        var (number, size) = (page ?? 1, pageSize ?? 50);
        if (number is < 1 or > 10_000 || size is < 1 or > MaxPageSize)
        {
            return Problems.BadRequest("malformed-request", $"page must be 1..10000 and pageSize 1..{MaxPageSize}.");
        }

        return Results.Ok(await Read(session, number, size, userId));
    }

    /// <summary>One page of the log, as the endpoint and the Security page show it (the caller checks the bounds).</summary>
    public static async Task<SecurityLogPage> Read(IQuerySession session, int number, int size, Guid? userId)
    {
        var query = session.Query<SecurityLogEntry>().AsQueryable();
        if (userId is { } id)
        {
            query = query.Where(e => e.UserId == id);
        }

        var entries = await query.OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Skip((number - 1) * size).Take(size + 1).ToListAsync();
        return new SecurityLogPage(entries.Take(size).ToList(), number, size, entries.Count > size);
    }
}

/// <summary>Every 403 goes into the security log (who asked for what), then is answered as before.</summary>
public sealed class RecordAccessDenied(SecurityLog log) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (result.Forbidden)
        {
            var user = CurrentUser.From(context.User);
            await log.Record(SecurityLogKinds.AccessDenied, Guid.TryParse(user.Id, out var id) ? id : null, user.Email,
                Configuration.RateLimitConfiguration.AddressOf(context), $"{context.Request.Method} {context.Request.Path}", context.RequestAborted);
        }

        await _default.HandleAsync(next, context, policy, result);
    }
}
