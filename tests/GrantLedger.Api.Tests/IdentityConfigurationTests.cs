using Alba;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using GrantLedger.Api.Identity;
using JasperFx.CommandLine;
using Wolverine;

namespace GrantLedger.Api.Tests;

/// <summary>A host of its own, configured as an installation would be: OIDC on, strict token rate limit.</summary>
public class IdentityConfigurationTests : IAsyncLifetime
{
    private IAlbaHost _host = null!;
    private readonly NodaTime.Testing.FakeClock _clock = new(LedgerHost.StartOfTime);

    public async Task InitializeAsync()
    {
        _host = await LedgerHost.Start("grantledger_identity", _clock, new Dictionary<string, string>
        {
            ["GrantLedger:RateLimits:SignIn:PerAddress"] = "3",
            ["GrantLedger:RateLimits:SignIn:WindowSeconds"] = "3600",
            ["GrantLedger:Oidc:Authority"] = "https://login.ecaro.example/realms/iucn",
            ["GrantLedger:Oidc:ClientId"] = "grantledger",
            ["GrantLedger:Oidc:ClientSecret"] = "from-a-secret-store",
            ["GrantLedger:Oidc:Scopes:0"] = "openid",
            ["GrantLedger:Oidc:Scopes:1"] = "email",
        });
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task openid_connect_settings_bind_and_register_the_sign_in_scheme()
    {
        var options = _host.Services.GetRequiredService<IOptions<OidcOptions>>().Value;
        var scheme = await _host.Services.GetRequiredService<IAuthenticationSchemeProvider>().GetSchemeAsync(OpenIdConnectDefaults.AuthenticationScheme);
        var oidc = _host.Services.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(OpenIdConnectDefaults.AuthenticationScheme);

        Assert.True(options.Enabled);
        Assert.Equal(["openid", "email"], options.Scopes);
        Assert.NotNull(scheme);
        Assert.Equal("https://login.ecaro.example/realms/iucn", oidc.Authority);
        Assert.Equal("grantledger", oidc.ClientId);
        Assert.Equal("code", oidc.ResponseType);
    }

    [Fact]
    public async Task the_sign_in_page_offers_the_organisation_sign_in()
    {
        var result = await _host.Scenario(s =>
        {
            s.Get.Url("/signin");
            s.StatusCodeShouldBeOk();
        });

        Assert.Contains("/signin?handler=organisation", await result.ReadAsTextAsync());
    }

    [Fact]
    public async Task the_token_endpoint_is_rate_limited()
    {
        var statuses = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            var result = await _host.Scenario(s =>
            {
                s.Post.Json(new { email = "nobody@example.org", password = "guess" }).ToUrl("/api/auth/token");
                s.IgnoreStatusCode();
            });
            statuses.Add(result.Context.Response.StatusCode);
        }

        Assert.Equal([401, 401, 401, 429, 429], statuses);
    }

    [Fact]
    public async Task the_sign_in_form_is_limited_per_address_too()
    {
        var address = System.Net.IPAddress.Parse("198.51.100.99");
        var statuses = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            var result = await _host.Scenario(s =>
            {
                s.ConfigureHttpContext(c => c.Connection.RemoteIpAddress = address);
                s.Post.FormData(new Dictionary<string, string> { ["email"] = "nobody@example.org", ["password"] = "guess" }).ToUrl("/signin");
                s.IgnoreStatusCode();
            });
            statuses.Add(result.Context.Response.StatusCode);
        }

        // Without an antiforgery token the form is refused (400), but every post counts against the address.
        Assert.Equal([400, 400, 400, 429], statuses);
    }

    [Fact]
    public async Task the_sign_in_form_shares_the_per_address_limit_and_an_address_over_it_cannot_keep_a_user_locked()
    {
        var ledger = await LedgerHost.Wrap(_host, _clock);
        var email = $"locked-{Guid.NewGuid():N}@test.example";
        await ledger.AddUser(email, ["auditor"], null);
        var attacker = System.Net.IPAddress.Parse("198.51.100.7");
        async Task<int> Guess(System.Net.IPAddress address, string password) => (await _host.Scenario(s =>
        {
            s.ConfigureHttpContext(c => c.Connection.RemoteIpAddress = address);
            s.Post.Json(new { email, password }).ToUrl("/api/auth/token");
            s.IgnoreStatusCode();
        })).Context.Response.StatusCode;

        // Five wrong guesses from two addresses lock the account for a minute.
        var first = new[] { await Guess(attacker, "a"), await Guess(attacker, "b"), await Guess(attacker, "c") };
        var second = new[] { await Guess(System.Net.IPAddress.Parse("198.51.100.8"), "d"), await Guess(System.Net.IPAddress.Parse("198.51.100.8"), "e") };
        Assert.Equal([401, 401, 401, 401, 401], first.Concat(second));

        // The first address is over its limit: its guesses are refused before they are counted.
        var refused = await _host.Scenario(s =>
        {
            s.ConfigureHttpContext(c => c.Connection.RemoteIpAddress = attacker);
            s.Post.Json(new { email, password = "f" }).ToUrl("/api/auth/token");
            s.StatusCodeShouldBe(429);
        });
        Assert.True(int.Parse(refused.Context.Response.Headers.RetryAfter.ToString()) > 0);
        await using (var session = ledger.Store.QuerySession())
        {
            Assert.Equal(5, (await Marten.QueryableExtensions.SingleAsync(session.Query<UserAccount>(), u => u.Email == email)).FailedSignIns);
        }

        // The lockout ends and the owner signs in from their own address.
        _clock.Advance(NodaTime.Duration.FromMinutes(2));
        Assert.Equal(200, await Guess(System.Net.IPAddress.Parse("192.0.2.10"), LedgerHost.Password));
    }
}
