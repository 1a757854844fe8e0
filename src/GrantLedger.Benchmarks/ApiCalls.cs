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

    /// <summary>GETs with the client's own credentials.</summary>
    public static async Task<JsonNode> Json(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }
}
