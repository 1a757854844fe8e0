using Microsoft.Extensions.DependencyInjection;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;

namespace GrantLedger.Api.Tests;

/// <summary>Commands travel through Wolverine and may be logged: a password must never show in their text.</summary>
public class SecretsInMessagesTests
{
    [Fact]
    public void an_add_user_command_prints_everything_but_the_password()
    {
        var command = new AddUserCommand(new CreateUserRequest("new.officer@ecaro.example", "New Officer", "correct horse battery staple", ["finance"]),
            new RequestMetadata("admin@ecaro.example", "c-1"));

        var text = command.ToString();

        Assert.Contains("new.officer@ecaro.example", text);
        Assert.DoesNotContain("correct horse battery staple", text);
    }
}

/// <summary>Anonymous callers learn the status of the ledger, not where its database is or what it said.</summary>
public class HealthLeaksNothingTests
{
    [Fact]
    public async Task an_unreachable_database_is_a_503_without_addresses_or_server_messages()
    {
        await using var unreachable = Npgsql.NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Database=nowhere;Username=x;Password=secret-pw;Timeout=2");
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext { RequestServices = new Microsoft.Extensions.DependencyInjection.ServiceCollection()
            .AddLogging().AddProblemDetails().BuildServiceProvider() };
        context.Response.Body = new MemoryStream();

        var result = await GrantLedger.Api.Health.HealthEndpoint.Ready(new GrantLedger.Api.Health.Readiness(unreachable, "grantledger", () => null, 10),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<GrantLedger.Api.Health.HealthResponse>.Instance, CancellationToken.None);
        await result.ExecuteAsync(context);
        var body = System.Text.Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());

        Assert.Equal(503, context.Response.StatusCode);
        Assert.Contains("database-unreachable", body);
        Assert.DoesNotContain("127.0.0.1", body);
        Assert.DoesNotContain("Port", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("refused", body, StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>Every answer, page or API, forbids sniffing and framing, allows no inline or foreign script or style (the
/// browser tests prove the pages obey), and keeps the referrer inside the ledger.</summary>
[Collection(LedgerCollection.Name)]
public class SecurityHeadersTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    [Theory]
    [InlineData("/health", null)]
    [InlineData("/signin", null)]
    [InlineData("/api/programmes", "finance")]
    [InlineData("/api/programmes", null)]
    [InlineData("/no-such-page", null)]
    public async Task an_answer_carries_the_browser_protections(string url, string? user)
    {
        var reply = await host.Send(HttpMethod.Get, url, user: user);

        Assert.Equal("nosniff", reply.Headers["X-Content-Type-Options"]);
        Assert.Equal("DENY", reply.Headers["X-Frame-Options"]);
        Assert.Equal("same-origin", reply.Headers["Referrer-Policy"]);
        Assert.Equal(GrantLedger.Api.Configuration.WebHardening.ContentSecurityPolicy, reply.Headers["Content-Security-Policy"]);
        Assert.Contains("script-src 'self';", reply.Headers["Content-Security-Policy"]);
        Assert.Contains("frame-ancestors 'none'", reply.Headers["Content-Security-Policy"]);
    }
}
