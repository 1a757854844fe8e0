using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Alba;
using JasperFx.CommandLine;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;
using NodaTime;
using NodaTime.Testing;
using System.Globalization;

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

    /// <summary>Evidence files above this size are refused in tests (the production default is 20 MB).</summary>
    public const long TestMaxEvidenceBytes = 1024 * 1024;

    /// <summary>Inside the SOS Central Asia window; tests that need time to pass move it themselves.</summary>
    public static readonly Instant StartOfTime = Instant.FromUtc(2020, 6, 1, 0, 0);

    public IAlbaHost Host { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public FakeClock Clock { get; } = new(StartOfTime);
    public IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

    public async Task InitializeAsync()
    {
        Host = await Start(Schema, Clock);
        await Reset(Store);
        Client = Host.Server.CreateClient();
    }

    public const string Schema = "grantledger_tests";

    /// <summary>Empties the ledger: events, documents, evidence bytes and pending scheduled messages.</summary>
    public static async Task Reset(IDocumentStore store)
    {
        await store.Advanced.Clean.DeleteAllDocumentsAsync();
        await store.Advanced.Clean.DeleteAllEventDataAsync();
        await using var session = store.LightweightSession();
        var schema = store.Options.Events.DatabaseSchemaName;
        session.QueueSqlCommand($"delete from {schema}.evidence_files");
        session.QueueSqlCommand($"delete from {schema}.wolverine_incoming_envelopes");
        await session.SaveChangesAsync();
    }

    /// <summary>The same helpers over a host a test started itself (e.g. to restart it).</summary>
    public static LedgerHost Wrap(IAlbaHost host) => new() { Host = host, Client = host.Server.CreateClient() };

    /// <summary>Starts the real application on the test database, in its own schema, with a fake clock.</summary>
    public static Task<IAlbaHost> Start(string schema, FakeClock clock)
    {
        JasperFxEnvironment.AutoStartHost = true;
        var connection = Environment.GetEnvironmentVariable("ConnectionStrings__GrantLedger") ?? TestConnectionString;
        return AlbaHost.For<Program>(builder =>
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("ConnectionStrings:GrantLedger", connection);
            builder.UseSetting("GrantLedger:SchemaName", schema);
            builder.UseSetting("GrantLedger:Demo:Seed", "false");
            builder.UseSetting("GrantLedger:Scheduling:PollingMilliseconds", "200");
            builder.UseSetting("GrantLedger:Milestones:MaxEvidenceFileBytes", TestMaxEvidenceBytes.ToString(CultureInfo.InvariantCulture));
            builder.ConfigureServices(services =>
            {
                services.AddSingleton<IClock>(clock);
                services.RunWolverineInSoloMode();
                services.DisableAllExternalWolverineTransports();
            });
        });
    }

    /// <summary>Polls until the condition holds: background work (scheduled messages) finishes in its own time.</summary>
    public static async Task<T> Eventually<T>(Func<Task<T>> probe, Func<T, bool> done, int seconds = 30)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value) || watch.Elapsed.TotalSeconds > seconds)
            {
                return value;
            }

            await Task.Delay(100);
        }
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
