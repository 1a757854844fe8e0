using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using GrantLedger.Api.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;

namespace GrantLedger.Api.Tests;

/// <summary>
/// What operators see (docs/operations.md, "Health", "Metrics", "Telemetry"), on a host of its own with a scrape token, an
/// in-memory span exporter and a log capture: readiness and liveness, /metrics behind its token, one payment's spans
/// from HTTP to SQL, and quiet logs.
/// </summary>
public sealed class OperationsTests : IAsyncLifetime
{
    public const string ScrapeToken = "scrape-token-for-the-operations-tests";
    private readonly List<Activity> _spans = [];
    private readonly LogCapture _logs = new();
    private LedgerHost _host = null!;
    private Ledger _ledger = null!;

    public async Task InitializeAsync()
    {
        var clock = new NodaTime.Testing.FakeClock(LedgerHost.StartOfTime);
        var host = await LedgerHost.StartEmpty("grantledger_operations", clock, new Dictionary<string, string>
        {
            ["GrantLedger:Metrics:ScrapeToken"] = ScrapeToken,
            ["GrantLedger:Metrics:SampleSeconds"] = "1",
            // Spans are recorded only when they go somewhere (an OTLP endpoint, or this setting): here, the in-memory exporter.
            [TelemetryConfiguration.TracesSetting] = "true",
        }, services =>
        {
            services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_spans));
            services.AddSingleton<ILoggerProvider>(_logs);
        });
        _host = await LedgerHost.Wrap(host, clock);
        _ledger = new Ledger(_host);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task liveness_and_readiness_answer_anyone_with_the_status_only()
    {
        var live = await _host.Get("/health/live", user: null);
        var ready = await _host.Get("/health/ready", user: null);
        var legacy = await _host.Get("/health", user: null);

        Assert.Equal((200, "live"), (live.Status, live.Json.Text("status")));
        Assert.Equal((200, "ready"), (ready.Status, ready.Json.Text("status")));
        Assert.Equal((200, "healthy"), (legacy.Status, legacy.Json.Text("status")));
        Assert.Single(ready.Json.AsObject());
    }

    [Fact]
    public async Task readiness_fails_when_the_schema_is_not_applied()
    {
        var readiness = new GrantLedger.Api.Health.Readiness(
            _host.Host.Services.GetRequiredService<Npgsql.NpgsqlDataSource>(), "no_such_schema", () => null, 10);

        Assert.Equal("schema-not-applied", (await readiness.Check(CancellationToken.None))?.Code);
    }

    [Fact]
    public async Task readiness_fails_for_a_node_missing_from_the_node_table()
    {
        var readiness = new GrantLedger.Api.Health.Readiness(
            _host.Host.Services.GetRequiredService<Npgsql.NpgsqlDataSource>(), "grantledger_operations", () => Guid.NewGuid(), 10);

        Assert.Equal("node-not-registered", (await readiness.Check(CancellationToken.None))?.Code);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-token-of-some-length")]
    [InlineData("Bearer " + ScrapeToken + "x")]
    [InlineData(ScrapeToken)]
    public async Task metrics_refuse_a_scraper_without_the_token(string? authorization)
    {
        var (status, body) = await Scrape(authorization);

        Assert.Equal(401, status);
        Assert.DoesNotContain("grantledger_", body);
    }

    [Fact]
    public async Task the_ledgers_measures_move_as_it_works_under_the_names_the_docs_promise()
    {
        var grantId = await _ledger.GrantOf(50_000m);
        var key = Guid.NewGuid().ToString();
        Assert.Equal(201, (await _ledger.TryDisburse(grantId, 1_234.56m, key)).Status);
        Assert.Equal(201, (await _ledger.TryDisburse(grantId, 1_234.56m, key)).Status);
        Assert.Equal(422, (await _ledger.TryDisburse(grantId, 1_000_000m)).Status);
        await _ledger.GenerateReport(new { kind = "grantee-statement", grantId });

        var body = await LedgerHost.Eventually(async () => string.Join("\n", (await Scrape("Bearer " + ScrapeToken)).Body.Split('\n').Where(l => l.StartsWith("grantledger_"))),
            b => LedgerMetrics.PrometheusNames.All(b.Contains) && b.Contains("outcome=\"replayed\"") && b.Contains("grantledger_report_duration_seconds_bucket"));

        var lines = body.Split('\n');
        bool Has(string name, params string[] labels) =>
            lines.Any(l => l.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(l.Contains) && !l.EndsWith(" 0", StringComparison.Ordinal));
        Assert.True(Has("grantledger_commands_total", "command=\"RecordDisbursement\"", "outcome=\"accepted\""), body);
        Assert.True(Has("grantledger_commands_total", "command=\"RecordDisbursement\"", "outcome=\"refused\"", "code=\""), body);
        Assert.True(Has("grantledger_commands_total", "command=\"RecordDisbursement\"", "outcome=\"replayed\""), body);
        Assert.True(Has("grantledger_command_duration_seconds_count", "command=\"RecordDisbursement\""), body);
        Assert.True(Has("grantledger_disbursements_recorded_cents_total", "currency=\"EUR\""), body);
        Assert.True(Has("grantledger_idempotent_replays_total"), body);
        Assert.True(Has("grantledger_report_duration_seconds_count", "kind=\"grantee-statement\"", "outcome=\"ready\""), body);
        // The frameworks' and the runtime's own measures come with them.
        var all = (await Scrape("Bearer " + ScrapeToken)).Body;
        Assert.Contains("http_server_request_duration_seconds", all);
        Assert.Contains("dotnet_gc_collections", all);
    }

    [Fact]
    public void the_operations_guide_names_every_metric_the_ledger_exports()
    {
        var guide = File.ReadAllText(Path.Combine(Tools.RepositoryRoot, "docs", "operations.md"));

        foreach (var name in LedgerMetrics.PrometheusNames)
        {
            Assert.Contains(name.Replace("_bucket", ""), guide);
        }
    }

    [Fact]
    public async Task one_payments_spans_run_from_http_through_the_handler_to_sql_with_correlation_and_user_id_but_no_email()
    {
        var grantId = await _ledger.GrantOf(40_000m);
        var correlation = "trace-me-" + Guid.NewGuid().ToString("N");
        var reply = await _host.Post($"/api/grants/{grantId}/disbursements",
            new { amount = 100m, valueDate = "2020-05-04", reference = "ECARO-TRACE-1", note = "Traced" },
            new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString(), ["X-Correlation-Id"] = correlation });
        Assert.Equal(201, reply.Status);

        var http = await LedgerHost.Eventually(() => Task.FromResult(Snapshot().FirstOrDefault(a =>
            a.Kind == ActivityKind.Server && Equals(a.GetTagItem(TelemetryConfiguration.CorrelationAttribute), correlation))), a => a is not null);
        var trace = Snapshot().Where(a => a.TraceId == http!.TraceId).ToList();
        var sources = trace.Select(a => a.Source.Name).ToHashSet();

        Assert.Equal("POST", http!.GetTagItem("http.request.method"));
        Assert.Contains(LedgerMetrics.Name, sources);
        Assert.Contains("Wolverine", sources);
        Assert.Contains("Marten", sources);
        Assert.Contains("Npgsql", sources);
        Assert.Contains(trace, a => a.Source.Name == "Npgsql" && a.Parent is not null);
        var user = (string)http.GetTagItem(TelemetryConfiguration.UserAttribute)!;
        Assert.True(Guid.TryParse(user, out _), user);
        var door = trace.Single(a => a.Source.Name == LedgerMetrics.Name);
        Assert.Equal(correlation, door.GetTagItem(TelemetryConfiguration.CorrelationAttribute));
        Assert.Equal("accepted", door.GetTagItem("grantledger.outcome"));
        Assert.DoesNotContain(trace.SelectMany(a => a.TagObjects), t => t.Value?.ToString()?.Contains("@test.example") == true);
    }

    [Fact]
    public async Task a_refused_json_body_is_logged_at_information_without_a_stack_trace()
    {
        _logs.Clear();
        var reply = await _host.Send(HttpMethod.Post, "/api/programmes", "{\"name\": \"unterminated");
        Assert.Equal(400, reply.Status);

        var entries = _logs.Entries.ToList();
        Assert.DoesNotContain(entries, e => e.Level >= LogLevel.Error);
        Assert.DoesNotContain(entries, e => e.Exception is not null && e.Level >= LogLevel.Warning);
        Assert.DoesNotContain(entries, e => e.Text.Contains("   at ", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Level == LogLevel.Information && e.Text.StartsWith("Refused input: ", StringComparison.Ordinal) &&
            e.Text.Contains("/api/programmes"));
    }

    [Fact]
    public async Task a_sign_in_password_or_token_never_reaches_the_logs()
    {
        _logs.Clear();
        const string wrong = "Wr0ng-But-Secret-Passw0rd";
        await _host.Send(HttpMethod.Post, "/api/auth/token", $$"""{"email": "finance@test.example", "password": "{{wrong}}"}""", user: null);
        var token = await _host.Send(HttpMethod.Post, "/api/auth/token", $$"""{"email": "finance@test.example", "password": "{{LedgerHost.Password}}"}""", user: null);
        await _host.Send(HttpMethod.Post, "/signin", null, user: null, content: new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = "finance@test.example", ["Password"] = wrong,
        }));
        await _host.Send(HttpMethod.Post, "/api/auth/token", $$"""{"email": "finance@test.example", "password": "{{wrong}}" """, user: null);
        Assert.Equal(200, token.Status);
        var bearer = token.Json.Text("accessToken");

        var text = string.Join("\n", _logs.Entries.Select(e => e.Text));
        Assert.DoesNotContain(wrong, text);
        Assert.DoesNotContain(LedgerHost.Password, text);
        Assert.DoesNotContain(bearer, text);
    }

    private List<Activity> Snapshot()
    {
        lock (_spans)
        {
            return [.. _spans];
        }
    }

    private async Task<(int Status, string Body)> Scrape(string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await _host.Client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}

/// <summary>Without a scrape token configured (the shared hosts), there is no /metrics at all.</summary>
[Collection(LedgerCollection.Name)]
public class MetricsOffTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    [Fact]
    public async Task without_a_scrape_token_metrics_do_not_exist()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "anything-at-all-here");
        using var response = await host.Client.SendAsync(request);

        Assert.Equal(404, (int)response.StatusCode);
        Assert.DoesNotContain("grantledger_", await response.Content.ReadAsStringAsync());
    }
}

/// <summary>Every log entry the application writes, as text: message, scopes' values and exception.</summary>
public sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    public sealed record Entry(string Category, LogLevel Level, string Text, Exception? Exception);

    private readonly ConcurrentQueue<Entry> _entries = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IEnumerable<Entry> Entries => _entries;

    public void Clear() => _entries.Clear();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => capture._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = new System.Text.StringBuilder(formatter(state, exception));
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    text.Append(' ').Append(key).Append('=').Append(value);
                }
            }

            capture._scopes.ForEachScope((scope, builder) => builder.Append(" scope=").Append(scope), text);
            if (exception is not null)
            {
                text.Append('\n').Append(exception);
            }

            capture._entries.Enqueue(new Entry(category, logLevel, text.ToString(), exception));
        }
    }
}
