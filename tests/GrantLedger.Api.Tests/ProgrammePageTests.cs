using System.Collections.Concurrent;
using System.Diagnostics;
using GrantLedger.Api.Reports;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using GrantLedger.Reports.Models;
using GrantLedger.Api.Programmes;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace GrantLedger.Api.Tests;

/// <summary>
/// The programme dashboard reads the stored snapshots, not the event store: a view costs the programme's and its grants'
/// documents, whatever the size of the ledger, and shows the same months as the PDF report folded from events.
/// </summary>
[Collection(LedgerCollection.Name)]
public class ProgrammePageTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private readonly Ledger _ledger = new(host);

    private async Task<Guid> DemoProgramme() =>
        Guid.Parse((await host.Get("/api/programmes")).Json.AsArray().Single(p => p!.Text("code") == "SOS-CA-1")!.Text("id"));

    [Fact]
    public async Task the_dashboard_chart_from_the_snapshots_equals_the_report_folded_from_every_event()
    {
        var id = await DemoProgramme();
        await using var session = host.Store.QuerySession();
        var asOf = host.Clock.GetCurrentInstant();
        var events = await ReportBuilder.EventsAsOf(session, LedgerHost.DemoSeeded + NodaTime.Duration.FromDays(3650), CancellationToken.None);
        var folded = (ProgrammeFinancialModel)ReportBuilder.Model(new ReportScope(ReportKind.ProgrammeFinancial, id, null, null, null, asOf), events).Model;

        var programme = await session.LoadAsync<Programme>(id);
        var grants = await session.Query<Grant>().Where(g => g.ProgrammeId == id).ToListAsync();

        Assert.Equal(folded.Months, ReportModels.Months(programme!, grants));
        Assert.Contains(folded.Months, m => m.Cumulative > 0);
    }

    /// <summary>Counts, by the request's trace id, the SQL statements one view sends that touch the event store.</summary>
    [Fact]
    public async Task a_view_of_the_dashboard_reads_no_event()
    {
        var id = await DemoProgramme();
        var traceId = ActivityTraceId.CreateRandom();
        var statements = new ConcurrentQueue<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Npgsql" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Source.Name == "Npgsql" && activity.TraceId == traceId)
                {
                    statements.Enqueue((activity.GetTagItem("db.query.text") ?? activity.GetTagItem("db.statement") ?? activity.DisplayName)?.ToString() ?? "");
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        var page = await host.Send(HttpMethod.Get, $"/programmes/{id}", user: "finance",
            headers: new Dictionary<string, string> { ["traceparent"] = $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01" });

        Assert.Equal(200, page.Status);
        // The listener hears this request's SQL (the snapshot documents), so it would hear a read of the event store too.
        Assert.Contains(statements, s => s.Contains("mt_doc_grant", StringComparison.Ordinal));
        Assert.DoesNotContain(statements, s => s.Contains("mt_events", StringComparison.Ordinal));
    }

    /// <summary>The summary and chart as computed from every grant snapshot of the programme, the way the page did before it kept lines.</summary>
    private async Task<(IReadOnlyList<ProgrammeGrantLine> Grants, IReadOnlyList<MonthLine> Months)> FromSnapshots(Guid id)
    {
        await using var session = host.Store.QuerySession();
        var programme = await session.LoadAsync<Programme>(id);
        var grants = await session.Query<Grant>().Where(g => g.ProgrammeId == id).ToListAsync();
        return (grants.Select(g => new ProgrammeGrantLine(g.Id, g.Grantee, g.Amount.Amount, g.Disbursed.Amount, g.Remaining.Amount, g.Reserved.Amount))
            .OrderBy(l => l.Id).ToList(), ReportModels.Months(programme!, grants));
    }

    private async Task<(IReadOnlyList<ProgrammeGrantLine> Grants, IReadOnlyList<MonthLine> Months)> FromLines(Guid id)
    {
        await using var session = host.Store.QuerySession();
        var programme = await session.LoadAsync<Programme>(id);
        var (grants, months) = await host.Host.Services.GetRequiredService<ProgrammeDashboardLines>().ReadAsync(id, CancellationToken.None);
        return (grants.OrderBy(l => l.Id).ToList(), ReportModels.Months(programme!, [months]));
    }

    /// <summary>
    /// The dashboard's lines (kept per grant, caught up on view) give the summary and chart that every grant snapshot
    /// gives: for the demo (returns, reversals, payments awaiting approval, tranche plans), and for a programme whose
    /// grant was paid, reversed and sent money back a moment before the view, before the background keeper could run.
    /// </summary>
    [Fact]
    public async Task the_dashboard_lines_give_what_the_grant_snapshots_give_even_right_after_a_payment()
    {
        var demo = await DemoProgramme();
        var (demoGrants, demoMonths) = await FromSnapshots(demo);
        var (demoLines, demoChart) = await FromLines(demo);
        Assert.Equal(demoGrants, demoLines);
        Assert.Equal(demoMonths, demoChart);
        Assert.Contains(demoChart, m => m.Cumulative > 0 && m.PlannedCumulative > 0);

        var programme = await _ledger.OpenProgramme();
        var grant = await _ledger.Award(programme, 10_000m);
        var other = await _ledger.Award(programme, 5_000m);
        await _ledger.Disburse(grant, 1_000m);
        Assert.Equal(1_000m, (await FromLines(programme)).Grants.Single(l => l.Id == grant).Disbursed);

        var paid = await _ledger.Disburse(other, 700m);
        Assert.Equal(201, (await _ledger.TryDisburse(grant, 300m, valueDate: "2020-07-15")).Status);
        Assert.True((await _ledger.TryReverse(other, paid)).Status is 200 or 201 or 202);
        var returned = await _ledger.Disburse(grant, 400m);
        var bankReturn = await host.Post($"/api/grants/{grant}/disbursements/{returned}/return",
            new { amount = 150m, valueDate = "2020-06-20", bankReason = "Beneficiary account closed", bankReference = "RTN-1" });
        Assert.True(bankReturn.Status is 200 or 201, bankReturn.ToString());
        var (grants, months) = await FromSnapshots(programme);
        var (lines, chart) = await FromLines(programme);

        Assert.Equal(grants, lines);
        Assert.Equal(months, chart);
        Assert.Equal(1_000m + 300m + 400m - 150m, lines.Single(l => l.Id == grant).Disbursed);
        Assert.Equal(-150m, chart.Single(m => m.Month == "2020-06").Disbursed);
        Assert.Equal(300m, chart.Single(m => m.Month == "2020-07").Disbursed);
    }
}
