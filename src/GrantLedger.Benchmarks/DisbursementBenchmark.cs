using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace GrantLedger.Benchmarks;

/// <summary>
/// The disbursement command end to end over HTTP (bearer auth, validation, idempotency record, append, inline
/// snapshots) against a baseline measured in the same run: a single-row INSERT of a comparable row (a JSON document
/// the size of a disbursement event) through plain Npgsql, one transaction per row. Both at 1, 4 and 16 concurrent
/// clients, each for the same fixed time; each client pays into its own grants, so no request waits on another's
/// stream version.
/// </summary>
public static class DisbursementBenchmark
{
    private static readonly int[] Concurrency = [1, 4, 16];
    private const int GrantsPerClient = 10;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(double.Parse(Environment.GetEnvironmentVariable("GRANTLEDGER_BENCH_SECONDS") ?? "8", CultureInfo.InvariantCulture));

    public static async Task Run(string connection, Uri app, int appPid, string password)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        await using var dataSource = NpgsqlDataSource.Create(connection);
        await dataSource.CreateCommand("drop table if exists bench_raw_insert; create table bench_raw_insert " +
            "(id uuid primary key, stream_id uuid not null, type text not null, data jsonb not null, recorded timestamptz not null default now())").ExecuteNonQueryAsync();
        var payload = Payload();
        var peer = new ConventionalPeer(dataSource, "bench_peer");
        await peer.Create();

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = app };
        var token = await ApiCalls.Token(http, "finance@ecaro.example", password);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var programme = await Programme(http, "BENCH");
        var organisation = await ApiCalls.Organisation(http, password, "Benchmark grantee " + Guid.NewGuid().ToString("N")[..6]);

        // Warm up every path (JIT, connection pools, Wolverine's generated handlers) before anything is timed.
        await Measure(1, TimeSpan.FromSeconds(2), _ => RawInsert(dataSource, payload));
        var warmGrant = await Award(http, programme, organisation);
        await Measure(4, TimeSpan.FromSeconds(2), _ => Disburse(http, warmGrant));
        var warmPeer = await peer.Grant();
        await Measure(4, TimeSpan.FromSeconds(1), _ => peer.Disburse(warmPeer));

        foreach (var clients in Concurrency)
        {
            var raw = await Measure(clients, Duration, _ => RawInsert(dataSource, payload));
            // Each client pays round-robin into its own GrantsPerClient grants, so a stream holds tens of payments as
            // a real grant does, not thousands (the snapshot carries every payment and is rewritten on each).
            var grants = new Guid[clients][];
            for (var i = 0; i < clients; i++)
            {
                grants[i] = new Guid[GrantsPerClient];
                for (var j = 0; j < GrantsPerClient; j++)
                {
                    grants[i][j] = await Award(http, programme, organisation);
                }
            }

            // Two more floors over HTTP, to see where a command's time goes: /health (the HTTP pipeline and one
            // `select 1`) and reading a grant (bearer auth and one snapshot load).
            var health = await Measure(clients, Duration / 2, _ => Get(http, "/health"));
            var read = await Measure(clients, Duration / 2, client => Get(http, $"/api/grants/{grants[client][0]}"));
            var calls = new int[clients];
            var command = await Measure(clients, Duration, client => Disburse(http, grants[client][calls[client]++ % GrantsPerClient]));
            // The conventional peer: the same payment as one SQL transaction (lock, check, insert, update totals).
            var peerGrants = new Guid[clients];
            for (var i = 0; i < clients; i++)
            {
                peerGrants[i] = await peer.Grant();
            }

            var conventional = await Measure(clients, Duration, client => peer.Disburse(peerGrants[client]));
            Console.WriteLine($"c{clients}_peer_per_s={conventional.PerSecond:0} c{clients}_peer_p50_ms={conventional.P50:0.00} " +
                $"c{clients}_peer_p99_ms={conventional.P99:0.00} c{clients}_peer_errors={conventional.Errors} " +
                $"c{clients}_vs_peer={command.PerSecond / conventional.PerSecond:0.00}x");
            Console.WriteLine(
                $"c{clients}_raw_per_s={raw.PerSecond:0} c{clients}_raw_p50_ms={raw.P50:0.00} c{clients}_raw_p99_ms={raw.P99:0.00} " +
                $"c{clients}_http_per_s={command.PerSecond:0} c{clients}_http_p50_ms={command.P50:0.00} c{clients}_http_p99_ms={command.P99:0.00} " +
                $"c{clients}_http_errors={command.Errors} c{clients}_ratio={command.PerSecond / raw.PerSecond:0.00}x " +
                $"c{clients}_health_per_s={health.PerSecond:0} c{clients}_health_p50_ms={health.P50:0.00} " +
                $"c{clients}_read_per_s={read.PerSecond:0} c{clients}_read_p50_ms={read.P50:0.00}");
        }

        Console.WriteLine($"app_peak_rss_mb={PeakRssMegabytes(appPid):0} seconds_per_cell={Duration.TotalSeconds:0}");
        await peer.Drop();
        await dataSource.CreateCommand("drop table bench_raw_insert").ExecuteNonQueryAsync();
    }

    /// <summary>The app's peak resident memory so far (VmHWM), in MB.</summary>
    internal static double PeakRssMegabytes(int pid)
    {
        var rss = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    /// <summary>A JSON document the size of a disbursement event: the raw INSERT baseline's row.</summary>
    internal static string Payload() => JsonSerializer.Serialize(new
    {
        grantId = Guid.NewGuid(), programmeId = Guid.NewGuid(), disbursementId = Guid.NewGuid(),
        amount = new { amount = 1.00m, currency = "EUR" }, valueDate = "2020-05-04", reference = "BENCH-000000", note = (string?)null,
    });

    /// <summary>A programme large enough for every benchmark grant, with a threshold no 1.00 EUR payment reaches.</summary>
    internal static Task<Guid> Programme(HttpClient http, string prefix) => ApiCalls.Created(http, "/api/programmes", new
    {
        code = prefix + "-" + Guid.NewGuid().ToString("N")[..6], name = "Benchmark programme", currency = "EUR", allocation = 900_000_000m,
        windowStart = "2020-01-01", windowEnd = "2030-12-31", timeZone = "Asia/Bishkek", approvalThreshold = 100_000_000m,
    });

    /// <summary>
    /// Only the command, at one concurrency, for as long as asked (what a profiler attaches to), with the CPU time the
    /// app process and every PostgreSQL process spent per disbursement meanwhile (from /proc, in clock ticks).
    /// </summary>
    public static async Task Load(Uri app, string password, int clients, TimeSpan duration, int appPid, string label)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = app };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await ApiCalls.Token(http, "finance@ecaro.example", password));
        var programme = await Programme(http, "LOAD");
        var organisation = await ApiCalls.Organisation(http, password, "Load grantee " + Guid.NewGuid().ToString("N")[..6]);
        var grants = new Guid[clients][];
        for (var i = 0; i < clients; i++)
        {
            grants[i] = new Guid[GrantsPerClient];
            for (var j = 0; j < GrantsPerClient; j++)
            {
                grants[i][j] = await Award(http, programme, organisation);
            }
        }

        await Measure(clients, TimeSpan.FromSeconds(2), client => Disburse(http, grants[client][0])); // warm up
        var calls = new int[clients];
        var (app0, postgres0) = (CpuTicks(appPid), PostgresCpuTicks());
        var result = await Measure(clients, duration, client => Disburse(http, grants[client][calls[client]++ % GrantsPerClient]));
        var (app1, postgres1) = (CpuTicks(appPid), PostgresCpuTicks());
        // Per PostgreSQL process: what each spent in the window (a process started meanwhile counts whole; one that
        // ended meanwhile is lost, so the figure leans low rather than going negative).
        var postgresTicks = postgres1.Sum(p => p.Value - postgres0.GetValueOrDefault(p.Key));
        var requests = result.PerSecond * duration.TotalSeconds;
        string PerRequest(long ticks) => (ticks * 1000.0 / TicksPerSecond / requests).ToString("0.00", CultureInfo.InvariantCulture);
        Console.WriteLine($"{label}_clients={clients} {label}_per_s={result.PerSecond:0} {label}_p50_ms={result.P50:0.00} {label}_p99_ms={result.P99:0.00} " +
            $"{label}_errors={result.Errors} {label}_app_cpu_ms={PerRequest(app1 - app0)} {label}_pg_cpu_ms={PerRequest(postgresTicks)}");
    }

    private const double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>User + system CPU of a process so far, in clock ticks (fields 14 and 15 of /proc/pid/stat).</summary>
    private static long CpuTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0; // the process ended meanwhile (a PostgreSQL backend)
        }
    }

    /// <summary>CPU ticks so far of every PostgreSQL process, by pid.</summary>
    private static Dictionary<int, long> PostgresCpuTicks() => Directory.EnumerateDirectories("/proc")
        .Select(directory => int.TryParse(Path.GetFileName(directory), out var pid) ? pid : 0)
        .Where(pid => pid > 0 && File.Exists($"/proc/{pid}/comm") && ReadOrEmpty($"/proc/{pid}/comm").Trim() == "postgres")
        .ToDictionary(pid => pid, CpuTicks);

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
    }

    internal sealed record Result(double PerSecond, double P50, double P99, long Errors);

    /// <summary>Runs <paramref name="clients"/> loops for the duration; each call returns whether it succeeded.</summary>
    internal static async Task<Result> Measure(int clients, TimeSpan duration, Func<int, Task<bool>> call)
    {
        var latencies = new List<double>[clients];
        var errors = 0L;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async client =>
        {
            var mine = latencies[client] = [];
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                var ok = await call(client);
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!ok)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }));
        var elapsed = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Result(all.Length / elapsed, Percentile(all, 0.50), Percentile(all, 0.99), errors);
    }

    internal static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(p * sorted.Length) - 1)];

    internal static async Task<bool> RawInsert(NpgsqlDataSource dataSource, string payload)
    {
        await using var command = dataSource.CreateCommand("insert into bench_raw_insert (id, stream_id, type, data) values ($1, $2, 'disbursement_recorded', $3::jsonb)");
        command.Parameters.AddWithValue(Guid.NewGuid());
        command.Parameters.AddWithValue(Guid.NewGuid());
        command.Parameters.AddWithValue(payload);
        return await command.ExecuteNonQueryAsync() == 1;
    }

    internal static async Task<bool> Disburse(HttpClient http, Guid grant)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/grants/{grant}/disbursements")
        {
            Content = JsonContent.Create(new { amount = 1.00m, valueDate = "2020-05-04", reference = "BENCH-" + Guid.NewGuid().ToString("N")[..8] }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var response = await http.SendAsync(request);
        return response.IsSuccessStatusCode;
    }

    internal static async Task<bool> Get(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        return response.IsSuccessStatusCode;
    }

    internal static Task<Guid> Award(HttpClient http, Guid programme, Guid organisation) => ApiCalls.Created(http, $"/api/programmes/{programme}/grants", new
    {
        organisationId = organisation, countries = new[] { "KG" }, title = "Benchmark grant", amount = 1_000_000m,
        windowStart = "2020-01-01", windowEnd = "2030-12-31",
    });
}
