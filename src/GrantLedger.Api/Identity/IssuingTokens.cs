using GrantLedger.Api.Configuration;
using GrantLedger.Api.Http;
using Marten;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using NodaTime;
using Wolverine.Http;

namespace GrantLedger.Api.Identity;

public sealed record TokenRequest(string Email, string Password);

public sealed record TokenResponse(string AccessToken, Instant ExpiresAt, string TokenType = "Bearer");

public sealed record MeResponse(string Id, string Email, IReadOnlyList<string> Roles, string? GranteeOrganisation);

public static class IssueTokenEndpoint
{
    public static ProblemDetails Validate(TokenRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck()
            .Text("email", request.Email, 320)
            .Text("password", request.Password, 500)
            .Result();

    /// <summary>
    /// Exchanges e-mail and password for a bearer token. Wrong e-mail and wrong password answer alike; after
    /// repeated failures the account is locked for a while. Rate limited per client address.
    /// </summary>
    [AllowAnonymous]
    [EnableRateLimiting(IdentityConfiguration.TokenRateLimit)]
    [WolverinePost("/api/auth/token")]
    public static async Task<IResult> Post(TokenRequest request, IDocumentSession session, IPasswordHasher<UserAccount> hasher,
        IClock clock, IOptions<AuthOptions> options, IOptionsMonitor<BearerTokenOptions> bearer)
    {
        var outcome = await SignIn.Check(session, hasher, clock, options.Value, request.Email, request.Password);
        if (outcome.Problem is not null)
        {
            return outcome.Problem;
        }

        var now = clock.GetCurrentInstant();
        var expiresAt = now + Duration.FromMinutes(options.Value.TokenLifetimeMinutes);
        var ticket = new AuthenticationTicket(CurrentUser.Principal(outcome.User!, BearerTokenDefaults.AuthenticationScheme),
            new AuthenticationProperties { IssuedUtc = now.ToDateTimeOffset(), ExpiresUtc = expiresAt.ToDateTimeOffset() },
            BearerTokenDefaults.AuthenticationScheme);
        var token = bearer.Get(BearerTokenDefaults.AuthenticationScheme).BearerTokenProtector.Protect(ticket);
        return Results.Ok(new TokenResponse(token, expiresAt));
    }
}

/// <summary>Password check with lockout, shared by the token endpoint and the web sign-in.</summary>
public static class SignIn
{
    public sealed record Outcome(UserAccount? User, IResult? Problem);

    public static async Task<Outcome> Check(IDocumentSession session, IPasswordHasher<UserAccount> hasher, IClock clock,
        AuthOptions options, string email, string password)
    {
        var now = clock.GetCurrentInstant();
        var user = await session.Query<UserAccount>().FirstOrDefaultAsync(u => u.Email == UserAccount.Normalise(email));
        if (user is null)
        {
            return new(null, InvalidCredentials());
        }

        if (user.LockedUntil is { } lockedUntil && lockedUntil > now)
        {
            return new(null, Problems.Create(StatusCodes.Status423Locked, "account-locked", "The account is locked",
                $"Too many failed sign-ins. Try again after {lockedUntil:uuuu-MM-dd HH:mm} UTC or ask an administrator."));
        }

        if (hasher.VerifyHashedPassword(user, user.PasswordHash, password) == PasswordVerificationResult.Failed)
        {
            var failures = user.FailedSignIns + 1;
            session.Store(failures >= options.MaxFailedSignIns
                ? user with { FailedSignIns = 0, LockedUntil = now + Duration.FromMinutes(options.LockoutMinutes) }
                : user with { FailedSignIns = failures });
            await session.SaveChangesAsync();
            return new(null, InvalidCredentials());
        }

        if (user.FailedSignIns > 0 || user.LockedUntil is not null)
        {
            session.Store(user with { FailedSignIns = 0, LockedUntil = null });
            await session.SaveChangesAsync();
        }

        return new(user, null);
    }

    private static IResult InvalidCredentials() =>
        Problems.Create(StatusCodes.Status401Unauthorized, "invalid-credentials", "Sign-in failed", "The e-mail or password is not right.");
}

public static class MeEndpoint
{
    [Authorize]
    [WolverineGet("/api/me")]
    public static MeResponse Get(System.Security.Claims.ClaimsPrincipal principal)
    {
        var user = CurrentUser.From(principal);
        return new MeResponse(user.Id, user.Email, user.Roles, user.GranteeOrganisation);
    }
}
