using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Alba;
using GrantLedger.Api.Configuration;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GrantLedger.Api.Tests;

/// <summary>Signs in through the /signin page as a browser would (antiforgery token and cookie), over an Alba host.</summary>
internal static partial class BrowserSignIn
{
    public static async Task<(string Token, string AntiforgeryCookie, IReadOnlyList<string> SetCookies)> Form(IAlbaHost host, Action<Scenario> from)
    {
        var page = await host.Scenario(s =>
        {
            from(s);
            s.Get.Url("/signin");
            s.StatusCodeShouldBeOk();
        });
        var html = await page.ReadAsTextAsync();
        var token = TokenField().Match(html).Groups[1].Value;
        var cookies = page.Context.Response.Headers.SetCookie.Select(c => c!).ToList();
        var antiforgery = cookies.Single(c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal)).Split(';')[0];
        return (token, antiforgery, cookies);
    }

    public static async Task<IReadOnlyList<string>> SignIn(IAlbaHost host, string email, string password, Action<Scenario> from)
    {
        var (token, antiforgery, _) = await Form(host, from);
        var result = await host.Scenario(s =>
        {
            from(s);
            s.WithRequestHeader("Cookie", antiforgery);
            s.Post.FormData(new Dictionary<string, string> { ["email"] = email, ["password"] = password, ["__RequestVerificationToken"] = token })
                .ToUrl("/signin");
            s.StatusCodeShouldBe(302);
        });
        return result.Context.Response.Headers.SetCookie.Select(c => c!).ToList();
    }

    public static string Cookie(IEnumerable<string> setCookies, string name) =>
        setCookies.Single(c => c.StartsWith(name, StringComparison.Ordinal));

    public static bool IsSecure(string setCookie) =>
        setCookie.Split(';').Any(p => p.Trim().Equals("secure", StringComparison.OrdinalIgnoreCase));

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}

/// <summary>
/// Behind a TLS-terminating proxy: X-Forwarded-Proto and X-Forwarded-For are believed from the configured proxy only.
/// The attacker talks to the application directly and forges the headers.
/// </summary>
public sealed class ForwardedHeadersTests : IAsyncLifetime
{
    private static readonly IPAddress Proxy = IPAddress.Parse("10.20.0.5");
    private static readonly IPAddress Stranger = IPAddress.Parse("10.99.0.7");
    private LedgerHost _ledger = null!;
    private IAlbaHost Host => _ledger.Host;

    public async Task InitializeAsync()
    {
        var host = await LedgerHost.StartEmpty("grantledger_proxy", null, new Dictionary<string, string>
        {
            ["GrantLedger:Proxy:KnownProxies:0"] = Proxy.ToString(),
            ["GrantLedger:RateLimits:SignIn:PerAddress"] = "2",
        });
        _ledger = await LedgerHost.Wrap(host);
    }

    public async Task DisposeAsync() => await _ledger.Host.DisposeAsync();

    private static Action<Scenario> From(IPAddress peer, string? proto = null, string? client = null) => s =>
    {
        s.ConfigureHttpContext(c => c.Connection.RemoteIpAddress = peer);
        if (proto is not null)
        {
            s.WithRequestHeader("X-Forwarded-Proto", proto);
        }

        if (client is not null)
        {
            s.WithRequestHeader("X-Forwarded-For", client);
        }
    };

    [Fact]
    public async Task a_forwarded_https_request_from_the_known_proxy_gets_secure_cookies()
    {
        var (_, _, formCookies) = await BrowserSignIn.Form(Host, From(Proxy, "https"));
        var signIn = await BrowserSignIn.SignIn(Host, LedgerHost.Staff["finance"].Email, LedgerHost.Password, From(Proxy, "https"));

        Assert.True(BrowserSignIn.IsSecure(BrowserSignIn.Cookie(formCookies, ".AspNetCore.Antiforgery")));
        Assert.True(BrowserSignIn.IsSecure(BrowserSignIn.Cookie(signIn, "grantledger")));
    }

    [Fact]
    public async Task from_an_unknown_address_x_forwarded_proto_is_ignored()
    {
        var (_, _, formCookies) = await BrowserSignIn.Form(Host, From(Stranger, "https"));
        var signIn = await BrowserSignIn.SignIn(Host, LedgerHost.Staff["finance"].Email, LedgerHost.Password, From(Stranger, "https"));

        // Outside Production the cookie follows the request's own scheme: plain HTTP here, whatever the header claims.
        Assert.False(BrowserSignIn.IsSecure(BrowserSignIn.Cookie(formCookies, ".AspNetCore.Antiforgery")));
        Assert.False(BrowserSignIn.IsSecure(BrowserSignIn.Cookie(signIn, "grantledger")));
    }

    [Fact]
    public async Task a_forged_x_forwarded_for_does_not_buy_more_token_attempts()
    {
        // Two sign-in attempts a minute per client address. An attacker connecting directly claims a new client address each time.
        var statuses = new List<int>();
        for (var i = 1; i <= 3; i++)
        {
            var result = await Host.Scenario(s =>
            {
                From(Stranger, client: $"203.0.113.{i}")(s);
                s.Post.Json(new { email = "nobody@test.example", password = "guess" }).ToUrl("/api/auth/token");
                s.IgnoreStatusCode();
            });
            statuses.Add(result.Context.Response.StatusCode);
        }

        Assert.Equal(429, statuses[2]);
    }

    [Fact]
    public async Task through_the_known_proxy_each_client_has_its_own_token_budget()
    {
        var statuses = new List<int>();
        for (var i = 1; i <= 3; i++)
        {
            var result = await Host.Scenario(s =>
            {
                From(Proxy, client: $"198.51.100.{i}")(s);
                s.Post.Json(new { email = "nobody@test.example", password = "guess" }).ToUrl("/api/auth/token");
                s.IgnoreStatusCode();
            });
            statuses.Add(result.Context.Response.StatusCode);
        }

        Assert.DoesNotContain(429, statuses);
    }
}

/// <summary>
/// The real application in the Production environment (with settings ProductionGuard accepts: its own database role
/// and password, existing key files), behind a TLS-terminating proxy it knows: the OpenAPI document needs a signed-in
/// caller, cookies are always Secure, and a request that arrives over plain HTTP is refused in words.
/// </summary>
public sealed class ProductionHostTests : IAsyncLifetime
{
    private static readonly IPAddress Proxy = IPAddress.Parse("10.20.0.5");
    private readonly string _role = $"grantledger_prod_{Environment.ProcessId}";
    private readonly string _password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private readonly string _keys = Directory.CreateTempSubdirectory("grantledger-prod-").FullName;
    private LedgerHost _ledger = null!;
    private IAlbaHost Host => _ledger.Host;

    public async Task InitializeAsync()
    {
        // A login of its own that inherits the runtime role's grants: the published default passwords are refused here.
        await LedgerHost.AsSuperuser($"""
            do $$ begin
              if not exists (select from pg_roles where rolname = '{_role}') then
                create role {_role} login inherit nosuperuser nocreatedb nocreaterole;
              end if;
            end $$;
            alter role {_role} password '{_password}';
            grant grantledger_app to {_role};
            """);
        var signingKey = Path.Combine(_keys, "audit-signing-key.pem");
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(signingKey, key.ExportPkcs8PrivateKeyPem());
        }

        var connection = new NpgsqlConnectionStringBuilder(LedgerHost.RuntimeConnectionString) { Username = _role, Password = _password }.ConnectionString;
        var host = await LedgerHost.StartEmpty("grantledger_prod", null, new Dictionary<string, string>
        {
            ["environment"] = "Production",
            ["ConnectionStrings:GrantLedger"] = connection,
            ["GrantLedger:DataProtection:KeysDirectory"] = _keys,
            ["GrantLedger:Audit:SigningKeyPath"] = signingKey,
            ["GrantLedger:Proxy:KnownProxies:0"] = Proxy.ToString(),
        });
        _ledger = await LedgerHost.Wrap(host);
    }

    public async Task DisposeAsync()
    {
        await _ledger.Host.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await LedgerHost.AsSuperuser($"drop role if exists {_role}");
        Directory.Delete(_keys, recursive: true);
    }

    /// <summary>Through the proxy that terminated TLS: plain HTTP to the app, X-Forwarded-Proto https.</summary>
    private static void ThroughTheProxy(Scenario s)
    {
        s.ConfigureHttpContext(c => c.Connection.RemoteIpAddress = Proxy);
        s.WithRequestHeader("X-Forwarded-Proto", "https");
        s.WithRequestHeader("X-Forwarded-For", "198.51.100.40");
    }

    [Fact]
    public async Task the_openapi_document_needs_a_signed_in_caller_in_production()
    {
        var token = await Host.Scenario(s =>
        {
            ThroughTheProxy(s);
            s.Post.Json(new { email = LedgerHost.Staff["auditor"].Email, password = LedgerHost.Password }).ToUrl("/api/auth/token");
        });
        var accessToken = (await token.ReadAsJsonAsync<System.Text.Json.Nodes.JsonObject>())!["accessToken"]!.GetValue<string>();

        var anonymous = await Host.Scenario(s =>
        {
            ThroughTheProxy(s);
            s.Get.Url("/openapi/v1.json");
            s.IgnoreStatusCode();
        });
        var signedIn = await Host.Scenario(s =>
        {
            ThroughTheProxy(s);
            s.WithBearerToken(accessToken);
            s.Get.Url("/openapi/v1.json");
        });

        Assert.NotEqual(200, anonymous.Context.Response.StatusCode);
        Assert.DoesNotContain("/api/programmes", await anonymous.ReadAsTextAsync());
        Assert.Contains("/api/programmes", await signedIn.ReadAsTextAsync());
    }

    [Fact]
    public async Task in_production_the_cookies_are_secure()
    {
        var (_, _, formCookies) = await BrowserSignIn.Form(Host, ThroughTheProxy);
        var signIn = await BrowserSignIn.SignIn(Host, LedgerHost.Staff["finance"].Email, LedgerHost.Password, ThroughTheProxy);
        var cookie = Host.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(CookieAuthenticationDefaults.AuthenticationScheme);
        var antiforgery = Host.Services.GetRequiredService<IOptions<AntiforgeryOptions>>().Value;

        Assert.True(BrowserSignIn.IsSecure(BrowserSignIn.Cookie(formCookies, ".AspNetCore.Antiforgery")));
        Assert.True(BrowserSignIn.IsSecure(BrowserSignIn.Cookie(signIn, "grantledger")));
        Assert.Equal(CookieSecurePolicy.Always, cookie.Cookie.SecurePolicy);
        Assert.Equal(CookieSecurePolicy.Always, antiforgery.Cookie.SecurePolicy);
    }

    [Theory]
    [InlineData("10.20.0.5")] // the proxy itself, but without X-Forwarded-Proto
    [InlineData("10.99.0.7")] // someone else, who claims https
    public async Task in_production_a_request_over_plain_http_is_refused_in_words(string peer)
    {
        var result = await Host.Scenario(s =>
        {
            s.ConfigureHttpContext(c => c.Connection.RemoteIpAddress = IPAddress.Parse(peer));
            if (peer != Proxy.ToString())
            {
                s.WithRequestHeader("X-Forwarded-Proto", "https");
            }

            s.Get.Url("/signin");
            s.StatusCodeShouldBe(400);
        });

        Assert.Contains("HTTPS only", await result.ReadAsTextAsync());
        Assert.Equal(0, result.Context.Response.Headers.SetCookie.Count);
    }

    [Fact]
    public async Task in_production_every_answer_carries_hsts_and_the_content_security_policy()
    {
        var result = await Host.Scenario(s =>
        {
            ThroughTheProxy(s);
            // HSTS is never sent to localhost (ASP.NET Core's default), so the request names the ledger's public host.
            s.WithRequestHeader("Host", "ledger.example.org");
            s.Get.Url("/signin");
        });

        Assert.Equal(WebHardening.ContentSecurityPolicy, result.Context.Response.Headers.ContentSecurityPolicy.ToString());
        Assert.Contains("max-age=", result.Context.Response.Headers.StrictTransportSecurity.ToString());
    }
}

/// <summary>
/// Cross-site request forgery: a page on another site makes the signed-in administrator's browser post the Users form.
/// The browser sends the session cookie (were it not SameSite=Strict) but the other site cannot read the form's token.
/// </summary>
[Collection(LedgerCollection.Name)]
public class CrossSiteRequestTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    [Fact]
    public async Task a_form_posted_without_the_pages_token_is_refused_and_adds_no_user()
    {
        var session = BrowserSignIn.Cookie(
            await BrowserSignIn.SignIn(host.Host, LedgerHost.Staff["admin"].Email, LedgerHost.Password, _ => { }), "grantledger").Split(';')[0];
        var forged = $"forged-{Guid.NewGuid():N}@test.example";
        var genuine = $"genuine-{Guid.NewGuid():N}@test.example";
        Dictionary<string, string> Form(string email) => new()
        {
            ["email"] = email, ["displayName"] = "Someone", ["password"] = "a password 1234", ["role"] = "finance",
        };

        var attack = await host.Host.Scenario(s =>
        {
            s.WithRequestHeader("Cookie", session);
            s.WithRequestHeader("Origin", "https://evil.example");
            s.Post.FormData(Form(forged)).ToUrl("/users");
            s.IgnoreStatusCode();
        });

        // The same post with the token the page hands out is accepted: the token, nothing else, made the difference.
        var page = await host.Host.Scenario(s =>
        {
            s.WithRequestHeader("Cookie", session);
            s.Get.Url("/users");
        });
        var html = await page.ReadAsTextAsync();
        var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        var antiforgery = BrowserSignIn.Cookie(page.Context.Response.Headers.SetCookie.Select(c => c!), ".AspNetCore.Antiforgery").Split(';')[0];
        var form = Form(genuine);
        form["__RequestVerificationToken"] = token;
        await host.Host.Scenario(s =>
        {
            s.WithRequestHeader("Cookie", $"{session}; {antiforgery}");
            s.Post.FormData(form).ToUrl("/users");
            s.IgnoreStatusCode();
        });

        Assert.Equal(400, attack.Context.Response.StatusCode);
        await using var query = host.Store.QuerySession();
        Assert.False(await Marten.QueryableExtensions.AnyAsync(query.Query<GrantLedger.Api.Identity.UserAccount>(), u => u.Email == forged));
        Assert.True(await Marten.QueryableExtensions.AnyAsync(query.Query<GrantLedger.Api.Identity.UserAccount>(), u => u.Email == genuine));
    }
}
