using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace GrantLedger.Benchmarks;

/// <summary>The few calls every load driver makes against the running app.</summary>
internal static class ApiCalls
{
    /// <summary>A bearer token for a demo user.</summary>
    public static async Task<string> Token(HttpClient http, string email, string password)
    {
        using var response = await http.PostAsJsonAsync("/api/auth/token", new { email, password });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!.GetValue<string>();
    }

    /// <summary>A client of the app signed in as a demo user (bearer token on every request).</summary>
    public static async Task<HttpClient> SignedIn(Uri app, string email, string password, TimeSpan timeout)
    {
        var http = new HttpClient { BaseAddress = app, Timeout = timeout };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await Token(http, email, password));
        return http;
    }

    /// <summary>POSTs with the client's own credentials and returns the new resource's id.</summary>
    public static async Task<Guid> Created(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}: {text}");
        }

        return Guid.Parse(JsonNode.Parse(text)!["id"]!.GetValue<string>());
    }

    /// <summary>
    /// Registers an organisation of the driver's own (so a scenario's holds or overdue milestones never touch the demo's
    /// grantees) with one bank account: finance proposes it, the demo approver approves it (four eyes), so it can be paid.
    /// </summary>
    public static async Task<Guid> Organisation(HttpClient finance, string password, string name)
    {
        var organisation = await Created(finance, "/api/organisations", new { legalName = name + " Public Foundation", shortName = name, countries = new[] { "KG" } });
        using var proposed = await finance.PostAsJsonAsync($"/api/organisations/{organisation}/bank-accounts", new
        {
            holder = name, accountNumber = "1280016012345678", bankName = "Kyrgyz Investment and Credit Bank", bankCountry = "KG",
            currency = "EUR", swift = "KICBKG22", reason = "account in the grant agreement",
        });
        var text = await proposed.Content.ReadAsStringAsync();
        var account = proposed.IsSuccessStatusCode ? JsonNode.Parse(text)!["accountId"]!.GetValue<string>()
            : throw new InvalidOperationException($"proposing {name}'s account answered {(int)proposed.StatusCode}: {text}");
        using var approver = await SignedIn(finance.BaseAddress!, "approver@ecaro.example", password, TimeSpan.FromSeconds(100));
        using var approved = await approver.PostAsJsonAsync($"/api/organisations/{organisation}/bank-accounts/{account}/approve", new { });
        if (!approved.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"approving {name}'s account answered {(int)approved.StatusCode}: {await approved.Content.ReadAsStringAsync()}");
        }

        return organisation;
    }

    /// <summary>GETs with the client's own credentials.</summary>
    public static async Task<JsonNode> Json(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }
}
