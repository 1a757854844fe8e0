using GrantLedger.Api.Demo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NodaTime;

namespace GrantLedger.Api.Tests;

[Collection(LedgerCollection.Name)]
public class AuthTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private async Task<Reply> Token(string email, string password) =>
        await host.Post("/api/auth/token", new { email, password }, user: null);

    [Theory]
    [InlineData("finance@ecaro.example", "finance")]
    [InlineData("approver@ecaro.example", "approver")]
    [InlineData("auditor@audit.example", "auditor")]
    [InlineData("admin@ecaro.example", "admin")]
    [InlineData("grantee@snowleopard.example", "grantee")]
    [InlineData("grantee@slconservancy.example", "grantee")]
    [InlineData("grantee@wwb.example", "grantee")]
    public async Task each_demo_user_gets_a_token_that_says_who_they_are(string email, string role)
    {
        var seeder = new DemoSeeder(host.Host.Services.GetRequiredService<IServiceScopeFactory>(),
            Options.Create(new DemoOptions { Seed = true, Password = "snowleopard" }),
            host.Host.Services.GetRequiredService<IHostEnvironment>(), NullLogger<DemoSeeder>.Instance);
        await seeder.StartAsync(CancellationToken.None);

        var token = await Token(email, "snowleopard");
        Assert.Equal(200, token.Status);
        Assert.True(token.Json["expiresAt"] is not null);

        var me = await host.Send(HttpMethod.Get, "/api/me", headers: new Dictionary<string, string>
        {
            ["Authorization"] = "Bearer " + token.Json.Text("accessToken"),
        }, user: null);
        Assert.Equal(200, me.Status);
        Assert.Equal(email, me.Json.Text("email"));
        Assert.Contains(role, me.Json["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
    }

    [Fact]
    public async Task a_wrong_password_and_an_unknown_email_fail_alike()
    {
        var wrong = await Token("finance@test.example", "not the password");
        var unknown = await Token("nobody@test.example", "not the password");

        Assert.Equal(401, wrong.Status);
        Assert.Equal("invalid-credentials", wrong.Code);
        Assert.Equal(401, unknown.Status);
        Assert.Equal(wrong.Json.Text("detail"), unknown.Json.Text("detail"));
    }

    [Fact]
    public async Task repeated_failures_lock_the_account_for_a_while()
    {
        var email = $"locked-{Guid.NewGuid():N}@test.example";
        await host.AddUser(email, ["auditor"], null);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(401, (await Token(email, "guess " + i)).Status);
        }

        // Locked: even the right password is refused, with the same answer as a wrong one (nothing to enumerate).
        var locked = await Token(email, LedgerHost.Password);
        Assert.Equal(401, locked.Status);
        Assert.Equal("invalid-credentials", locked.Code);

        host.Clock.Advance(Duration.FromMinutes(1) + Duration.FromSeconds(1));
        Assert.Equal(200, (await Token(email, LedgerHost.Password)).Status);
    }

    [Fact]
    public async Task nothing_but_health_and_sign_in_answers_without_a_user()
    {
        Assert.Equal(401, (await host.Get("/api/grants", user: null)).Status);
        Assert.Equal(401, (await host.Get("/api/me", user: null)).Status);
        Assert.Equal(200, (await host.Get("/health", user: null)).Status);
    }

    [Fact]
    public async Task a_forged_or_garbled_token_is_refused()
    {
        var reply = await host.Send(HttpMethod.Get, "/api/grants", headers: new Dictionary<string, string>
        {
            ["Authorization"] = "Bearer not-a-token",
        }, user: null);

        Assert.Equal(401, reply.Status);
    }

    [Fact]
    public async Task an_administrator_adds_users_and_binds_a_grantee_to_its_organisation()
    {
        var email = $"grantee-{Guid.NewGuid():N}@example.kg";
        var organisation = await host.OrganisationNamed("Snow Leopard Trust");
        var created = await host.Post("/api/users", new
        {
            email, displayName = "Snow Leopard Trust (Bishkek)", password = "long enough password",
            roles = new[] { "grantee" }, granteeOrganisationId = organisation,
        }, user: "admin");
        var again = await host.Post("/api/users", new
        {
            email, displayName = "x", password = "long enough password", roles = new[] { "grantee" }, granteeOrganisationId = organisation,
        }, user: "admin");
        var nowhere = await host.Post("/api/users", new
        {
            email = $"nowhere-{Guid.NewGuid():N}@example.kg", displayName = "x", password = "long enough password", roles = new[] { "grantee" },
            granteeOrganisationId = Guid.NewGuid(),
        }, user: "admin");
        var unbound = await host.Post("/api/users", new
        {
            email = "other@example.kg", displayName = "x", password = "long enough password", roles = new[] { "grantee" },
        }, user: "admin");
        var byFinance = await host.Post("/api/users", new
        {
            email = "x@example.kg", displayName = "x", password = "long enough password", roles = new[] { "finance" },
        }, user: "finance");

        Assert.Equal(201, created.Status);
        Assert.Equal("Snow Leopard Trust", created.Json.Text("granteeOrganisation"));
        Assert.Equal(organisation.ToString(), created.Json.Text("granteeOrganisationId"));
        Assert.Equal("unknown-organisation", nowhere.Code);
        Assert.Equal(422, again.Status);
        Assert.Equal("user-exists", again.Code);
        Assert.Equal(400, unbound.Status);
        Assert.Equal(403, byFinance.Status);
        Assert.Equal(200, (await Token(email, "long enough password")).Status);
        var trail = await host.Get($"/api/audit?actor=admin@test.example", user: "auditor");
        var added = trail.Json["items"]!.AsArray().Last(i => i!.Text("eventType") == "user_added")!;
        Assert.Equal(email, added["data"]!.Text("email"));
        Assert.Null(added["data"]!["passwordHash"]);
    }
}
