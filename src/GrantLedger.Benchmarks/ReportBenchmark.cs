using System.Diagnostics;
using System.Globalization;
using GrantLedger.Domain;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using GrantLedger.Reports.Composition;
using GrantLedger.Reports.Models;
using JasperFx;
using JasperFx.Events;
using Marten;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;
using Npgsql;
using Weasel.Core;

namespace GrantLedger.Benchmarks;

public static class ReportBenchmark
{
    public static async Task Run(string connection)
    {
        // The programme report over 1,000 grants and ~100,000 events stored in PostgreSQL.
        // Each stage is timed in the same run as a baseline (reading the same rows with plain Npgsql), and reported as a ratio.
        const int grants = 1_000;
        const int paymentsPerGrant = 97; // 1 programme + 1,000 x (commitment + award + 97 payments) = 99,001 events
        var eur = (decimal a) => new Money(a, "EUR");

        using var store = DocumentStore.For(o =>
        {
            o.Connection(connection);
            o.DatabaseSchemaName = "bench_reports";
            o.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase, j => j.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb));
            o.Events.AppendMode = EventAppendMode.Quick;
            o.AutoCreateSchemaObjects = AutoCreate.All;
        });
        await store.Advanced.Clean.CompletelyRemoveAllAsync();

        var seed = Stopwatch.StartNew();
        var programmeId = Guid.NewGuid();
        await using (var session = store.LightweightSession())
        {
            session.Events.StartStream(programmeId, new ProgrammeOpened(programmeId, "BENCH-1", "Benchmark programme", "EUR", eur(grants * 100_000m),
                new LocalDate(2020, 4, 1), new LocalDate(2021, 9, 30), "Asia/Bishkek"));
            await session.SaveChangesAsync();
        }

        for (var batch = 0; batch < grants / 50; batch++)
        {
            await using var session = store.LightweightSession();
            for (var i = batch * 50; i < (batch + 1) * 50; i++)
            {
                var grantId = Guid.NewGuid();
                session.Events.Append(programmeId, new GrantCommitted(programmeId, grantId, $"Grantee {i:0000}", eur(100_000m)));
                var events = new List<object>
                {
                    new GrantAwarded(grantId, programmeId, $"Grantee {i:0000}", ["KG"], "Benchmark grant", eur(100_000m), new LocalDate(2020, 4, 1),
                        new LocalDate(2021, 9, 30), "Asia/Bishkek"),
                };
                events.AddRange(Enumerable.Range(0, paymentsPerGrant).Select(p => (object)new DisbursementRecorded(grantId, programmeId, Guid.NewGuid(),
                    eur(1_000m), new LocalDate(2020, 4, 1).PlusDays(p * 5), $"B-{i}-{p}", null)));
                session.Events.StartStream(grantId, events.ToArray());
            }

            await session.SaveChangesAsync();
        }

        seed.Stop();
        await using var dataSource = NpgsqlDataSource.Create(connection);
        var count = (long)(await dataSource.CreateCommand("select count(*) from bench_reports.mt_events").ExecuteScalarAsync())!;

        // Baseline: read every event row (the bytes a report needs) with plain Npgsql.
        var baseline = Stopwatch.StartNew();
        await using (var read = dataSource.CreateCommand("select seq_id, stream_id, type, data::text from bench_reports.mt_events order by seq_id"))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            long bytes = 0;
            while (await reader.ReadAsync())
            {
                bytes += reader.GetString(3).Length;
            }
        }

        baseline.Stop();

        var load = Stopwatch.StartNew();
        IReadOnlyList<IEvent> all;
        await using (var query = store.QuerySession())
        {
            all = await query.Events.QueryAllRawEvents().OrderBy(e => e.Sequence).ToListAsync();
        }

        load.Stop();
        var fold = Stopwatch.StartNew();
        var state = LedgerState.Fold(all.Select(e => new RecordedEvent(e.Sequence, Instant.FromDateTimeOffset(e.Timestamp), e.StreamId, e.Data)));
        var model = ReportModels.ProgrammeFinancial(state, programmeId, SystemClock.Instance.GetCurrentInstant());
        var hash = ReportModels.Hash(model);
        fold.Stop();
        var render = Stopwatch.StartNew();
        var pdf = PdfComposer.Render(ReportLayouts.Layout(model, hash));
        render.Stop();
        using var document = PdfSharp.Pdf.IO.PdfReader.Open(new MemoryStream(pdf), PdfSharp.Pdf.IO.PdfDocumentOpenMode.Import);
        var pages = document.PageCount;
        var total = load.Elapsed + fold.Elapsed + render.Elapsed;

        string S(TimeSpan t) => t.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
        Console.WriteLine($"events={count} grants={grants} seed_s={S(seed.Elapsed)}");
        Console.WriteLine($"baseline_read_s={S(baseline.Elapsed)}");
        Console.WriteLine($"load_s={S(load.Elapsed)} load_vs_baseline={(load.Elapsed / baseline.Elapsed).ToString("0.0", CultureInfo.InvariantCulture)}x");
        Console.WriteLine($"fold_and_model_s={S(fold.Elapsed)}");
        Console.WriteLine($"render_s={S(render.Elapsed)} pages={pages} pages_per_s={(pages / render.Elapsed.TotalSeconds).ToString("0.0", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"report_total_s={S(total)} total_vs_baseline={(total / baseline.Elapsed).ToString("0.0", CultureInfo.InvariantCulture)}x pdf_bytes={pdf.Length}");
        await store.Advanced.Clean.CompletelyRemoveAllAsync();
    }
}
