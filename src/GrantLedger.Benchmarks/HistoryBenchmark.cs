using System.Diagnostics;
using System.Globalization;
using GrantLedger.Api.Audit;
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
using Microsoft.Extensions.Options;
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

    /// <summary>
    /// The whole section, as scripts/bench.sh runs it (<c>history CONNECTION</c>). <c>--reuse</c> keeps the seeded schema
    /// afterwards and, when it already holds the million events, skips seeding and rebuilding, to measure the report and
    /// the reconciliation again in under a minute; <c>--schema NAME</c> names the schema (default <c>bench_history</c>).
    /// </summary>
    public static async Task Run(string connection, string[] options)
    {
        var reuse = options.Contains("--reuse");
        var schema = options.SkipWhile(o => o != "--schema").Skip(1).FirstOrDefault() ?? Schema;
        var recordedAt = new SteppedTime(Start.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant());
        await using var dataSource = NpgsqlDataSource.Create(connection);
        var seeded = reuse && await Seeded(dataSource, schema);
        var output = new List<string>();
        string S(TimeSpan t) => t.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
        string X(TimeSpan t, TimeSpan baseline) => (t / baseline).ToString("0.0", CultureInfo.InvariantCulture) + "x";
        string PerSecond(double n, TimeSpan t) => (n / t.TotalSeconds).ToString("0", CultureInfo.InvariantCulture);

        Guid programmeId;
        TimeSpan readAll;
        using var store = Store(connection, schema, recordedAt, withProjections: true, AutoCreate.All);
        if (seeded)
        {
            await using var query = store.QuerySession();
            programmeId = (await query.Events.QueryRawEventDataOnly<ProgrammeOpened>().ToListAsync()).Single().ProgrammeId;
            readAll = await TimeRawRead(dataSource, $"select seq_id, stream_id, type, data::text from {schema}.mt_events order by seq_id");
            Console.WriteLine($"reused={schema} read_all_s={S(readAll)}");
        }
        else
        {
            var seedStore = Store(connection, schema, recordedAt, withProjections: false, AutoCreate.All);
            await seedStore.Advanced.Clean.CompletelyRemoveAllAsync();
            var seed = Stopwatch.StartNew();
            programmeId = await Seed(seedStore, recordedAt);
            seed.Stop();
            seedStore.Dispose();
            var seededEvents = await Scalar(dataSource, $"select count(*) from {schema}.mt_events");

            // (c) Rebuild every inline snapshot from the events alone, against reading every event row with Npgsql.
            readAll = await TimeRawRead(dataSource, $"select seq_id, stream_id, type, data::text from {schema}.mt_events order by seq_id");
            var rebuild = Stopwatch.StartNew();
            using (var daemon = await store.BuildProjectionDaemonAsync())
            {
                await daemon.RebuildProjectionAsync<ProgrammeProjection>(TimeSpan.FromMinutes(20), CancellationToken.None);
                await daemon.RebuildProjectionAsync<GrantProjection>(TimeSpan.FromMinutes(20), CancellationToken.None);
            }

            rebuild.Stop();
            await CheckRebuilt(store, programmeId);
            Console.WriteLine($"events={seededEvents} grants={Grants} seed_s={S(seed.Elapsed)} seed_events_per_s={PerSecond(seededEvents, seed.Elapsed)}");
            Console.WriteLine($"read_all_s={S(readAll)} read_all_events_per_s={PerSecond(seededEvents, readAll)}");
            Console.WriteLine($"rebuild_s={S(rebuild.Elapsed)} rebuild_events_per_s={PerSecond(seededEvents, rebuild.Elapsed)} rebuild_vs_read={X(rebuild.Elapsed, readAll)}");
        }

        var events = await Scalar(dataSource, $"select count(*) from {schema}.mt_events");
        // The payments' documents (ADR 0018), which the reconciliation compares with the events: rebuilt on their own,
        // after the snapshots, and timed apart from them.
        if (await dataSource.CreateCommand($"select to_regclass('{schema}.mt_doc_grantpayment') is null").ExecuteScalarAsync() is true
            || await Scalar(dataSource, $"select count(*) from {schema}.mt_doc_grantpayment") != (long)Grants * PaymentsPerGrant)
        {
            var payments = Stopwatch.StartNew();
            using (var daemon = await store.BuildProjectionDaemonAsync())
            {
                await daemon.RebuildProjectionAsync<GrantPaymentProjection>(TimeSpan.FromMinutes(20), CancellationToken.None);
            }

            payments.Stop();
            Console.WriteLine($"rebuild_payments_s={S(payments.Elapsed)} rebuild_payments_events_per_s={PerSecond(events, payments.Elapsed)}");
        }

        // (d) The programme financial report as of the middle of the window, through the app's own report pipeline.
        var asOf = Start.PlusDays(Period.Between(Start, End, PeriodUnits.Days).Days / 2).AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();
        var readAsOf = await TimeRawRead(dataSource,
            $"select seq_id, stream_id, type, data::text from {schema}.mt_events where timestamp <= '{asOf:uuuu-MM-ddTHH:mm:ss}Z' order by seq_id");
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
        var asOfEvents = history.Count;
        history = [];

        Console.WriteLine($"as_of={asOf} as_of_events={asOfEvents} read_as_of_s={S(readAsOf)}");
        Console.WriteLine($"load_s={S(load.Elapsed)} load_vs_read={X(load.Elapsed, readAsOf)}");
        Console.WriteLine($"fold_and_model_s={S(fold.Elapsed)}");
        Console.WriteLine($"render_s={S(render.Elapsed)} pages={built.Pages} pages_per_s={(built.Pages / render.Elapsed.TotalSeconds).ToString("0.0", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"report_total_s={S(total)} total_vs_read={X(total, readAsOf)} pdf_bytes={built.Pdf.Length}");

        // (e) The same report from the report checkpoints (written first, as the app's writer does in the background):
        // the nearest checkpoint at or before the instant, and the events after it. Checked: the same figures' hash,
        // position and PDF bytes as the report from every event.
        var checkpoints = new ReportCheckpoints(store, dataSource, Options.Create(new ReportCheckpointOptions { WriteIntervalSeconds = 0 }));
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await dataSource.CreateCommand($"truncate {schema}.{ReportCheckpoints.TableName}").ExecuteNonQueryAsync();
        var write = Stopwatch.StartNew();
        var written = await checkpoints.WriteDueAsync(await Scalar(dataSource, $"select max(seq_id) from {schema}.mt_events"), CancellationToken.None);
        write.Stop();
        var stored = await Scalar(dataSource, $"select pg_total_relation_size('{schema}.{ReportCheckpoints.TableName}')");
        var checkpointed = await CheckpointedReport(store, checkpoints, scope);
        if (checkpointed.Hash != hash || checkpointed.Position != position || !checkpointed.Pdf.SequenceEqual(built.Pdf))
        {
            throw new InvalidOperationException($"the report from checkpoints differs: {checkpointed.Hash} at {checkpointed.Position}, not {hash} at {position}");
        }

        var end = End.PlusDays(1).AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();
        var atEnd = await CheckpointedReport(store, checkpoints, scope with { AsOf = end });
        Console.WriteLine($"checkpoints={written} checkpoint_every={new ReportCheckpointOptions().EveryEvents} checkpoints_write_s={S(write.Elapsed)} " +
            $"checkpoints_mb={(stored / 1e6).ToString("0.0", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"cp_checkpoint_seq={checkpointed.Resumed.Checkpoint} cp_events_after={checkpointed.Resumed.EventsAfter} " +
            $"cp_state_s={S(checkpointed.State)} cp_model_s={S(checkpointed.Model)} cp_render_s={S(checkpointed.Render)}");
        Console.WriteLine($"cp_report_total_s={S(checkpointed.Total)} cp_total_vs_read={X(checkpointed.Total, readAsOf)} cp_speedup={(total / checkpointed.Total).ToString("0.0", CultureInfo.InvariantCulture)}x cp_same_pdf=true");
        Console.WriteLine($"cp_end_as_of={end} cp_end_events_after={atEnd.Resumed.EventsAfter} cp_end_report_total_s={S(atEnd.Total)}");

        // (f) The auditor's reconciliation (GET /api/admin/reconciliation) over the whole history: time, allocations and
        // the managed heap and working set it grows to (sampled), from a collected heap.
        var reconciliation = await Measure(() => ReconciliationEndpoint.Get(dataSource, store, CancellationToken.None));
        if (!reconciliation.Result.Reconciled || reconciliation.Result.EventsReplayed != events)
        {
            throw new InvalidOperationException($"reconciliation: {reconciliation.Result.Findings.Count} finding(s), {reconciliation.Result.EventsReplayed} events replayed");
        }

        Console.WriteLine($"reconcile_s={S(reconciliation.Elapsed)} reconcile_events={reconciliation.Result.EventsReplayed} " +
            $"reconcile_events_per_s={PerSecond(reconciliation.Result.EventsReplayed, reconciliation.Elapsed)} reconcile_vs_read={X(reconciliation.Elapsed, readAll)}");
        Console.WriteLine($"reconcile_allocated_mb={reconciliation.AllocatedMb} reconcile_peak_heap_mb={reconciliation.PeakHeapMb} " +
            $"reconcile_peak_ws_growth_mb={reconciliation.PeakWorkingSetGrowthMb}");
        if (!reuse)
        {
            await store.Advanced.Clean.CompletelyRemoveAllAsync();
        }
    }

    /// <summary>Whether the schema already holds the seeded million events (and their rebuilt snapshots).</summary>
    private static async Task<bool> Seeded(NpgsqlDataSource dataSource, string schema)
    {
        if (await dataSource.CreateCommand($"select to_regclass('{schema}.mt_events') is not null and to_regclass('{schema}.mt_doc_grant') is not null")
                .ExecuteScalarAsync() is not true)
        {
            return false;
        }

        return await Scalar(dataSource, $"select count(*) from {schema}.mt_events") == 1 + Grants * (2L + PaymentsPerGrant)
            && await Scalar(dataSource, $"select count(*) from {schema}.mt_doc_grant") == Grants;
    }

    private sealed record Checkpointed(string Hash, long Position, byte[] Pdf, ResumedState Resumed, TimeSpan State, TimeSpan Model, TimeSpan Render)
    {
        public TimeSpan Total => State + Model + Render;
    }

    /// <summary>The report through the checkpoint path of <see cref="ReportBuilder.ModelAsOf"/>, timed by stage.</summary>
    private static async Task<Checkpointed> CheckpointedReport(DocumentStore store, ReportCheckpoints checkpoints, ReportScope scope)
    {
        var state = Stopwatch.StartNew();
        ResumedState resumed;
        await using (var query = store.QuerySession())
        {
            resumed = await checkpoints.StateAsOfAsync(query, scope.AsOf, CancellationToken.None)
                ?? throw new InvalidOperationException($"no report checkpoint is usable as of {scope.AsOf}");
        }

        state.Stop();
        var modelling = Stopwatch.StartNew();
        var (model, hash, position) = ReportBuilder.Model(scope, resumed.State);
        modelling.Stop();
        var render = Stopwatch.StartNew();
        var built = ReportBuilder.Render(model, hash, position);
        render.Stop();
        return new Checkpointed(hash, position, built.Pdf, resumed, state.Elapsed, modelling.Elapsed, render.Elapsed);
    }

    private sealed record Measured<T>(T Result, TimeSpan Elapsed, string AllocatedMb, string PeakHeapMb, string PeakWorkingSetGrowthMb);

    /// <summary>Runs the work from a collected heap, sampling the managed heap and the working set every 20 ms.</summary>
    private static async Task<Measured<T>> Measure<T>(Func<Task<T>> work)
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var (heapBefore, workingSetBefore, allocatedBefore) = (GC.GetTotalMemory(false), process.WorkingSet64, GC.GetTotalAllocatedBytes(precise: true));
        var (peakHeap, peakWorkingSet) = (heapBefore, workingSetBefore);
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(false));
                peakWorkingSet = Math.Max(peakWorkingSet, process.WorkingSet64);
                await Task.Delay(20, CancellationToken.None);
            }
        });
        var watch = Stopwatch.StartNew();
        var result = await work();
        watch.Stop();
        await sampling.CancelAsync();
        await sampler;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        string Mb(long bytes) => (bytes / 1e6).ToString("0", CultureInfo.InvariantCulture);
        return new Measured<T>(result, watch.Elapsed, Mb(allocated), Mb(peakHeap), Mb(peakWorkingSet - workingSetBefore));
    }

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
        // The app's report checkpoints (Reports/ReportCheckpoints.cs), in the same table.
        o.Storage.ExtendedSchemaObjects.Add(ReportCheckpoints.Table(schema));
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
