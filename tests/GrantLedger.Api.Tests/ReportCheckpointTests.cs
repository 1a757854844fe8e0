using GrantLedger.Api.Reports;
using GrantLedger.Reports.Models;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Testing;
using NodaTime.Text;
using Npgsql;

namespace GrantLedger.Api.Tests;

/// <summary>
/// Report checkpoints (Reports/ReportCheckpoints.cs) against real PostgreSQL, in a schema of their own: the clock only
/// moves forward here, and the test places the checkpoints itself (the background writer is off).
/// </summary>
public class ReportCheckpointTests
{
    private const string Schema = "grantledger_report_checkpoints";

    private static Task<Alba.IAlbaHost> Start(FakeClock clock) => LedgerHost.StartEmpty(Schema, clock, new Dictionary<string, string>
    {
        ["GrantLedger:Reports:Checkpoints:WriteIntervalSeconds"] = "0",
    });

    /// <summary>A writer of checkpoints every <paramref name="every"/> events, into the host's table.</summary>
    private static ReportCheckpoints Checkpoints(LedgerHost host, int every = 20_000) =>
        new(host.Store, host.Host.Services.GetRequiredService<NpgsqlDataSource>(), Options.Create(new ReportCheckpointOptions { EveryEvents = every }));

    /// <summary>Checkpoints every <paramref name="every"/> events, up to the last event (once the audit chain covers it).</summary>
    private static async Task<int> WriteCheckpoints(LedgerHost host, int every)
    {
        await new Ledger(host).Chained();
        var checkpoints = Checkpoints(host, every);
        return await checkpoints.WriteDueAsync(await checkpoints.SettledAsync(CancellationToken.None), CancellationToken.None);
    }

    private static async Task<long> EventCount()
    {
        await using var connection = await Open();
        return (long)(await new NpgsqlCommand($"select count(*) from {Schema}.mt_events", connection).ExecuteScalarAsync())!;
    }

    private static async Task<NpgsqlConnection> Open()
    {
        var connection = new NpgsqlConnection(LedgerHost.RuntimeConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>The report as of the instant, from every event and from the checkpoints (its hash, position and model);
    /// and which checkpoint served it.</summary>
    private static async Task<(Built FromEvents, Built FromCheckpoint, ResumedState? Checkpoint)> BothWays(LedgerHost host, ReportKind kind, Guid programmeId,
        Instant asOf)
    {
        var scope = new ReportScope(kind, programmeId, null, null, null, asOf);
        await using var session = host.Store.QuerySession();
        var (model, hash, position) = ReportBuilder.Model(scope, await ReportBuilder.EventsAsOf(session, asOf, CancellationToken.None));
        var (checkpointModel, checkpointHash, checkpointPosition) = await ReportBuilder.ModelAsOf(session, scope,
            host.Host.Services.GetRequiredService<ReportCheckpoints>(), CancellationToken.None);
        var resumed = await Checkpoints(host).StateAsOfAsync(session, asOf, CancellationToken.None);
        return (new Built(hash, position, model), new Built(checkpointHash, checkpointPosition, checkpointModel), resumed);
    }

    private sealed record Built(string Hash, long Position, object Model)
    {
        public (string, long) Identity => (Hash, Position);
    }

    [Fact]
    public async Task reports_from_checkpoints_are_the_reports_from_every_event_before_between_and_after_them()
    {
        var clock = new FakeClock(LedgerHost.StartOfTime);
        await using var alba = await Start(clock);
        var host = await LedgerHost.Wrap(alba, clock);
        var ledger = new Ledger(host);
        var at = Instant.FromUtc(2021, 1, 11, 9, 0);
        clock.Reset(at);

        // Before the first checkpoint: a programme with four eyes from 10,000.00, two grants, payments, one awaiting approval.
        var programme = await ledger.OpenProgramme(approvalThreshold: 10_000m);
        var a = await ledger.Award(programme, 80_000m);
        var b = await ledger.Award(programme, 60_000m);
        var c = await ledger.Award(programme, 40_000m);
        var reversed = await ledger.Disburse(a, 4_000m);
        var returned = (await ledger.TryDisburse(a, 5_000m, valueDate: "2020-06-15")).Id;
        var pending = await ledger.TryDisburse(b, 12_000m, valueDate: "2020-07-01");
        Assert.Equal("awaiting-approval", pending.Json.Text("status"));
        var beforeFirst = at + Duration.FromMinutes(30);
        clock.Reset(at + Duration.FromHours(1));
        await ledger.Disburse(c, 2_500m);
        Assert.Equal(1, await WriteCheckpoints(host, every: (int)await EventCount()));

        // After it, events that name payments the checkpoint merged (a reversal, a bank return, a receipt) or kept (the
        // approval of the pending one), with checkpoints every three events among them.
        clock.Reset(at + Duration.FromHours(2));
        Assert.Equal(201, (await ledger.TryReverse(a, reversed, "Wrong beneficiary")).Status);
        var betweenCheckpoints = at + Duration.FromHours(2) + Duration.FromMinutes(30);
        clock.Reset(at + Duration.FromHours(3));
        Assert.Equal(201, (await host.Send(HttpMethod.Post, $"/api/grants/{b}/disbursements/{pending.Id}/approval", user: "approver")).Status);
        Assert.Equal(201, (await host.Post($"/api/grants/{a}/disbursements/{returned}/return",
            new { amount = 1_200m, valueDate = "2020-08-03", bankReason = "Account closed", bankReference = "RTN-7" })).Status);
        var paid = await ledger.Disburse(a, 3_000m);
        var grantee = await host.GranteeUser((await ledger.Grant(a)).Text("grantee"));
        Assert.Equal(201, (await host.Post($"/api/grants/{a}/disbursements/{paid}/receipt", new { amount = 270_000m, currency = "KGS" }, user: grantee)).Status);
        Assert.True(await WriteCheckpoints(host, every: 3) >= 2);

        // The same second: one payment at .200, the cutoff at .500, another at .700.
        var second = at + Duration.FromHours(4);
        clock.Reset(second + Duration.FromMilliseconds(200));
        await ledger.Disburse(c, 1_000m);
        clock.Reset(second + Duration.FromMilliseconds(700));
        await ledger.Disburse(c, 700m);
        await WriteCheckpoints(host, every: 1);
        clock.Reset(at + Duration.FromHours(5));
        await ledger.Disburse(a, 100m);
        var afterLast = at + Duration.FromHours(6);
        clock.Reset(afterLast);

        foreach (var (asOf, served) in new[]
        {
            (beforeFirst, false), (at + Duration.FromHours(1) + Duration.FromMinutes(30), true), (betweenCheckpoints, true),
            (second + Duration.FromMilliseconds(500), true), (second + Duration.FromMilliseconds(700), true), (afterLast, true),
        })
        {
            var (fromEvents, fromCheckpoint, checkpoint) = await BothWays(host, ReportKind.ProgrammeFinancial, programme, asOf);
            Assert.Equal(fromEvents.Identity, fromCheckpoint.Identity);
            Assert.True(served == checkpoint is not null, $"as of {asOf}: {checkpoint}");
        }

        // Between the first checkpoint and the next: the reversal after it names a payment the checkpoint merged, so the
        // grant is folded again from its stream.
        Assert.Equal(1, (await BothWays(host, ReportKind.ProgrammeFinancial, programme, betweenCheckpoints)).Checkpoint!.GrantsRefolded);

        // 5,000.00 less 1,200.00 returned, and 3,000.00 (A); 12,000.00 approved (B); 2,500.00 and 1,000.00 (C), not the 700.00 at .700.
        var sameSecond = await BothWays(host, ReportKind.ProgrammeFinancial, programme, second + Duration.FromMilliseconds(500));
        Assert.Equal(22_300m, ((ProgrammeFinancialModel)sameSecond.FromCheckpoint.Model).Disbursed);
        var milestones = await BothWays(host, ReportKind.MilestoneStatus, programme, betweenCheckpoints);
        Assert.Equal(milestones.FromEvents.Identity, milestones.FromCheckpoint.Identity);
        Assert.NotNull(milestones.Checkpoint);
    }

    [Fact]
    public async Task a_report_generated_from_checkpoints_verifies_and_one_from_a_forged_checkpoint_does_not()
    {
        var clock = new FakeClock(Instant.FromUtc(2021, 2, 1, 9, 0));
        await using var alba = await Start(clock);
        var host = await LedgerHost.Wrap(alba, clock);
        var ledger = new Ledger(host);
        var programme = await ledger.OpenProgramme();
        var grant = await ledger.Award(programme, 80_000m);
        await ledger.Disburse(grant, 32_000m);
        clock.Advance(Duration.FromMinutes(10));
        Assert.True(await WriteCheckpoints(host, every: 2) >= 1);
        clock.Advance(Duration.FromMinutes(10));
        await ledger.Disburse(grant, 1_000m);
        clock.Advance(Duration.FromMinutes(10));

        var (_, pdf) = await ledger.GenerateReport(new { kind = "programme-financial", programmeId = programme });
        await ledger.Chained();
        var verified = await ledger.VerifyReport(pdf);

        Assert.True(verified.Json["genuine"]!.GetValue<bool>(), verified.ToString());
        Assert.Contains("33,000.00", ReportText(pdf));

        // Someone holding the application's connection cannot change or remove a checkpoint...
        await using var connection = await Open();
        foreach (var sql in new[] { $"update {Schema}.report_checkpoints set position = 0", $"delete from {Schema}.report_checkpoints",
                     $"truncate {Schema}.report_checkpoints" })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand(sql, connection).ExecuteNonQueryAsync());
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }

        // ...but may add one (it may append events too): a checkpoint at the newest event that claims 90,000.00 paid.
        await using (var forge = new NpgsqlCommand($"""
            insert into {Schema}.report_checkpoints (fold, seq_id, event_id, recorded_up_to, segment_from, position, events, state)
            select c.fold, e.seq_id, e.id, e.timestamp, e.timestamp, e.seq_id, 1, replace(c.state::text, '"amount":32000.00', '"amount":90000.00')::json
            from {Schema}.report_checkpoints c, (select * from {Schema}.mt_events order by seq_id desc limit 1) e
            order by c.seq_id desc limit 1
            """, connection))
        {
            Assert.Equal(1, await forge.ExecuteNonQueryAsync());
        }

        clock.Advance(Duration.FromMinutes(10));
        var (_, forged) = await ledger.GenerateReport(new { kind = "programme-financial", programmeId = programme });
        await ledger.Chained();
        var caught = await ledger.VerifyReport(forged);

        Assert.Contains("90,000.00", ReportText(forged));
        Assert.False(caught.Json["genuine"]!.GetValue<bool>(), caught.ToString());
        Assert.False(caught.Json["modelHashMatches"]!.GetValue<bool>(), caught.ToString());
        Assert.False(caught.Json["figuresMatchPrinted"]!.GetValue<bool>(), caught.ToString());
    }

    private static string ReportText(byte[] pdf)
    {
        using var document = UglyToad.PdfPig.PdfDocument.Open(pdf);
        return string.Join("\n", document.GetPages().Select(p => p.Text));
    }
}

/// <summary>The demo (budgets, tranches, milestones, expenditure reviews, receipts, rates) and every other test's ledger in
/// the shared host, through a checkpoint's JSON: the served reports of every programme come out the same.</summary>
[Collection(LedgerCollection.Name)]
public class ReportCheckpointJsonTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    [Fact]
    public async Task every_programme_report_from_a_checkpoints_json_is_the_report_from_the_events()
    {
        await using var session = host.Store.QuerySession();
        var events = await ReportBuilder.EventsAsOf(session, Instant.MaxValue - Duration.FromDays(1), CancellationToken.None);
        var state = LedgerState.Fold(events.Select(e => new RecordedEvent(e.Sequence, Instant.FromDateTimeOffset(e.Timestamp), e.StreamId, e.Data)));

        var json = ReportCheckpoints.ToJson(LedgerCheckpoint.Of(state));
        var restored = ReportCheckpoints.FromJson(json).State;

        Assert.NotEmpty(state.Programmes);
        Assert.Contains(state.Grants.Values, g => g.Budget is not null && g.ExpenditureReports.Count > 0 && g.Milestones.Count > 0);
        Assert.Contains(state.Grants.Values, g => g.Disbursements.Any(d => d.Received is not null));
        foreach (var programme in state.Programmes.Keys)
        {
            Assert.Equal(ReportModels.Hash(ReportModels.ProgrammeFinancial(state, programme, LedgerHost.StartOfTime)),
                ReportModels.Hash(ReportModels.ProgrammeFinancial(restored, programme, LedgerHost.StartOfTime)));
            Assert.Equal(ReportModels.Hash(ReportModels.MilestoneStatus(state, programme, LedgerHost.StartOfTime)),
                ReportModels.Hash(ReportModels.MilestoneStatus(restored, programme, LedgerHost.StartOfTime)));
        }
    }
}
