using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Alba;
using JasperFx.CommandLine;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;

namespace GrantLedger.Api.Tests;

/// <summary>
/// One application host per test collection, against the real PostgreSQL that scripts/test.sh starts
/// (database grantledger_test; never the demo database). Data is wiped once per host; tests create their own
/// programmes and grants, so they do not depend on each other.
/// </summary>
public sealed class LedgerHost : IAsyncLifetime
{
    public const string TestConnectionString =
        "Host=127.0.0.1;Port=5433;Database=grantledger_test;Username=grantledger;Password=grantledger";

    public IAlbaHost Host { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

    public async Task InitializeAsync()
    {
        JasperFxEnvironment.AutoStartHost = true;
        var connection = Environment.GetEnvironmentVariable("ConnectionStrings__GrantLedger") ?? TestConnectionString;
        Host = await AlbaHost.For<Program>(builder =>
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("ConnectionStrings:GrantLedger", connection);
            builder.UseSetting("GrantLedger:Demo:Seed", "false");
            builder.ConfigureServices(services =>
            {
                services.RunWolverineInSoloMode();
                services.DisableAllExternalWolverineTransports();
            });
        });
        await Store.Advanced.Clean.DeleteAllDocumentsAsync();
        await Store.Advanced.Clean.DeleteAllEventDataAsync();
        Client = Host.Server.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }

    /// <summary>Sends raw JSON (so tests can send malformed bodies too) and returns status and parsed body.</summary>
    public async Task<Reply> Send(HttpMethod method, string url, string? json = null, IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Reply((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text),
            response.Content.Headers.ContentType?.MediaType, response.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value)));
    }

    public Task<Reply> Get(string url) => Send(HttpMethod.Get, url);

    public Task<Reply> Post(string url, object body, IDictionary<string, string>? headers = null) =>
        Send(HttpMethod.Post, url, System.Text.Json.JsonSerializer.Serialize(body), headers);
}

public sealed record Reply(int Status, JsonNode? Body, string? ContentType, IReadOnlyDictionary<string, string> Headers)
{
    public string? Code => Body?["code"]?.GetValue<string>();
    public JsonNode Json => Body ?? throw new InvalidOperationException($"Empty body with status {Status}");
    public Guid Id => Guid.Parse(Json["id"]!.GetValue<string>());
    public override string ToString() => $"{Status} {Body?.ToJsonString()}";
}

[CollectionDefinition(Name)]
public sealed class LedgerCollection : ICollectionFixture<LedgerHost>
{
    public const string Name = "ledger";
}
