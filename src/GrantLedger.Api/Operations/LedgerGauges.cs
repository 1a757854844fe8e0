using GrantLedger.Api.Audit;
using GrantLedger.Api.Configuration;
using GrantLedger.Api.Reports;
using GrantLedger.Domain.Grants;
using Marten;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GrantLedger.Api.Operations;

/// <summary>Settings under <c>GrantLedger:Metrics</c> (docs/operations.md, "Metrics").</summary>
public sealed class MetricsOptions
{
    public const string Section = "GrantLedger:Metrics";

    /// <summary>The bearer token a Prometheus scraper sends to <c>/metrics</c>; unset: <c>/metrics</c> answers 404.</summary>
    public string? ScrapeToken { get; set; }

    /// <summary>How often the values that live in the database are sampled for the gauges.</summary>
    public int SampleSeconds { get; set; } = 15;

    /// <summary>Readiness fails while more committed events than this wait for the audit chain.</summary>
    public int ReadyMaxUnchainedEvents { get; set; } = 10_000;
}

/// <summary>One sample of the values the gauges show.</summary>
public sealed record GaugeSample(long OverdueMilestones, long AwaitingApproval, long AwaitingApprovalCents, long UnchainedEvents,
    double OldestUnchainedSeconds, long ReportsQueued)
{
    public static readonly GaugeSample Empty = new(0, 0, 0, 0, 0, 0);
}

/// <summary>
/// Samples what lives in the database for the gauges (every <see cref="MetricsOptions.SampleSeconds"/>; a few counting
/// queries), so a scrape never waits on the database.
/// </summary>
public sealed class LedgerGauges(NpgsqlDataSource dataSource, IDocumentStore store, IOptions<MetricsOptions> options,
    ILogger<LedgerGauges> logger) : BackgroundService
{
    public static GaugeSample Last { get; private set; } = GaugeSample.Empty;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LedgerMetrics.Announce();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, options.Value.SampleSeconds)));
        do
        {
            try
            {
                Last = await Sample(stoppingToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Metrics: the ledger's gauges could not be sampled ({Error})", ex.Message);
            }
        }
        while (await NextTick(timer, stoppingToken));
    }

    private static async Task<bool> NextTick(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async Task<GaugeSample> Sample(CancellationToken cancellation)
    {
        var grants = store.DocumentTable<Grant>();
        var reports = store.DocumentTable<ReportJob>();
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new($"select count(*) from {grants} g, jsonb_array_elements(g.data->'milestones') m where (m->>'isOverdue')::boolean"));
        batch.BatchCommands.Add(new($"select count(*), coalesce(sum(round((d->'amount'->>'amount')::numeric * 100)), 0)::bigint " +
            $"from {grants} g, jsonb_array_elements(g.data->'disbursements') d where d->>'status' = 'AwaitingApproval'"));
        batch.BatchCommands.Add(new($"select count(*) from {reports} r where r.data->>'status' in ('Queued', 'Running')"));
        long overdue, awaiting, awaitingCents, queued;
        // Disposed once, at the end of this block: the batch's connection goes back to the pool with it, and Npgsql reuses
        // the reader object for that connection's next user, so disposing it a second time later (as an `await using`
        // after an explicit dispose did) closed another user's reader: the chainer's, under load ("A command is
        // already in progress", "Source array was not long enough", the host stopping).
        await using (var reader = await batch.ExecuteReaderAsync(cancellation))
        {
            await reader.ReadAsync(cancellation);
            overdue = reader.GetInt64(0);
            await reader.NextResultAsync(cancellation);
            await reader.ReadAsync(cancellation);
            (awaiting, awaitingCents) = (reader.GetInt64(0), reader.GetInt64(1));
            await reader.NextResultAsync(cancellation);
            await reader.ReadAsync(cancellation);
            queued = reader.GetInt64(0);
        }

        var (unchained, oldest) = await ChainLag(dataSource, store, cancellation);
        return new GaugeSample(overdue, awaiting, awaitingCents, unchained, oldest, queued);
    }

    /// <summary>Committed events not yet linked by the audit chain, and the age of the oldest of them in seconds (database time).</summary>
    public static async Task<(long Events, double OldestSeconds)> ChainLag(NpgsqlDataSource dataSource, IDocumentStore store, CancellationToken cancellation)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        await using var command = dataSource.CreateCommand(
            $"select count(*), coalesce(extract(epoch from now() - min(e.timestamp)), 0)::float8 from {store.EventsTable()} e " +
            $"where e.seq_id > coalesce((select max(seq_id) from {schema}.{AuditChain.TableName}), 0)");
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        await reader.ReadAsync(cancellation);
        return (reader.GetInt64(0), Math.Max(0, reader.GetDouble(1)));
    }
}
