using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using NodaTime;

namespace GrantLedger.Api.Configuration;

public static class IdentityConfiguration
{
    /// <summary>Picks bearer tokens for API calls that carry one, the cookie otherwise (the web UI).</summary>
    public const string Scheme = "ledger";

    public static WebApplicationBuilder AddGrantLedgerIdentity(this WebApplicationBuilder builder)
    {
        var auth = builder.Configuration.GetSection("GrantLedger:Auth");
        builder.Services.Configure<AuthOptions>(auth);
        var oidcSection = builder.Configuration.GetSection("GrantLedger:Oidc");
        builder.Services.Configure<OidcOptions>(oidcSection);
        var oidc = oidcSection.Get<OidcOptions>() ?? new OidcOptions();
        var authOptions = auth.Get<AuthOptions>() ?? new AuthOptions();

        builder.Services.AddSingleton<IPasswordHasher<UserAccount>, PasswordHasher<UserAccount>>();

        // Bearer tokens and cookies are protected with Data Protection keys: keep them where every node (and the next
        // start) finds them, or every token becomes invalid on restart.
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName("GrantLedger");
        if (builder.Configuration["GrantLedger:DataProtection:KeysDirectory"] is { Length: > 0 } keys)
        {
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(keys));
        }

        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<SecurityLog>();
        builder.Services.AddSingleton<SignInGate>();
        builder.Services.AddSingleton<SessionValidator>();
        builder.Services.AddScoped<ExternalSignIn>();
        builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, RecordAccessDenied>();

        var authentication = builder.Services
            .AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "Bearer token or cookie", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? BearerTokenDefaults.AuthenticationScheme
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddBearerToken(o =>
            {
                o.BearerTokenExpiration = TimeSpan.FromMinutes(authOptions.TokenLifetimeMinutes);
                // A token is checked against its user's security stamp (cached for at most a minute): disabling the user,
                // changing their roles or password revokes it.
                o.Events.OnMessageReceived = RevalidateToken;
            })
            .AddCookie(o =>
            {
                o.Cookie.Name = "grantledger";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                o.LoginPath = "/signin";
                // The API answers 401/403 as problems instead of redirecting to a sign-in page.
                o.Events.OnRedirectToLogin = context => Redirect(context, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = context => Redirect(context, StatusCodes.Status403Forbidden);
                // Security stamp and absolute lifetime, however often the cookie slid.
                o.Events.OnValidatePrincipal = RevalidateCookie;
            });
        if (oidc.Enabled)
        {
            authentication.AddOpenIdConnect(OpenIdConnectDefaults.AuthenticationScheme, oidc.DisplayName, o =>
            {
                o.Authority = oidc.Authority;
                o.ClientId = oidc.ClientId;
                o.ClientSecret = oidc.ClientSecret;
                o.CallbackPath = oidc.CallbackPath;
                o.ResponseType = "code";
                o.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.Scope.Clear();
                foreach (var scope in oidc.EffectiveScopes)
                {
                    o.Scope.Add(scope);
                }

                // The provider proves who the person is (issuer + subject, bound on the first sign-in with a verified
                // e-mail: Identity/ExternalLogin.cs); the ledger decides what they may do.
                o.Events.OnTokenValidated = async context =>
                {
                    var identity = ExternalIdentity.From(context.Principal ?? new(), context.SecurityToken?.Issuer);
                    var (user, refusal) = await context.HttpContext.RequestServices.GetRequiredService<ExternalSignIn>()
                        .Resolve(identity, RateLimitConfiguration.AddressOf(context.HttpContext), context.HttpContext.RequestAborted);
                    if (user is null)
                    {
                        context.Fail(refusal ?? "Organisation sign-in failed.");
                        return;
                    }

                    var now = context.HttpContext.RequestServices.GetRequiredService<IClock>().GetCurrentInstant();
                    context.Principal = CurrentUser.Principal(user, CookieAuthenticationDefaults.AuthenticationScheme, now);
                };
            });
        }

        // Token and cookie expiry follow the ledger's clock.
        builder.Services.AddOptions<BearerTokenOptions>(BearerTokenDefaults.AuthenticationScheme)
            .Configure<IClock>((o, clock) => o.TimeProvider = new ClockTimeProvider(clock));
        builder.Services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<IClock>((o, clock) => o.TimeProvider = new ClockTimeProvider(clock));

        builder.Services.AddAuthorization(Policies.Register);
        builder.Services.AddAntiforgery(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        builder.AddGrantLedgerRateLimits();

        builder.Services.AddHostedService<AdministratorBootstrap>();
        return builder;
    }

    private static async Task RevalidateCookie(CookieValidatePrincipalContext context)
    {
        if (context.Principal is not { } principal)
        {
            return;
        }

        var services = context.HttpContext.RequestServices;
        if (await services.GetRequiredService<SessionValidator>().Refusal(principal, isCookie: true, context.HttpContext.RequestAborted) is { } refusal)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            await Revoked(context.HttpContext, principal, "session", refusal);
        }
    }

    private static async Task RevalidateToken(Microsoft.AspNetCore.Authentication.BearerToken.MessageReceivedContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var ticket = context.Options.BearerTokenProtector.Unprotect(header["Bearer ".Length..].Trim());
        if (ticket?.Principal is not { } principal)
        {
            return; // the handler refuses it as it would have
        }

        var services = context.HttpContext.RequestServices;
        if (await services.GetRequiredService<SessionValidator>().Refusal(principal, isCookie: false, context.HttpContext.RequestAborted) is { } refusal)
        {
            await Revoked(context.HttpContext, principal, "token", refusal);
            context.Fail("The token was revoked: " + refusal);
        }
    }

    private static Task Revoked(HttpContext context, System.Security.Claims.ClaimsPrincipal principal, string what, string why)
    {
        var user = CurrentUser.From(principal);
        // Once per user and stamp: a client retrying a revoked token does not fill the log.
        var cache = context.RequestServices.GetRequiredService<Microsoft.Extensions.Caching.Memory.IMemoryCache>();
        var key = $"revoked:{what}:{user.Id}:{principal.FindFirst(LedgerClaims.SecurityStamp)?.Value}";
        if (cache.TryGetValue(key, out _))
        {
            return Task.CompletedTask;
        }

        Microsoft.Extensions.Caching.Memory.CacheExtensions.Set(cache, key, true, TimeSpan.FromMinutes(10));
        return context.RequestServices.GetRequiredService<SecurityLog>().Record(SecurityLogKinds.SessionRevoked,
            Guid.TryParse(user.Id, out var id) ? id : null, user.Email, RateLimitConfiguration.AddressOf(context), $"{what} refused: {why}",
            context.RequestAborted);
    }

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        // API calls get the status; a person refused a page gets the 403 page, not a redirect to a page that does not exist.
        if (context.Request.Path.StartsWithSegments("/api") || status == StatusCodes.Status403Forbidden)
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
