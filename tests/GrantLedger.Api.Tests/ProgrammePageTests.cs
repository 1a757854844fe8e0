using System.Collections.Concurrent;
using System.Diagnostics;
using GrantLedger.Api.Reports;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using GrantLedger.Reports.Models;
using Marten;

namespace GrantLedger.Api.Tests;

/// <summary>
/// The programme dashboard reads the stored snapshots, not the event store: a view costs the programme's and its grants'
/// documents, whatever the size of the ledger, and shows the same months as the PDF report folded from events.
/// </summary>
[Collection(LedgerCollection.Name)]
public class ProgrammePageTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
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
}
