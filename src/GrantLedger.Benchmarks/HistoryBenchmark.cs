using System.Diagnostics;
using System.Globalization;
using GrantLedger.Api.Configuration;
using GrantLedger.Api.Grants;
using GrantLedger.Api.Programmes;
using GrantLedger.Api.Reports;
using GrantLedger.Domain;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using GrantLedger.Reports.Models;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using NodaTime;
using Npgsql;
using Weasel.Core;

namespace GrantLedger.Benchmarks;

/// <summary>
/// One programme with 10,000 grants and a million events spread over the 18-month window: (c) rebuilding the inline
/// snapshots from scratch, and (d) the programme report as of a past instant over that history. Each stage is measured
/// against a baseline taken in the same run (reading the same rows with plain Npgsql), and reported as a ratio.
/// </summary>
public static class HistoryBenchmark
{
    private const string Schema = "bench_history";
    internal const int Grants = 10_000;
    private const int PaymentsPerGrant = 98; // 1 programme + 10,000 x (commitment + award + 98 payments) = 1,000,001 events
    private const int GrantsPerTransaction = 100;
    internal static readonly LocalDate Start = new(2020, 4, 1);
    private static readonly LocalDate End = new(2021, 9, 30);

    public static async Task Run(string connection)
    {
        var recordedAt = new SteppedTime(Start.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant());
        var seedStore = Store(connection, recordedAt, withProjections: false);
        await seedStore.Advanced.Clean.CompletelyRemoveAllAsync();

        var seed = Stopwatch.StartNew();
        var programmeId = await Seed(seedStore, recordedAt);
        seed.Stop();
        seedStore.Dispose();

        await using var dataSource = NpgsqlDataSource.Create(connection);
        var events = await Scalar(dataSource, $"select count(*) from {Schema}.mt_events");

        // (c) Rebuild every inline snapshot from the events alone, against reading every event row with Npgsql.
        var readAll = await TimeRawRead(dataSource, $"select seq_id, stream_id, type, data::text from {Schema}.mt_events order by seq_id");
        using var store = Store(connection, recordedAt, withProjections: true);
        var rebuild = Stopwatch.StartNew();
        using (var daemon = await store.BuildProjectionDaemonAsync())
        {
            await daemon.RebuildProjectionAsync<ProgrammeProjection>(TimeSpan.FromMinutes(20), CancellationToken.None);
            await daemon.RebuildProjectionAsync<GrantProjection>(TimeSpan.FromMinutes(20), CancellationToken.None);
        }

        rebuild.Stop();
        await CheckRebuilt(store, programmeId);

        // (d) The programme financial report as of the middle of the window, through the app's own report pipeline.
        var asOf = Start.PlusDays(Period.Between(Start, End, PeriodUnits.Days).Days / 2).AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();
        var readAsOf = await TimeRawRead(dataSource,
            $"select seq_id, stream_id, type, data::text from {Schema}.mt_events where timestamp <= '{asOf:uuuu-MM-ddTHH:mm:ss}Z' order by seq_id");
        var scope = new ReportScope(ReportKind.ProgrammeFinancial, programmeId, null, null, null, asOf);
        var load = Stopwatch.StartNew();
        IReadOnlyList<IEvent> history;
        await using (var query = store.QuerySession())
        {
            history = await ReportBuilder.EventsAsOf(query, asOf, CancellationToken.None);
        }

        load.Stop();
        var fold = Stopwatch.StartNew();
        var (model, hash, position) = ReportBuilder.Model(scope, history);
        fold.Stop();
        var render = Stopwatch.StartNew();
        var built = ReportBuilder.Render(model, hash, position);
        render.Stop();
        var total = load.Elapsed + fold.Elapsed + render.Elapsed;

        string S(TimeSpan t) => t.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
        string X(TimeSpan t, TimeSpan baseline) => (t / baseline).ToString("0.0", CultureInfo.InvariantCulture) + "x";
        string PerSecond(double n, TimeSpan t) => (n / t.TotalSeconds).ToString("0", CultureInfo.InvariantCulture);
        Console.WriteLine($"events={events} grants={Grants} seed_s={S(seed.Elapsed)} seed_events_per_s={PerSecond(events, seed.Elapsed)}");
        Console.WriteLine($"read_all_s={S(readAll)} read_all_events_per_s={PerSecond(events, readAll)}");
        Console.WriteLine($"rebuild_s={S(rebuild.Elapsed)} rebuild_events_per_s={PerSecond(events, rebuild.Elapsed)} rebuild_vs_read={X(rebuild.Elapsed, readAll)}");
        Console.WriteLine($"as_of={asOf} as_of_events={history.Count} read_as_of_s={S(readAsOf)}");
        Console.WriteLine($"load_s={S(load.Elapsed)} load_vs_read={X(load.Elapsed, readAsOf)}");
        Console.WriteLine($"fold_and_model_s={S(fold.Elapsed)}");
        Console.WriteLine($"render_s={S(render.Elapsed)} pages={built.Pages} pages_per_s={(built.Pages / render.Elapsed.TotalSeconds).ToString("0.0", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"report_total_s={S(total)} total_vs_read={X(total, readAsOf)} pdf_bytes={built.Pdf.Length}");
        await store.Advanced.Clean.CompletelyRemoveAllAsync();
    }

    private static DocumentStore Store(string connection, SteppedTime recordedAt, bool withProjections) =>
        Store(connection, Schema, recordedAt, withProjections, AutoCreate.All);

    /// <summary>A store shaped as the app's (event names, JSON, inline snapshots when asked) on a schema.
    /// <paramref name="autoCreate"/> None for a schema the app owns (db-apply made it).</summary>
    internal static DocumentStore Store(string connection, string schema, TimeProvider recordedAt, bool withProjections, AutoCreate autoCreate) =>
        DocumentStore.For(o =>
    {
        o.Connection(connection);
        o.DatabaseSchemaName = schema;
        o.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase, j => j.ConfigureGrantLedger());
        o.Events.AppendMode = EventAppendMode.QuickWithServerTimestamps;
        // The same event metadata columns as the app (MartenConfiguration), so the append function is the same.
        o.Events.MetadataConfig.HeadersEnabled = true;
        o.Events.MetadataConfig.CorrelationIdEnabled = true;
        o.Events.MetadataConfig.CausationIdEnabled = true;
        o.Events.MetadataConfig.UserNameEnabled = true;
        o.Events.TimeProvider = recordedAt;
        o.AutoCreateSchemaObjects = autoCreate;
        if (withProjections)
        {
            o.AddProgrammes().AddGrants();
        }
    });

    /// <summary>Events only (no snapshots: the rebuild makes them), recorded time stepping through the window batch by batch.</summary>
    internal static async Task<Guid> Seed(DocumentStore store, SteppedTime recordedAt)
    {
        var eur = (decimal a) => new Money(a, "EUR");
        var programmeId = Guid.NewGuid();
        await using (var session = store.LightweightSession())
        {
            session.Events.StartStream(programmeId, new ProgrammeOpened(programmeId, "BENCH-1", "Benchmark programme", "EUR",
                eur(Grants * 100_000m), Start, End, "Asia/Bishkek"));
            await session.SaveChangesAsync();
        }

        var windowDays = Period.Between(Start, End, PeriodUnits.Days).Days;
        const int batches = Grants / GrantsPerTransaction;
        for (var batch = 0; batch < batches; batch++)
        {
            var day = Start.PlusDays(batch * windowDays / batches);
            recordedAt.Now = day.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();
            await using var session = store.LightweightSession();
            for (var i = batch * GrantsPerTransaction; i < (batch + 1) * GrantsPerTransaction; i++)
            {
                var grantId = Guid.NewGuid();
                var grantee = $"Grantee {i:00000}";
                session.Events.Append(programmeId, new GrantCommitted(programmeId, grantId, grantee, eur(100_000m)));
                var stream = new List<object>
                {
                    new GrantAwarded(grantId, programmeId, grantee, ["KG"], "Benchmark grant", eur(100_000m), Start, End, "Asia/Bishkek"),
                };
                stream.AddRange(Enumerable.Range(0, PaymentsPerGrant).Select(p => (object)new DisbursementRecorded(grantId, programmeId,
                    Guid.NewGuid(), eur(1_000m), day, $"B-{i}-{p}", null)));
                session.Events.StartStream(grantId, stream.ToArray());
            }

            await session.SaveChangesAsync();
        }

        return programmeId;
    }

    /// <summary>The rebuild must have produced the ledger the events say: every grant, every payment, every commitment.</summary>
    private static async Task CheckRebuilt(DocumentStore store, Guid programmeId)
    {
        await using var query = store.QuerySession();
        var programme = await query.LoadAsync<Programme>(programmeId) ?? throw new InvalidOperationException("programme snapshot missing");
        var grants = await query.Query<Grant>().CountAsync();
        var paid = (await query.Query<Grant>().ToListAsync()).Sum(g => g.PaymentCount);
        if (grants != Grants || paid != Grants * PaymentsPerGrant || programme.Committed.Amount != Grants * 100_000m)
        {
            throw new InvalidOperationException($"rebuild is wrong: {grants} grants, {paid} payments, {programme.Committed} committed");
        }
    }

    private static async Task<long> Scalar(NpgsqlDataSource dataSource, string sql) =>
        (long)(await dataSource.CreateCommand(sql).ExecuteScalarAsync())!;

    private static async Task<TimeSpan> TimeRawRead(NpgsqlDataSource dataSource, string sql)
    {
        var watch = Stopwatch.StartNew();
        await using var command = dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        long chars = 0;
        while (await reader.ReadAsync())
        {
            chars += reader.GetString(3).Length;
        }

        return watch.Elapsed;
    }

    /// <summary>Recorded time for the seed: Marten stamps events with this provider's now, which the seeder steps through the window.</summary>
    internal sealed class SteppedTime(Instant start) : TimeProvider
    {
        public Instant Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now.ToDateTimeOffset();
    }
}
