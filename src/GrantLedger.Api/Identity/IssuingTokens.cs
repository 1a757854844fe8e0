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

/// <param name="GranteeOrganisationId">For a grantee user, the organisation it is bound to.</param>
public sealed record MeResponse(string Id, string Email, IReadOnlyList<string> Roles, Guid? GranteeOrganisationId, bool MustChangePassword = false);

public static class IssueTokenEndpoint
{
    public static ProblemDetails Validate(TokenRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck()
            .Text("email", request.Email, InputLimits.Email)
            .Text("password", request.Password, UserRules.MaximumPasswordLength)
            .Result();

    /// <summary>
    /// Exchanges e-mail and password for a bearer token. Wrong e-mail and wrong password answer alike; after
    /// repeated failures the account is locked for a while (SigningIn.cs). Rate limited per client address and per
    /// e-mail (RateLimitConfiguration.cs). A user who must change a one-time password gets a token that may only do that.
    /// </summary>
    [AllowAnonymous]
    [WolverinePost("/api/auth/token")]
    public static async Task<IResult> Post(TokenRequest request, SignInGate gate, HttpContext context,
        IClock clock, IOptions<AuthOptions> options, IOptionsMonitor<BearerTokenOptions> bearer)
    {
        var outcome = await gate.Check(request.Email, request.Password, RateLimitConfiguration.AddressOf(context), context.RequestAborted);
        if (outcome.Problem is not null)
        {
            return outcome.Problem;
        }

        var now = clock.GetCurrentInstant();
        var expiresAt = now + Duration.FromMinutes(options.Value.TokenLifetimeMinutes);
        var ticket = new AuthenticationTicket(CurrentUser.Principal(outcome.User!, BearerTokenDefaults.AuthenticationScheme, now),
            new AuthenticationProperties { IssuedUtc = now.ToDateTimeOffset(), ExpiresUtc = expiresAt.ToDateTimeOffset() },
            BearerTokenDefaults.AuthenticationScheme);
        var token = bearer.Get(BearerTokenDefaults.AuthenticationScheme).BearerTokenProtector.Protect(ticket);
        return Results.Ok(new TokenResponse(token, expiresAt));
    }
}

public static class MeEndpoint
{
    [Authorize(Policy = Policies.SignedIn)]
    [WolverineGet("/api/me")]
    public static MeResponse Get(System.Security.Claims.ClaimsPrincipal principal)
    {
        var user = CurrentUser.From(principal);
        return new MeResponse(user.Id, user.Email, user.Roles, user.OrganisationId,
            principal.HasClaim(LedgerClaims.PasswordChangeOnly, "true"));
    }
}
