using System.Net;
using Alba;
using GrantLedger.Api.Identity;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace GrantLedger.Api.Tests;

/// <summary>A host of its own with small limits (the shared hosts have generous ones, so no test is refused for another's load).</summary>
public class RateLimitTests : IAsyncLifetime
{
    private LedgerHost _ledger = null!;

    public async Task InitializeAsync()
    {
        var host = await LedgerHost.StartEmpty("grantledger_ratelimits", null, new Dictionary<string, string>
        {
            ["GrantLedger:RateLimits:SignIn:PerAddress"] = "1000",
            ["GrantLedger:RateLimits:SignIn:PerUser"] = "4",
            ["GrantLedger:RateLimits:SignIn:WindowSeconds"] = "3600",
            ["GrantLedger:RateLimits:Reports:PerUser"] = "1",
            ["GrantLedger:RateLimits:Reports:PerAddress"] = "3",
            ["GrantLedger:RateLimits:Reports:WindowSeconds"] = "3600",
            ["GrantLedger:RateLimits:Verification:PerUser"] = "1",
            ["GrantLedger:RateLimits:Verification:WindowSeconds"] = "3600",
            ["GrantLedger:RateLimits:Imports:PerUser"] = "1",
            ["GrantLedger:RateLimits:Imports:WindowSeconds"] = "3600",
        });
        _ledger = await LedgerHost.Wrap(host);
    }

    public async Task DisposeAsync() => await _ledger.DisposeAsync();

    [Fact]
    public async Task guesses_at_one_email_from_many_addresses_are_limited_per_email_with_retry_after()
    {
        var statuses = new List<int>();
        IAlbaHost host = _ledger.Host;
        for (var i = 0; i < 6; i++)
        {
            var address = IPAddress.Parse($"203.0.113.{i + 1}");
            var result = await host.Scenario(s =>
            {
                s.ConfigureHttpContext(c => c.Connection.RemoteIpAddress = address);
                s.Post.Json(new { email = "target@test.example", password = "guess " + i }).ToUrl("/api/auth/token");
                s.IgnoreStatusCode();
            });
            statuses.Add(result.Context.Response.StatusCode);
            if (result.Context.Response.StatusCode == 429)
            {
                Assert.True(int.Parse(result.Context.Response.Headers.RetryAfter.ToString()) > 0);
                Assert.Contains("sign-in attempts", await result.ReadAsTextAsync());
            }
        }

        Assert.Equal([401, 401, 401, 401, 429, 429], statuses);
    }

    [Fact]
    public async Task report_requests_are_limited_per_user_and_per_address_with_a_message_about_reports()
    {
        var first = await _ledger.Post("/api/reports", new { }, user: "finance");
        var again = await _ledger.Post("/api/reports", new { }, user: "finance");
        var other = await _ledger.Post("/api/reports", new { }, user: "auditor");
        var third = await _ledger.Post("/api/reports", new { }, user: "approver");

        Assert.NotEqual(429, first.Status);
        Assert.Equal(429, again.Status);
        Assert.Equal("too-many-requests", again.Code);
        Assert.Contains("report", again.Json.Text("detail"));
        Assert.True(int.Parse(again.Headers["Retry-After"]) > 0);
        Assert.NotEqual(429, other.Status); // another user has their own allowance ...
        Assert.Equal(429, third.Status);    // ... until the address has used its three (the refused request counted too)
    }

    [Fact]
    public async Task verifications_and_imports_are_limited_per_user()
    {
        Assert.NotEqual(429, (await _ledger.Post("/api/reports/verification", new { }, user: "auditor")).Status);
        var verification = await _ledger.Post("/api/reports/verification", new { }, user: "auditor");
        Assert.Equal(429, verification.Status);
        Assert.Contains("verif", verification.Json.Text("detail"));

        Assert.NotEqual(429, (await _ledger.Send(HttpMethod.Put, "/api/fx-rates", "{}", user: "finance")).Status);
        var import = await _ledger.Send(HttpMethod.Put, "/api/fx-rates", "{}", user: "finance");
        Assert.Equal(429, import.Status);
        Assert.Contains("import", import.Json.Text("detail"));
        Assert.True(import.Headers.ContainsKey("Retry-After"));
    }

    [Fact]
    public async Task recomputing_the_whole_audit_chain_is_limited_per_user()
    {
        Assert.Equal(200, (await _ledger.Get("/api/audit/verification", user: "finance")).Status);
        var again = await _ledger.Get("/api/audit/verification", user: "finance");

        Assert.Equal(429, again.Status);
        Assert.Equal("too-many-requests", again.Code);
        Assert.Contains("verifications", again.Json.Text("detail"));
    }

    [Fact]
    public async Task the_last_enabled_administrator_cannot_lose_the_role()
    {
        await using var session = _ledger.Store.QuerySession();
        var admin = await session.Query<UserAccount>().SingleAsync(u => u.Email == "admin@test.example");

        var reply = await _ledger.Send(HttpMethod.Put, $"/api/users/{admin.Id}/roles", """{"roles":["finance"],"reason":"step down"}""", user: "admin");

        Assert.Equal(422, reply.Status);
        Assert.Equal("last-admin", reply.Code);
        Assert.Equal(200, (await _ledger.Get("/api/users", user: "admin")).Status);
    }
}

/// <summary>Which requests each limit covers: the API routes and the pages' forms that do the same work, never reads.</summary>
public class RateLimitKindTests
{
    [Theory]
    [InlineData("POST", "/api/auth/token", "", "sign-in")]
    [InlineData("POST", "/signin", "", "sign-in")]
    [InlineData("GET", "/signin", "", null)]
    [InlineData("POST", "/api/me/password", "", "sign-in")]
    [InlineData("POST", "/account/password", "", "sign-in")]
    [InlineData("POST", "/api/reports", "", "reports")]
    [InlineData("POST", "/reports", "?handler=Request", "reports")]
    [InlineData("POST", "/api/reports/verification", "", "verification")]
    [InlineData("POST", "/reports", "?handler=Verify", "verification")]
    [InlineData("PUT", "/api/fx-rates", "", "imports")]
    [InlineData("POST", "/rates", "?handler=Csv", "imports")]
    [InlineData("POST", "/rates", "?handler=One", null)]
    [InlineData("POST", "/api/grants/7d1f4a5e-0000-0000-0000-000000000001/expenditure-reports", "", "imports")]
    [InlineData("POST", "/api/grants/7d1f4a5e-0000-0000-0000-000000000001/expenditure-reports/7d1f4a5e-0000-0000-0000-000000000002/review", "", null)]
    [InlineData("POST", "/api/grants/7d1f4a5e-0000-0000-0000-000000000001/milestones/7d1f4a5e-0000-0000-0000-000000000002/submission", "", "imports")]
    [InlineData("POST", "/grants/7d1f4a5e-0000-0000-0000-000000000001/budget", "?handler=Csv", "imports")]
    [InlineData("POST", "/grants/7d1f4a5e-0000-0000-0000-000000000001", "?handler=Submit", "imports")]
    [InlineData("POST", "/grants/7d1f4a5e-0000-0000-0000-000000000001", "?handler=Disburse", null)]
    [InlineData("GET", "/api/reports", "", null)]
    [InlineData("GET", "/api/audit/verification", "", "verification")]
    [InlineData("POST", "/audit", "?handler=Verify", "verification")]
    [InlineData("GET", "/audit", "", null)]
    public void a_request_is_limited_as_its_kind(string method, string path, string query, string? kind)
    {
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.QueryString = new Microsoft.AspNetCore.Http.QueryString(query);

        Assert.Equal(kind, GrantLedger.Api.Configuration.RateLimitConfiguration.KindOf(context));
    }
}
