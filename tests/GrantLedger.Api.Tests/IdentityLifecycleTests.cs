using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GrantLedger.Api.Identity;
using Marten;
using NodaTime;

namespace GrantLedger.Api.Tests;

/// <summary>The sign-in and the user lifecycle, each rule tried as an attacker (or a leaver) would.</summary>
[Collection(LedgerCollection.Name)]
public class IdentityLifecycleTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private Task<Reply> Token(string email, string password) => host.Post("/api/auth/token", new { email, password }, user: null);

    private static Dictionary<string, string> Bearer(string token) => new() { ["Authorization"] = "Bearer " + token };

    private async Task<string> NewUser(string[] roles, string? grantee = null)
    {
        var email = $"user-{Guid.NewGuid():N}@test.example";
        await host.AddUser(email, roles, grantee);
        return email;
    }

    private async Task<UserAccount> Account(string email)
    {
        await using var session = host.Store.QuerySession();
        return await session.Query<UserAccount>().SingleAsync(u => u.Email == email);
    }

    private async Task<string> TokenOf(string email, string password = LedgerHost.Password)
    {
        var reply = await Token(email, password);
        Assert.Equal(200, reply.Status);
        return reply.Json.Text("accessToken");
    }

    private Task<Reply> Me(string token) => host.Send(HttpMethod.Get, "/api/me", headers: Bearer(token), user: null);

    private static string Essence(Reply reply) =>
        $"{reply.Status} {reply.Code} {reply.Body?["title"]} {reply.Body?["detail"]} {reply.Body?["type"]}";

    [Fact]
    public async Task unknown_email_wrong_password_locked_and_disabled_accounts_answer_exactly_alike()
    {
        var locked = await NewUser(["auditor"]);
        for (var i = 0; i < 5; i++)
        {
            await Token(locked, "guess " + i);
        }

        var disabled = await NewUser(["auditor"]);
        Assert.Equal(200, (await host.Post($"/api/users/{(await Account(disabled)).Id}/disable", new { reason = "left" }, user: "admin")).Status);

        var unknown = await Token($"nobody-{Guid.NewGuid():N}@test.example", LedgerHost.Password);
        var wrong = await Token("finance@test.example", "not the password");
        var whileLocked = await Token(locked, LedgerHost.Password);
        var whileDisabled = await Token(disabled, LedgerHost.Password);

        Assert.Equal(401, unknown.Status);
        Assert.Equal("invalid-credentials", unknown.Code);
        Assert.Equal(Essence(unknown), Essence(wrong));
        Assert.Equal(Essence(unknown), Essence(whileLocked));
        Assert.Equal(Essence(unknown), Essence(whileDisabled));
    }

    [Fact]
    public async Task an_unknown_email_leaves_no_stream_and_no_email_in_the_log()
    {
        var guessed = $"guess-{Guid.NewGuid():N}@test.example";
        await Token(guessed, "my password by mistake");

        await using var session = host.Store.QuerySession();
        Assert.False(await session.Query<SecurityLogEntry>().AnyAsync(e => e.Email == guessed));
        Assert.False(await session.Query<UserAccount>().AnyAsync(u => u.Email == guessed));
        var log = await host.Get("/api/security/log?pageSize=5", user: "auditor");
        Assert.DoesNotContain("my password by mistake", log.Json.ToJsonString());
    }

    [Fact]
    public async Task parallel_wrong_guesses_each_count_once()
    {
        var email = await NewUser(["auditor"]);
        var id = (await Account(email)).Id;

        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Token(email, "parallel guess " + i)));

        Assert.Equal(4, (await Account(email)).FailedSignIns);
        await using var session = host.Store.QuerySession();
        var counted = (await session.Query<SecurityLogEntry>().Where(e => e.UserId == id && e.Kind == SecurityLogKinds.SignInFailed).ToListAsync())
            .Select(e => e.Detail).OrderBy(d => d).ToList();
        // Each guess saw its own count: no two guesses overwrote each other.
        Assert.Equal(["wrong password (1 in a row)", "wrong password (2 in a row)", "wrong password (3 in a row)", "wrong password (4 in a row)"], counted);
    }

    [Fact]
    public void lockouts_double_from_one_minute_and_stop_at_fifteen()
    {
        var options = new AuthOptions();
        Assert.Equal([1, 2, 4, 8, 15, 15, 15], new[] { 5, 6, 7, 8, 9, 10, 40 }.Select(f => (int)SignInGate.LockoutFor(f, options).TotalMinutes));
    }

    [Fact]
    public async Task a_guess_after_a_lockout_locks_for_twice_as_long_and_guesses_while_locked_do_not_lengthen_it()
    {
        var email = await NewUser(["approver", "finance"]);
        for (var i = 0; i < 5; i++)
        {
            await Token(email, "guess " + i);
        }

        var first = (await Account(email)).LockedUntil;
        Assert.Equal(LedgerHost.StartOfTime + Duration.FromMinutes(1), first);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(401, (await Token(email, "while locked " + i)).Status);
        }

        Assert.Equal(first, (await Account(email)).LockedUntil);

        host.Clock.Advance(Duration.FromMinutes(1) + Duration.FromSeconds(1));
        await Token(email, "one more guess");
        Assert.Equal(host.Clock.GetCurrentInstant() + Duration.FromMinutes(2), (await Account(email)).LockedUntil);

        host.Clock.Advance(Duration.FromMinutes(3));
        Assert.Equal(200, (await Token(email, LedgerHost.Password)).Status);
        var account = await Account(email);
        Assert.Equal(0, account.FailedSignIns);
        // Locking only blocks sign-in: the approver keeps their roles (four-eyes approvals are unaffected).
        Assert.Equal(["approver", "finance"], account.Roles.Order());
    }

    [Fact]
    public async Task a_disabled_users_token_and_cookie_stop_working_and_they_cannot_sign_in()
    {
        var email = await NewUser(["finance"]);
        var token = await TokenOf(email);
        var cookie = await CookieSignIn(email, LedgerHost.Password);
        Assert.Equal(200, (await Me(token)).Status);
        Assert.Equal(HttpStatusCode.OK, (await WithCookie("/api/me", cookie)).StatusCode);

        var id = (await Account(email)).Id;
        var disabled = await host.Post($"/api/users/{id}/disable", new { reason = "left the organisation" }, user: "admin");
        Assert.Equal(200, disabled.Status);
        Assert.True(disabled.Json["disabled"]!.GetValue<bool>());

        Assert.Equal(401, (await Me(token)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await WithCookie("/api/me", cookie)).StatusCode);
        Assert.Equal(401, (await Token(email, LedgerHost.Password)).Status);

        Assert.Equal(200, (await host.Post($"/api/users/{id}/enable", new { reason = "came back" }, user: "admin")).Status);
        Assert.Equal(200, (await Token(email, LedgerHost.Password)).Status);
    }

    [Fact]
    public async Task a_role_change_revokes_the_old_token()
    {
        var email = await NewUser(["finance"]);
        var token = await TokenOf(email);
        Assert.Equal(200, (await host.Send(HttpMethod.Get, "/api/grants", headers: Bearer(token), user: null)).Status);

        var id = (await Account(email)).Id;
        Assert.Equal(200, (await host.Send(HttpMethod.Put, $"/api/users/{id}/roles",
            """{"roles":["auditor"],"reason":"moved to internal audit"}""", user: "admin")).Status);

        Assert.Equal(401, (await Me(token)).Status);
        var me = await Me(await TokenOf(email));
        Assert.Equal(["auditor"], me.Json["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
    }

    [Fact]
    public async Task a_one_time_password_only_lets_the_user_change_it()
    {
        var email = await NewUser(["finance"]);
        var old = await TokenOf(email);
        var id = (await Account(email)).Id;
        Assert.Equal(200, (await host.Post($"/api/users/{id}/password-reset",
            new { oneTimePassword = "one time 12345", reason = "forgot it" }, user: "admin")).Status);
        Assert.Equal(401, (await Me(old)).Status);
        Assert.Equal(401, (await Token(email, LedgerHost.Password)).Status);

        var restricted = await TokenOf(email, "one time 12345");
        Assert.True((await Me(restricted)).Json["mustChangePassword"]!.GetValue<bool>());
        var refused = await host.Send(HttpMethod.Get, "/api/grants", headers: Bearer(restricted), user: null);
        Assert.Equal(403, refused.Status);
        Assert.Equal("password-change-required", refused.Code);
        Assert.Equal("wrong-current-password", (await host.Send(HttpMethod.Post, "/api/me/password",
            """{"currentPassword":"not it at all","newPassword":"my own secret 678"}""", Bearer(restricted), user: null)).Code);
        Assert.Equal(200, (await host.Send(HttpMethod.Post, "/api/me/password",
            """{"currentPassword":"one time 12345","newPassword":"my own secret 678"}""", Bearer(restricted), user: null)).Status);

        Assert.Equal(401, (await Me(restricted)).Status);
        Assert.Equal(401, (await Token(email, "one time 12345")).Status);
        var full = await TokenOf(email, "my own secret 678");
        Assert.Equal(200, (await host.Send(HttpMethod.Get, "/api/grants", headers: Bearer(full), user: null)).Status);
    }

    [Fact]
    public async Task a_session_ends_twelve_hours_after_sign_in_however_often_it_slid()
    {
        var email = await NewUser(["finance"]);
        var cookie = await CookieSignIn(email, LedgerHost.Password);

        host.Clock.Advance(Duration.FromHours(5));
        cookie = Renewed(await WithCookie("/api/me", cookie), cookie);
        host.Clock.Advance(Duration.FromHours(5));
        var late = await WithCookie("/api/me", cookie);
        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        cookie = Renewed(late, cookie);

        host.Clock.Advance(Duration.FromHours(2) + Duration.FromMinutes(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await WithCookie("/api/me", cookie)).StatusCode);
    }

    [Fact]
    public async Task an_administrator_cannot_disable_themselves()
    {
        var admin = await Account("admin@test.example");
        var reply = await host.Post($"/api/users/{admin.Id}/disable", new { reason = "oops" }, user: "admin");
        Assert.Equal(422, reply.Status);
        Assert.Equal("cannot-disable-self", reply.Code);
        Assert.False((await Account("admin@test.example")).Disabled);
    }

    [Theory]
    [InlineData("finance")]
    [InlineData("auditor")]
    [InlineData("approver")]
    public async Task only_administrators_change_users(string role)
    {
        var target = (await Account("finance@test.example")).Id;
        Assert.Equal(403, (await host.Post($"/api/users/{target}/disable", new { reason = "x" }, user: role)).Status);
        Assert.Equal(403, (await host.Post($"/api/users/{target}/enable", new { reason = "x" }, user: role)).Status);
        Assert.Equal(403, (await host.Post($"/api/users/{target}/password-reset", new { oneTimePassword = "0123456789ab", reason = "x" }, user: role)).Status);
        Assert.Equal(403, (await host.Send(HttpMethod.Put, $"/api/users/{target}/roles", """{"roles":["admin"],"reason":"x"}""", user: role)).Status);
        Assert.False((await Account("finance@test.example")).Disabled);
    }

    [Fact]
    public async Task a_grantee_cannot_touch_users_or_read_the_security_log_and_the_refusal_is_logged()
    {
        var grantee = await host.GranteeUser("Snow Leopard Trust");
        var target = (await Account("finance@test.example")).Id;
        Assert.Equal(403, (await host.Post($"/api/users/{target}/disable", new { reason = "x" }, user: grantee)).Status);
        Assert.Equal(403, (await host.Get("/api/users", user: grantee)).Status);
        Assert.Equal(403, (await host.Get("/api/security/log", user: grantee)).Status);
        Assert.Equal(403, (await host.Get($"/api/users/{target}/history", user: grantee)).Status);

        // The shared host's clock stands still, so many entries share an instant: look at the grantee's own entries.
        await using var session = host.Store.QuerySession();
        var grantees = await session.Query<UserAccount>().Where(u => u.GranteeOrganisation == "Snow Leopard Trust").Select(u => u.Id).ToListAsync();
        var entries = new List<System.Text.Json.Nodes.JsonNode?>();
        foreach (var id in grantees)
        {
            entries.AddRange((await host.Get($"/api/security/log?pageSize=200&userId={id}", user: "auditor")).Json["entries"]!.AsArray());
        }

        Assert.Contains(entries, e => e!["kind"]!.GetValue<string>() == SecurityLogKinds.AccessDenied &&
            e["detail"]!.GetValue<string>() == $"POST /api/users/{target}/disable");
    }

    [Fact]
    public async Task every_change_to_a_user_is_on_their_history_with_actor_and_reason()
    {
        var email = await NewUser(["finance"]);
        var id = (await Account(email)).Id;
        await host.Post($"/api/users/{id}/disable", new { reason = "left the organisation" }, user: "admin");
        await host.Post($"/api/users/{id}/enable", new { reason = "rehired" }, user: "admin");

        var history = (await host.Get($"/api/users/{id}/history", user: "auditor")).Json.AsArray();
        Assert.Equal(["user_enabled", "user_disabled", "user_added"], history.Select(e => e!["type"]!.GetValue<string>()));
        Assert.Equal("admin@test.example", history[1]!["actor"]!.GetValue<string>());
        Assert.Equal("left the organisation", history[1]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task user_fields_are_capped()
    {
        var target = (await Account("finance@test.example")).Id;
        Assert.Equal(400, (await host.Post($"/api/users/{target}/disable", new { reason = new string('x', 2001) }, user: "admin")).Status);
        Assert.Equal(400, (await host.Post($"/api/users/{target}/password-reset", new { oneTimePassword = new string('p', 201), reason = "x" }, user: "admin")).Status);
        Assert.Equal(400, (await host.Send(HttpMethod.Put, $"/api/users/{target}/roles",
            """{"roles":["finance","approver","auditor","admin","finance","approver"],"reason":"x"}""", user: "admin")).Status);
        Assert.Equal(400, (await host.Post("/api/users", new { email = "long@test.example", displayName = new string('n', 201), password = "0123456789", roles = new[] { "finance" } }, user: "admin")).Status);
        Assert.False((await Account("finance@test.example")).Disabled);
    }

    // A browser's sign-in: the form with its antiforgery token, then the session cookie.
    private async Task<string> CookieSignIn(string email, string password)
    {
        using var page = await host.Client.GetAsync("/signin");
        var html = await page.Content.ReadAsStringAsync();
        var token = Regex.Match(html, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value;
        var cookies = page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]);
        using var post = new HttpRequestMessage(HttpMethod.Post, "/signin")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["email"] = email, ["password"] = password, ["__RequestVerificationToken"] = token,
            }),
        };
        post.Headers.Add("Cookie", string.Join("; ", cookies));
        using var response = await host.Client.SendAsync(post);
        return response.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith("grantledger=", StringComparison.Ordinal));
    }

    private async Task<HttpResponseMessage> WithCookie(string url, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("Cookie", cookie);
        return await host.Client.SendAsync(request);
    }

    private static string Renewed(HttpResponseMessage response, string cookie) =>
        response.Headers.TryGetValues("Set-Cookie", out var set)
            ? set.Select(c => c.Split(';')[0]).FirstOrDefault(c => c.StartsWith("grantledger=", StringComparison.Ordinal)) ?? cookie
            : cookie;
}
