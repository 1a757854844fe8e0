using System.Globalization;
using System.Net.Http.Headers;
using GrantLedger.Domain;
using GrantLedger.Domain.Grants;
using JasperFx;
using Npgsql;
using NodaTime;

namespace GrantLedger.Benchmarks;

/// <summary>
/// <c>scripts/bench.sh --quick</c>: only the HTTP figures, in under two minutes, one <c>name=value</c> per figure, so a
/// change can be checked quickly. The same cells as the full run (raw INSERT, <c>/health</c>, a grant read, the
/// disbursement and its conventional SQL peer at 1, 4 and 16 clients), shorter, and the long-history case: 16 clients
/// paying into grants that already hold 10,000 payments against the same into grants that hold 10.
/// </summary>
public static class QuickBenchmark
{
    private const int LongHistory = 10_000;
    private const int ShortHistory = 10;
    private const int Clients = 16;

    public static async Task Run(string connection, string schema, Uri app, int appPid, string password)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var cell = TimeSpan.FromSeconds(double.Parse(Environment.GetEnvironmentVariable("GRANTLEDGER_BENCH_SECONDS") ?? "4", CultureInfo.InvariantCulture));
        await using var dataSource = NpgsqlDataSource.Create(connection);
        await dataSource.CreateCommand("drop table if exists bench_raw_insert; create table bench_raw_insert " +
            "(id uuid primary key, stream_id uuid not null, type text not null, data jsonb not null, recorded timestamptz not null default now())").ExecuteNonQueryAsync();
        var peer = new ConventionalPeer(dataSource, "bench_peer");
        await peer.Create();
        var payload = DisbursementBenchmark.Payload();

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = app };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await ApiCalls.Token(http, "finance@ecaro.example", password));
        var programme = await DisbursementBenchmark.Programme(http, "QUICK");
        var organisation = await ApiCalls.Organisation(http, password, "Quick grantee " + Guid.NewGuid().ToString("N")[..6]);
        var warm = await DisbursementBenchmark.Award(http, programme, organisation);
        var warmPeer = await peer.Grant();
        await DisbursementBenchmark.Measure(1, TimeSpan.FromSeconds(2), _ => DisbursementBenchmark.RawInsert(dataSource, payload));
        // Every kind of request warmed before the first (1-client) cell, so that its latency is not the JIT's first
        // tiers or the app's start-up work.
        await DisbursementBenchmark.Measure(4, TimeSpan.FromSeconds(4), _ => DisbursementBenchmark.Disburse(http, warm));
        await DisbursementBenchmark.Measure(4, TimeSpan.FromSeconds(1), _ => DisbursementBenchmark.Get(http, "/health"));
        await DisbursementBenchmark.Measure(4, TimeSpan.FromSeconds(2), _ => DisbursementBenchmark.Get(http, $"/api/grants/{warm}"));
        await DisbursementBenchmark.Measure(4, TimeSpan.FromSeconds(1), _ => peer.Disburse(warmPeer));

        var figures = new Dictionary<string, double>();
        foreach (var clients in new[] { 1, 4, Clients })
        {
            var grants = new Guid[clients];
            var peerGrants = new Guid[clients];
            for (var i = 0; i < clients; i++)
            {
                grants[i] = await DisbursementBenchmark.Award(http, programme, organisation);
                peerGrants[i] = await peer.Grant();
            }

            var raw = await DisbursementBenchmark.Measure(clients, cell, _ => DisbursementBenchmark.RawInsert(dataSource, payload));
            var health = await DisbursementBenchmark.Measure(clients, cell / 2, _ => DisbursementBenchmark.Get(http, "/health"));
            var read = await DisbursementBenchmark.Measure(clients, cell / 2, client => DisbursementBenchmark.Get(http, $"/api/grants/{grants[client]}"));
            var command = await DisbursementBenchmark.Measure(clients, cell, client => DisbursementBenchmark.Disburse(http, grants[client]));
            var conventional = await DisbursementBenchmark.Measure(clients, cell, client => peer.Disburse(peerGrants[client]));
            figures[$"c{clients}_raw_per_s"] = raw.PerSecond;
            figures[$"c{clients}_health_per_s"] = health.PerSecond;
            figures[$"c{clients}_read_per_s"] = read.PerSecond;
            figures[$"c{clients}_http_per_s"] = command.PerSecond;
            figures[$"c{clients}_http_p50_ms"] = command.P50;
            figures[$"c{clients}_http_p99_ms"] = command.P99;
            figures[$"c{clients}_http_errors"] = command.Errors;
            figures[$"c{clients}_peer_per_s"] = conventional.PerSecond;
            figures[$"c{clients}_peer_p99_ms"] = conventional.P99;
        }

        // History length: the same load into grants holding 10 payments and into grants holding 10,000.
        var (shortGrants, longGrants) = (new Guid[Clients], new Guid[Clients]);
        for (var i = 0; i < Clients; i++)
        {
            shortGrants[i] = await DisbursementBenchmark.Award(http, programme, organisation);
            longGrants[i] = await DisbursementBenchmark.Award(http, programme, organisation);
        }

        await Seed(connection, schema, programme, shortGrants, ShortHistory);
        await Seed(connection, schema, programme, longGrants, LongHistory);
        // One payment into each first, as into any grant that has paid before: the snapshot settles the seeded history
        // (recorded over past years, ADR 0018) on its first payment event, then the cells measure the steady state.
        await DisbursementBenchmark.Measure(Clients, TimeSpan.FromSeconds(1), client => DisbursementBenchmark.Disburse(http, shortGrants[client]));
        await DisbursementBenchmark.Measure(Clients, TimeSpan.FromSeconds(1), client => DisbursementBenchmark.Disburse(http, longGrants[client]));
        var shortLoad = await DisbursementBenchmark.Measure(Clients, cell, client => DisbursementBenchmark.Disburse(http, shortGrants[client]));
        var longLoad = await DisbursementBenchmark.Measure(Clients, cell, client => DisbursementBenchmark.Disburse(http, longGrants[client]));
        figures["long_history_per_s"] = longLoad.PerSecond;
        figures["long_history_p99_ms"] = longLoad.P99;
        figures["short_history_per_s"] = shortLoad.PerSecond;

        figures["ratio_read"] = figures["c16_http_per_s"] / figures["c16_read_per_s"];
        figures["ratio_raw"] = figures["c16_http_per_s"] / figures["c16_raw_per_s"];
        figures["ratio_peer"] = figures["c16_http_per_s"] / figures["c16_peer_per_s"];
        figures["long_history_ratio"] = shortLoad.PerSecond / Math.Max(longLoad.PerSecond, 0.001); // ≤ 1.2 is the target
        figures["rss_mb"] = DisbursementBenchmark.PeakRssMegabytes(appPid);
        Console.WriteLine(string.Join(' ', figures.Select(f => $"{f.Key}={Format(f.Key, f.Value)}")));

        await peer.Drop();
        await dataSource.CreateCommand("drop table bench_raw_insert").ExecuteNonQueryAsync();
    }

    private static string Format(string name, double value) =>
        name.Contains("ratio", StringComparison.Ordinal) ? value.ToString("0.00", CultureInfo.InvariantCulture)
        : name.EndsWith("_ms", StringComparison.Ordinal) ? value.ToString("0.00", CultureInfo.InvariantCulture)
        : value.ToString("0", CultureInfo.InvariantCulture);

    /// <summary>
    /// Brings each grant to <paramref name="payments"/> payments of 1.00 EUR by appending them as events through a
    /// store shaped as the app's (its inline snapshots follow), far faster than the same through HTTP. A long history
    /// is long in time too: the payments are recorded evenly over the nine years that ended a year ago.
    /// </summary>
    private static async Task Seed(string connection, string schema, Guid programme, Guid[] grants, int payments)
    {
        using var store = HistoryBenchmark.Store(connection, schema, TimeProvider.System, withProjections: true, AutoCreate.None);
        var eur = new Money(1.00m, "EUR");
        // "Now" is the database's, the clock the app under measurement records against; no clock of the driver's own.
        await using var clock = new NpgsqlConnection(connection);
        await clock.OpenAsync();
        await using var read = new NpgsqlCommand("select now()", clock);
        var end = Instant.FromDateTimeUtc((DateTime)(await read.ExecuteScalarAsync())!) - Duration.FromDays(366);
        var step = Duration.FromDays(9 * 365) / payments;
        foreach (var grant in grants)
        {
            for (var done = 0; done < payments; done += 2_000)
            {
                await using var session = store.LightweightSession();
                session.Events.Append(grant, Enumerable.Range(done, Math.Min(2_000, payments - done))
                    .Select(p => (object)new DisbursementRecorded(grant, programme, Guid.NewGuid(), eur, new LocalDate(2020, 5, 4), $"SEED-{p}", null,
                        RecordedAt: end - step * (payments - p)))
                    .ToArray());
                await session.SaveChangesAsync();
            }
        }
    }
}
