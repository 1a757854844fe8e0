using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using JasperFx;
using Npgsql;
using NodaTime;

namespace GrantLedger.Benchmarks;

/// <summary>
/// The two pages that read the whole ledger, over a small and over a million-event history, in the same run against
/// the same app: the programme dashboard (<c>GET /programmes/{id}</c>) and the audit page (<c>GET /audit</c>: the first
/// page of the trail, its last page, a month of it, and the chain's status), signed in with a browser's cookie as the
/// demo auditor. First over the demo's ledger as the app seeded it; then the history section's million events
/// (10,000 grants x 98 payments) are seeded into the app's schema through a store shaped as the app's (its inline
/// snapshots follow), the app's chainer links them into the audit chain and signs a checkpoint, and the same pages are
/// timed again. <c>GET /health</c> is the floor in both. Views are one at a time (p50 and p99 of N sequential views).
/// </summary>
public static class PagesBenchmark
{
    private const string Auditor = "auditor@audit.example";

    public static async Task Run(string connection, string schema, Uri app, int appPid, string password)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var views = int.Parse(Environment.GetEnvironmentVariable("GRANTLEDGER_BENCH_PAGE_VIEWS") ?? "30", CultureInfo.InvariantCulture);
        await using var dataSource = NpgsqlDataSource.Create(connection);
        using var browser = await SignedInBrowser(app, Auditor, password);
        var demoProgramme = (Guid)(await dataSource.CreateCommand($"select id from {schema}.mt_doc_programme order by id limit 1").ExecuteScalarAsync())!;
        await ChainCaughtUp(dataSource, schema, TimeSpan.FromMinutes(20));

        var figures = new List<(string Name, double Value)>();
        async Task Time(string name, string path, string? mustContain = null)
        {
            var result = await Views(browser, path, views, mustContain);
            figures.Add(($"{name}_p50_ms", result.P50));
            figures.Add(($"{name}_p99_ms", result.P99));
            Console.WriteLine($"{name}_p50_ms={result.P50:0.0} {name}_p99_ms={result.P99:0.0} {name}_bytes={result.Bytes} {name}_errors={result.Errors}");
        }

        var events = await Scalar(dataSource, $"select count(*) from {schema}.mt_events");
        Console.WriteLine($"pages_small_events={events} pages_views={views}");
        await Time("small_health", "/health");
        await Time("small_dashboard", $"/programmes/{demoProgramme}");
        await Time("small_audit", "/audit", "id=\"chain\"");

        // The million events, into the app's own schema while it runs (as QuickBenchmark's long histories).
        var seed = Stopwatch.StartNew();
        Guid benchProgramme;
        var recordedAt = new HistoryBenchmark.SteppedTime(HistoryBenchmark.Start.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant());
        using (var store = HistoryBenchmark.Store(connection, schema, recordedAt, withProjections: true, AutoCreate.None))
        {
            benchProgramme = await HistoryBenchmark.Seed(store, recordedAt);
        }

        seed.Stop();
        // The app chains events it did not write like any other: its chainer follows mt_events in sequence order, and signs
        // a checkpoint of the head once it has caught up. The pages are timed once both are done.
        var chain = Stopwatch.StartNew();
        await ChainCaughtUp(dataSource, schema, TimeSpan.FromMinutes(20));
        chain.Stop();
        // As autovacuum would soon after such a load: statistics for the planner, and the visibility map for index-only scans.
        foreach (var table in new[] { "mt_events", "mt_doc_grant", "audit_chain" })
        {
            await dataSource.CreateCommand($"vacuum analyze {schema}.{table}").ExecuteNonQueryAsync();
        }

        events = await Scalar(dataSource, $"select count(*) from {schema}.mt_events");
        Console.WriteLine($"pages_large_events={events} pages_seed_s={seed.Elapsed.TotalSeconds:0.0} pages_chain_catch_up_s={chain.Elapsed.TotalSeconds:0.0}");

        await Time("large_health", "/health");
        await Time("large_dashboard", $"/programmes/{benchProgramme}");
        await Time("large_demo_dashboard", $"/programmes/{demoProgramme}");
        await Time("large_audit", "/audit", "id=\"chain\"");
        var pages = Regex.Match(await browser.GetStringAsync("/audit"), "Page 1 of ([0-9]+)").Groups[1].Value;
        await Time("large_audit_last", $"/audit?page={pages}", "id=\"chain\"");
        await Time("large_audit_month", "/audit?from=2020-06-01&to=2020-07-01", "id=\"chain\"");

        // Whole-chain verification on demand (the audit page's button, GET /api/audit/verification), once.
        using var api = await ApiCalls.SignedIn(app, Auditor, password, TimeSpan.FromMinutes(10));
        var verify = Stopwatch.StartNew();
        var verification = await ApiCalls.Json(api, "/api/audit/verification");
        verify.Stop();
        Console.WriteLine($"large_verify_full_s={verify.Elapsed.TotalSeconds:0.00} large_verify_valid={verification["valid"]} " +
                          $"large_verify_events={verification["checkedEvents"]}");

        var ratio = (string page) => figures.Single(f => f.Name == $"large_{page}_p50_ms").Value / Math.Max(figures.Single(f => f.Name == $"small_{page}_p50_ms").Value, 0.001);
        Console.WriteLine($"pages_dashboard_ratio={ratio("dashboard"):0.0} pages_audit_ratio={ratio("audit"):0.0} pages_app_peak_rss_mb={DisbursementBenchmark.PeakRssMegabytes(appPid):0}");
    }

    /// <summary>A client that holds the sign-in cookie, as a browser does: GET the form, POST it with its antiforgery token.</summary>
    private static async Task<HttpClient> SignedInBrowser(Uri app, string email, string password)
    {
        var http = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = app, Timeout = TimeSpan.FromMinutes(5),
        };
        var form = await http.GetStringAsync("/signin");
        var token = Regex.Match(form, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        using var response = await http.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Email"] = email, ["Password"] = password,
        }));
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"signing in as {email} answered {(int)response.StatusCode}");
        }

        return http;
    }

    private sealed record Timing(double P50, double P99, long Bytes, int Errors);

    /// <summary>Two views to warm up, then <paramref name="views"/> timed one after another; a view that does not answer 200 (with the text
    /// given) is counted as an error and left out of the timings.</summary>
    private static async Task<Timing> Views(HttpClient http, string path, int views, string? mustContain)
    {
        var latencies = new List<double>();
        long bytes = 0;
        var errors = 0;
        for (var i = -2; i < views; i++)
        {
            var watch = Stopwatch.StartNew();
            using var response = await http.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            watch.Stop();
            if (response.StatusCode != HttpStatusCode.OK || (mustContain is not null && !body.Contains(mustContain, StringComparison.Ordinal)))
            {
                // Counted and shown, not fatal: one failed view must not end the full bench run.
                errors++;
                Console.Error.WriteLine($"GET {path} answered {(int)response.StatusCode}: {body[..Math.Min(body.Length, 400)]}");
                continue;
            }

            bytes = body.Length;
            if (i >= 0)
            {
                latencies.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        latencies.Sort();
        return latencies.Count == 0
            ? new Timing(double.NaN, double.NaN, bytes, errors)
            : new Timing(latencies[(int)(latencies.Count * 0.50)], latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(latencies.Count * 0.99) - 1)], bytes, errors);
    }

    /// <summary>Waits until every event is chained and a signed checkpoint is as close to the head as the app keeps it (fewer than
    /// <c>CheckpointEveryEvents</c>, 1,000 by default, behind).</summary>
    private static async Task ChainCaughtUp(NpgsqlDataSource dataSource, string schema, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            await using var command = dataSource.CreateCommand(
                $"select (select max(seq_id) from {schema}.mt_events), (select max(seq_id) from {schema}.audit_chain), (select max(seq_id) from {schema}.audit_checkpoints)");
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            long? At(int i) => reader.IsDBNull(i) ? null : reader.GetInt64(i);
            if (At(0) is { } head && At(1) == head && At(2) is { } signed && head - signed < 1_000)
            {
                return;
            }

            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"the audit chain did not catch up in {timeout}: events to {At(0)}, chained to {At(1)}, signed to {At(2)}");
            }

            await Task.Delay(500);
        }
    }

    private static async Task<long> Scalar(NpgsqlDataSource dataSource, string sql) =>
        (long)(await dataSource.CreateCommand(sql).ExecuteScalarAsync())!;
}
