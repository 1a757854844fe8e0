using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace GrantLedger.Benchmarks;

/// <summary>
/// scripts/chaos.sh, scenario "durable schedule": a milestone is planned due today on the app's clock (which chaos.sh
/// runs some seconds before midnight), the app is killed before the deadline and started again after it. The deadline
/// check is a durable scheduled message, so the missed deadline must be recorded once the app is back.
/// </summary>
public static class DeadlineScenario
{
    /// <summary>Plans the milestone; prints the grant and milestone ids and the deadline for the check phase.</summary>
    public static async Task<int> Plan(Uri app, string password, string dueDate)
    {
        using var http = await ApiCalls.SignedIn(app, "finance@ecaro.example", password, TimeSpan.FromSeconds(30));
        var programme = await ApiCalls.Created(http, "/api/programmes", new
        {
            code = "DUE-" + Guid.NewGuid().ToString("N")[..6], name = "Deadline programme", currency = "EUR", allocation = 10_000m,
            windowStart = "2020-01-01", windowEnd = "2035-12-31", approvalThreshold = 10_000m, timeZone = "UTC",
        });
        var grant = await ApiCalls.Created(http, $"/api/programmes/{programme}/grants", new
        {
            organisationId = await ApiCalls.Organisation(http, password, "Deadline grantee " + Guid.NewGuid().ToString("N")[..6]), countries = new[] { "KG" }, title = "Deadline grant", amount = 1_000m,
            windowStart = "2020-01-01", windowEnd = "2035-12-31",
        });
        var milestone = await ApiCalls.Created(http, $"/api/grants/{grant}/milestones", new
        {
            title = "Interim report due at midnight", kind = "interim", dueDate,
        });
        var view = await ApiCalls.Json(http, $"/api/grants/{grant}/milestones/{milestone}");
        var missedAlready = view["deadlineMissed"]!.GetValue<bool>();
        Console.WriteLine($"deadline_grant={grant} deadline_milestone={milestone} deadline_at={view["deadline"]!.GetValue<string>()} " +
            $"deadline_missed_before={missedAlready.ToString().ToLowerInvariant()}");
        return missedAlready ? 1 : 0;
    }

    /// <summary>Waits for the missed deadline to be recorded; the times are Unix seconds of the real clock, from chaos.sh.</summary>
    public static async Task<int> Check(Uri app, string password, Guid grant, Guid milestone, long killedAt, long deadlineAt, long restartedAt,
        string expectedDeadline)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        using var http = await ApiCalls.SignedIn(app, "finance@ecaro.example", password, TimeSpan.FromSeconds(30));
        var waited = System.Diagnostics.Stopwatch.StartNew();
        JsonNode view;
        while (!(view = await ApiCalls.Json(http, $"/api/grants/{grant}/milestones/{milestone}"))["deadlineMissed"]!.GetValue<bool>()
               && waited.Elapsed < TimeSpan.FromMinutes(3))
        {
            await Task.Delay(250);
        }

        var missed = view["deadlineMissed"]!.GetValue<bool>();
        var trail = await ApiCalls.Json(http, $"/api/audit?grantId={grant}&pageSize=500");
        var overdue = trail["items"]!.AsArray().Where(e => e!["eventType"]!.GetValue<string>() == "milestone_became_overdue").ToList();
        var recordedAt = overdue.Select(e => e!["recordedAt"]!.GetValue<string>()).FirstOrDefault() ?? "none";
        var afterDeadline = overdue.Count == 1 && string.CompareOrdinal(recordedAt, view["deadline"]!.GetValue<string>()) >= 0;
        var reconciled = (await ApiCalls.Json(http, "/api/admin/reconciliation"))["reconciled"]!.GetValue<bool>();
        // The deadline the app computed must be the midnight chaos.sh aimed at, or "while down" below means nothing.
        var whileDown = killedAt < deadlineAt && deadlineAt < restartedAt && view["deadline"]!.GetValue<string>() == expectedDeadline;
        Console.WriteLine($"deadline_down_s={restartedAt - killedAt} deadline_passed_while_down={whileDown.ToString().ToLowerInvariant()} " +
            $"deadline_recorded={missed.ToString().ToLowerInvariant()} deadline_overdue_events={overdue.Count} deadline_recorded_at={recordedAt} " +
            $"deadline_after_restart_s={waited.Elapsed.TotalSeconds:0.0} deadline_status={view["status"]!.GetValue<string>()} " +
            $"deadline_reconciled={reconciled.ToString().ToLowerInvariant()}");
        return whileDown && missed && overdue.Count == 1 && afterDeadline && reconciled ? 0 : 1;
    }
}
