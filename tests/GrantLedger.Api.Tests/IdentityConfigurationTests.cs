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

    public async Task InitializeAsync()
    {
        _host = await LedgerHost.Start("grantledger_identity", null, new Dictionary<string, string>
        {
            ["GrantLedger:Auth:TokenRequestsPerMinute"] = "3",
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
}
