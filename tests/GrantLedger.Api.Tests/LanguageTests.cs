using System.Net;
using System.Text.RegularExpressions;
using GrantLedger.Api.Identity;
using Marten;

namespace GrantLedger.Api.Tests;

/// <summary>
/// Each person's language: saved through the one door (API, switcher, preferences), chosen per request (profile, then
/// the culture cookie, then Accept-Language), never sending the browser off-site, and never changing what the API answers.
/// </summary>
[Collection(LedgerCollection.Name)]
public partial class LanguageTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private readonly Ledger _ledger = new(host);

    private static Dictionary<string, string> Bearer(string token) => new() { ["Authorization"] = "Bearer " + token };

    private async Task<string> NewGrantee(string organisation)
    {
        var email = $"lang-{Guid.NewGuid():N}@test.example";
        await host.AddUser(email, ["grantee"], organisation);
        return email;
    }

    private async Task<string> TokenOf(string email)
    {
        var reply = await host.Post("/api/auth/token", new { email, password = LedgerHost.Password }, user: null);
        Assert.Equal(200, reply.Status);
        return reply.Json.Text("accessToken");
    }

    private Task<Reply> SetLanguage(string token, string json) =>
        host.Send(HttpMethod.Put, "/api/me/language", json, Bearer(token), user: null);

    private async Task<UserAccount> Account(string email)
    {
        await using var session = host.Store.QuerySession();
        return await session.Query<UserAccount>().SingleAsync(u => u.Email == email);
    }

    private static string Value(IEnumerable<string> setCookies, string name) =>
        setCookies.Select(c => c.Split(';')[0]).Single(c => c.StartsWith(name + "=", StringComparison.Ordinal));

    /// <summary>A browser session (the <c>grantledger</c> cookie) through the sign-in form.</summary>
    private async Task<string> CookieSignIn(string email)
    {
        using var page = await host.Client.GetAsync("/signin");
        var token = Token(await page.Content.ReadAsStringAsync());
        using var post = new HttpRequestMessage(HttpMethod.Post, "/signin")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["email"] = email, ["password"] = LedgerHost.Password, ["__RequestVerificationToken"] = token,
            }),
        };
        post.Headers.Add("Cookie", string.Join("; ", page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0])));
        using var response = await host.Client.SendAsync(post);
        return Value(response.Headers.GetValues("Set-Cookie"), "grantledger");
    }

    private async Task<(HttpStatusCode Status, string Html)> Page(string url, string? cookies = null, string? acceptLanguage = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (cookies is not null)
        {
            request.Headers.Add("Cookie", cookies);
        }

        if (acceptLanguage is not null)
        {
            request.Headers.Add("Accept-Language", acceptLanguage);
        }

        using var response = await host.Client.SendAsync(request);
        return (response.StatusCode, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
    }

    /// <summary>Posts the layout's language switcher as the signed-in browser would (with its antiforgery token).</summary>
    private async Task<HttpResponseMessage> Switch(string session, string language, string returnUrl)
    {
        using var page = await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/account/preferences") { Headers = { { "Cookie", session } } });
        var antiforgery = Value(page.Headers.GetValues("Set-Cookie"), ".AspNetCore.Antiforgery." + AntiforgeryName().Match(string.Join(";", page.Headers.GetValues("Set-Cookie"))).Groups[1].Value);
        var post = new HttpRequestMessage(HttpMethod.Post, "/language")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["language"] = language, ["returnUrl"] = returnUrl, ["__RequestVerificationToken"] = Token(await page.Content.ReadAsStringAsync()),
            }),
        };
        post.Headers.Add("Cookie", $"{session}; {antiforgery}");
        return await host.Client.SendAsync(post);
    }

    private static string Token(string html) =>
        Regex.Match(html, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value;

    [Fact]
    public async Task a_language_set_through_the_api_is_saved_and_recorded_on_the_users_stream()
    {
        var email = await NewGrantee("Snow Leopard Trust");
        var token = await TokenOf(email);

        var set = await SetLanguage(token, """{ "language": "RU " }""");

        Assert.Equal(200, set.Status);
        Assert.Equal("ru", set.Json.Text("language"));
        var user = await Account(email);
        Assert.Equal(Languages.Russian, user.Language);
        await using var session = host.Store.QuerySession();
        var changed = (await session.Events.FetchStreamAsync(user.Id)).Single(e => e.Data is UserLanguageChanged);
        Assert.Equal("ru", ((UserLanguageChanged)changed.Data).Language);
        Assert.Equal(email, changed.GetHeader(Http.SessionMetadata.ActorHeader)?.ToString());
        Assert.Equal("language changed", changed.GetHeader(Http.SessionMetadata.ReasonHeader)?.ToString());
    }

    [Theory]
    [InlineData("""{ "language": "de" }""")]
    [InlineData("""{ "language": "" }""")]
    [InlineData("""{ "language": "ru-RU-x-very-long" }""")]
    public async Task an_unsupported_or_oversized_language_is_refused_and_changes_nothing(string json)
    {
        var email = await NewGrantee("Snow Leopard Trust");
        var token = await TokenOf(email);

        var refused = await SetLanguage(token, json);

        Assert.Equal("malformed-request", refused.Code);
        Assert.True(refused.Json["errors"]?["language"] is not null, refused.ToString());
        Assert.Equal(Languages.English, (await Account(email)).Language);
    }

    [Fact]
    public async Task nobody_signed_in_cannot_set_a_language()
    {
        Assert.Equal(401, (await host.Send(HttpMethod.Put, "/api/me/language", """{ "language": "ru" }""", user: null)).Status);
    }

    [Fact]
    public async Task the_api_answers_the_same_figures_and_dates_to_a_russian_reader()
    {
        var grantee = "Lang Invariance " + Guid.NewGuid().ToString("N")[..6];
        var grantId = await _ledger.GrantOf(12_345.67m, grantee);
        Assert.Equal(201, (await _ledger.TryDisburse(grantId, 1_234.56m)).Status);
        var email = await NewGrantee(grantee);
        Assert.Equal(200, (await SetLanguage(await TokenOf(email), """{ "language": "ru" }""")).Status);
        var token = await TokenOf(email); // issued with the Russian profile language
        var russian = new Dictionary<string, string>(Bearer(token)) { ["Accept-Language"] = "ru-RU,ru;q=0.9" };

        var json = await host.Send(HttpMethod.Get, $"/api/grants/{grantId}", headers: russian, user: null);
        var jsonEnglish = await host.Send(HttpMethod.Get, $"/api/grants/{grantId}", headers: Bearer(token), user: null);
        var csv = await Csv($"/api/exports/ledger-entries.csv?grantId={grantId}", russian);
        var csvEnglish = await Csv($"/api/exports/ledger-entries.csv?grantId={grantId}", Bearer(token));
        var refused = await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/disbursements",
            """{ "amount": 20000.00, "valueDate": "2020-05-05", "reference": "R-2" }""",
            new Dictionary<string, string>(russian) { ["Idempotency-Key"] = Guid.NewGuid().ToString() }, user: null);

        Assert.Equal(200, json.Status);
        Assert.Equal(jsonEnglish.Json.ToJsonString(), json.Json.ToJsonString());
        Assert.Equal(12345.67m, json.Json.Decimal("amount"));
        Assert.Contains("12345.67", json.Json.ToJsonString());
        Assert.Equal(csvEnglish, csv);
        Assert.Contains("1234.56", csv);
        Assert.Contains("2020-05-04", csv);
        Assert.DoesNotContain("04.05.2020", csv);
        Assert.DoesNotContain("1234,56", csv);
        // A grantee may not pay; the refusal is the API's own English problem either way.
        Assert.Equal(403, refused.Status);
        var finance = await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/disbursements",
            """{ "amount": 20000.00, "valueDate": "2020-05-05", "reference": "R-2" }""",
            new Dictionary<string, string> { ["Accept-Language"] = "ru", ["Idempotency-Key"] = Guid.NewGuid().ToString() });
        Assert.Equal("grant-exceeded", finance.Code);
        Assert.Matches("^Disbursing 20000.00 EUR would exceed the grant: only 11111.11 EUR remains", finance.Json.Text("detail"));
    }

    private async Task<string> Csv(string url, Dictionary<string, string> headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task a_page_speaks_the_profile_language_before_the_cookie_and_the_browsers_language()
    {
        var grantee = "Lang Pages " + Guid.NewGuid().ToString("N")[..6];
        await _ledger.Award(await _ledger.OpenProgramme(2_000_000m), 1_234_567.89m, grantee);
        var email = await NewGrantee(grantee);
        Assert.Equal(200, (await SetLanguage(await TokenOf(email), """{ "language": "ru" }""")).Status);
        var session = await CookieSignIn(email);

        var (status, html) = await Page("/grants", $"{session}; .AspNetCore.Culture=c%3Den%7Cuic%3Den", "en-GB,en;q=0.9");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("<html lang=\"ru\">", html);
        Assert.Contains("<h1>Мои гранты</h1>", html);
        Assert.Contains("1\u00A0234\u00A0567,89", html);
        Assert.Contains(grantee, html); // names as written
    }

    [Theory]
    [InlineData(null, null, "Sign in")]
    [InlineData(null, "ru-RU,ru;q=0.9,en;q=0.5", "Войти")]
    [InlineData("c=ru|uic=ru", "en", "Войти")]
    [InlineData("c=en|uic=en", "ru", "Sign in")]
    [InlineData(null, "de-DE", "Sign in")]
    public async Task before_sign_in_the_cookie_comes_before_the_browsers_language_and_english_is_the_default(string? cookie, string? acceptLanguage, string heading)
    {
        var (_, html) = await Page("/signin", cookie is null ? null : ".AspNetCore.Culture=" + Uri.EscapeDataString(cookie), acceptLanguage);

        Assert.Contains($"<h1>{heading}</h1>", html);
    }

    [Theory]
    [InlineData("/grants?page=1", "/grants?page=1")]
    [InlineData("https://evil.example/phish", "/")]
    [InlineData("//evil.example/phish", "/")]
    [InlineData("/\\evil.example/phish", "/")]
    [InlineData("javascript:alert(1)", "/")]
    [InlineData("", "/")]
    public async Task the_switcher_saves_the_language_and_returns_to_a_local_address_only(string returnUrl, string location)
    {
        var email = await NewGrantee("Snow Leopard Trust");
        var session = await CookieSignIn(email);

        using var switched = await Switch(session, "ru", returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
        Assert.Equal(location, switched.Headers.Location?.OriginalString);
        Assert.Equal(Languages.Russian, (await Account(email)).Language);
        var cookies = switched.Headers.GetValues("Set-Cookie").ToList();
        Assert.Equal(".AspNetCore.Culture=c%3Dru%7Cuic%3Dru", Value(cookies, ".AspNetCore.Culture"));
        // The renewed session speaks Russian at once, whatever the browser prefers.
        var (_, html) = await Page("/", Value(cookies, "grantledger"), "en");
        Assert.Contains("<html lang=\"ru\">", html);
    }

    [Fact]
    public async Task the_switcher_refuses_a_post_without_the_antiforgery_token()
    {
        var email = await NewGrantee("Snow Leopard Trust");
        var session = await CookieSignIn(email);
        using var post = new HttpRequestMessage(HttpMethod.Post, "/language")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["language"] = "ru", ["returnUrl"] = "/" }),
        };
        post.Headers.Add("Cookie", session);

        using var response = await host.Client.SendAsync(post);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(Languages.English, (await Account(email)).Language);
    }

    [GeneratedRegex(@"\.AspNetCore\.Antiforgery\.([A-Za-z0-9_-]+)=")]
    private static partial Regex AntiforgeryName();
}
