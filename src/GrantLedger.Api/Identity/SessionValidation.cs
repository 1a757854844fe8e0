using System.Globalization;
using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using NodaTime;

namespace GrantLedger.Api.Identity;

/// <summary>
/// Whether a session (cookie) or bearer token still stands: its user exists, is not disabled and still has the security
/// stamp the session was issued with (disabling, a role change, a password reset or change gives a new stamp). A
/// positive check is trusted for <see cref="AuthOptions.RevalidateSeconds"/> (at most 60), per user and stamp; a cookie
/// also ends <see cref="AuthOptions.AbsoluteSessionHours"/> after its sign-in, however often it slid.
/// </summary>
public sealed class SessionValidator(IDocumentStore store, IMemoryCache cache, IClock clock, IOptions<AuthOptions> options)
{
    /// <summary>Null when the principal still stands; otherwise why not.</summary>
    public async Task<string?> Refusal(ClaimsPrincipal principal, bool isCookie, CancellationToken cancellation = default)
    {
        var id = principal.FindFirstValue(ClaimTypes.NameIdentifier);
        var stamp = principal.FindFirstValue(LedgerClaims.SecurityStamp);
        if (!Guid.TryParse(id, out var userId) || stamp is null)
        {
            return "issued before security stamps";
        }

        if (isCookie)
        {
            var signedIn = long.TryParse(principal.FindFirstValue(LedgerClaims.SignedInAt), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
                ? Instant.FromUnixTimeSeconds(seconds)
                : Instant.MinValue;
            if (clock.GetCurrentInstant() - signedIn > Duration.FromHours(options.Value.AbsoluteSessionHours))
            {
                return $"the session is older than {options.Value.AbsoluteSessionHours} hours";
            }
        }

        var key = $"session:{userId}:{stamp}";
        if (cache.TryGetValue(key, out bool stands) && stands)
        {
            return null;
        }

        await using var session = store.QuerySession();
        var user = await session.LoadAsync<UserAccount>(userId, cancellation);
        var refusal = user is null ? "the user no longer exists"
            : user.Disabled ? "the user is disabled"
            : user.SecurityStamp != stamp ? "the user's roles or password changed"
            : null;
        var trust = Math.Clamp(options.Value.RevalidateSeconds, 0, 60);
        if (refusal is null && trust > 0)
        {
            cache.Set(key, true, TimeSpan.FromSeconds(trust));
        }

        return refusal;
    }
}

/// <summary>
/// A session that signed in with a one-time password may only change it: pages send it to the change-password page,
/// API calls other than <c>POST /api/me/password</c> and <c>GET /api/me</c> are <c>403 password-change-required</c>.
/// </summary>
public static class PasswordChangeGate
{
    private static readonly string[] Allowed = ["/account/password", "/api/me", "/api/me/password", "/signout", "/signin", "/language"];

    public static IApplicationBuilder UseGrantLedgerPasswordChangeGate(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.User.HasClaim(LedgerClaims.PasswordChangeOnly, "true"))
        {
            var path = (context.Request.Path.Value ?? "").TrimEnd('/').ToLowerInvariant();
            if (!Allowed.Contains(path) && !Path.HasExtension(path))
            {
                if (path.StartsWith("/api", StringComparison.Ordinal))
                {
                    await Http.Problems.Create(StatusCodes.Status403Forbidden, "password-change-required", "Change your password first",
                        "You signed in with a one-time password: change it (POST /api/me/password) before anything else.").ExecuteAsync(context);
                    return;
                }

                context.Response.Redirect("/account/password");
                return;
            }
        }

        await next(context);
    });
}
