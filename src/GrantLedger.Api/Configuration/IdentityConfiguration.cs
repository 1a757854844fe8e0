using System.Threading.RateLimiting;
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
    public const string TokenRateLimit = "token";

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

        var authentication = builder.Services
            .AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "Bearer token or cookie", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? BearerTokenDefaults.AuthenticationScheme
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddBearerToken(o => o.BearerTokenExpiration = TimeSpan.FromMinutes(authOptions.TokenLifetimeMinutes))
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

                // The provider proves who the person is; the ledger decides what they may do. Unknown e-mail: no sign-in.
                o.Events.OnTokenValidated = async context =>
                {
                    var email = context.Principal?.FindFirst(System.Security.Claims.ClaimTypes.Email)?.Value
                        ?? context.Principal?.FindFirst("email")?.Value;
                    var session = context.HttpContext.RequestServices.GetRequiredService<Marten.IQuerySession>();
                    var user = email is null ? null : await Marten.QueryableExtensions.FirstOrDefaultAsync(
                        session.Query<UserAccount>().Where(u => u.Email == UserAccount.Normalise(email)));
                    if (user is null)
                    {
                        context.Fail($"No GrantLedger user has the e-mail {email}; ask an administrator to add you.");
                        return;
                    }

                    context.Principal = CurrentUser.Principal(user, CookieAuthenticationDefaults.AuthenticationScheme);
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

        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (context, _) => new ValueTask(Problems.Create(StatusCodes.Status429TooManyRequests, "too-many-requests",
                "Too many sign-in attempts", "Wait a minute before asking for another token.").ExecuteAsync(context.HttpContext));
            o.AddPolicy(TokenRateLimit, context =>
            {
                var perMinute = context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.TokenRequestsPerMinute;
                return RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "local",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
            });
        });

        builder.Services.AddHostedService<AdministratorBootstrap>();
        return builder;
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
