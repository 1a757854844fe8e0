using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GrantLedger.Api.Operations;

/// <summary>
/// The ledger's own measures, in one place (docs/operations.md, "Metrics"): every feature records with one line here.
/// Names are OpenTelemetry instrument names; the Prometheus exporter writes them with <c>_</c> for <c>.</c> and counters
/// end in <c>_total</c> (<see cref="PrometheusNames"/> lists what /metrics shows, and a test holds the docs to it).
/// Values that live in the database (overdue milestones, payments awaiting approval, the audit chain's lag, the report
/// queue) are sampled by <see cref="LedgerGauges"/> and observed from its last sample.
/// </summary>
public static class LedgerMetrics
{
    public const string Name = "GrantLedger";

    /// <summary>The ledger's own spans (the one door's commands), next to ASP.NET Core's, Wolverine's, Marten's and Npgsql's.</summary>
    public static readonly ActivitySource Activities = new(Name);

    private static readonly Meter Meter = new(Name);

    private static readonly Counter<long> Commands = Meter.CreateCounter<long>("grantledger.commands",
        description: "Commands through the one door, by command, outcome (accepted, refused, replayed) and problem code");

    private static readonly Histogram<double> CommandSeconds = Meter.CreateHistogram<double>("grantledger.command.duration.seconds",
        description: "Time from the door to the command's outcome (handler, transaction, commit), by command and outcome");

    private static readonly Counter<long> DisbursedCents = Meter.CreateCounter<long>("grantledger.disbursements.recorded.cents",
        description: "Amount of payments recorded (including those held for approval), in cents of their currency");

    private static readonly Counter<long> DeadlineChecks = Meter.CreateCounter<long>("grantledger.deadline.checks",
        description: "Milestone deadline checks run, by outcome (overdue, not-yet, nothing-to-do)");

    private static readonly Counter<long> LateDeadlineChecks = Meter.CreateCounter<long>("grantledger.deadline.checks.late",
        description: "Deadline checks that ran more than a minute after the deadline they check (the scheduler was behind)");

    private static readonly Counter<long> Mails = Meter.CreateCounter<long>("grantledger.emails",
        description: "E-mails handed to the SMTP server (outcome sent) or refused by it (outcome failed)");

    private static readonly Histogram<double> ReportSeconds = Meter.CreateHistogram<double>("grantledger.report.duration.seconds",
        description: "Time to build one PDF report, by kind and outcome");

    private static readonly Counter<long> Replays = Meter.CreateCounter<long>("grantledger.idempotent.replays",
        description: "Requests answered from an earlier answer under the same idempotency key (a client retried)");

    /// <summary>A late deadline check: the check ran this long after its deadline or later.</summary>
    public static readonly TimeSpan LateAfter = TimeSpan.FromMinutes(1);

    static LedgerMetrics()
    {
        Meter.CreateObservableGauge("grantledger.milestones.overdue", () => LedgerGauges.Last.OverdueMilestones,
            description: "Milestones past their deadline and not delivered (payments to their grantee are on hold)");
        Meter.CreateObservableGauge("grantledger.disbursements.awaiting.approval", () => LedgerGauges.Last.AwaitingApproval,
            description: "Payments held for a second person's approval");
        Meter.CreateObservableGauge("grantledger.disbursements.awaiting.approval.cents", () => LedgerGauges.Last.AwaitingApprovalCents,
            description: "Amount of the payments held for approval, in cents");
        Meter.CreateObservableGauge("grantledger.audit.chain.lag.events", () => LedgerGauges.Last.UnchainedEvents,
            description: "Committed events the audit chain has not linked yet");
        Meter.CreateObservableGauge("grantledger.audit.chain.lag.seconds", () => LedgerGauges.Last.OldestUnchainedSeconds,
            description: "Age of the oldest event the audit chain has not linked yet (0 when none)");
        Meter.CreateObservableGauge("grantledger.reports.queued", () => LedgerGauges.Last.ReportsQueued,
            description: "Reports requested and not yet built");
    }

    /// <summary>The one door's outcome (<see cref="Http.LedgerCommandBus"/>): counted by command and problem code, timed.</summary>
    public static void CommandDone(object command, Http.CommandOutcome? outcome, TimeSpan elapsed, Activity? activity = null)
    {
        var name = CommandName(command);
        var (result, code) = outcome switch
        {
            null => ("failed", "exception"),
            { Problem: null } => ("accepted", ""),
            { Problem: ProblemHttpResult problem } => ("refused", problem.ProblemDetails.Extensions.TryGetValue("code", out var c) ? c?.ToString() ?? "" : ""),
            _ => ("replayed", ""),
        };
        Commands.Add(1, new("command", name), new("outcome", result), new("code", code));
        activity?.SetTag("grantledger.outcome", result);
        if (code.Length > 0)
        {
            activity?.SetTag("grantledger.problem_code", code);
        }

        CommandSeconds.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("command", name), new("outcome", result));
    }

    /// <summary>Refused before the handler (a reason too long, the empty grant id).</summary>
    public static void CommandRefused(object command, string code) =>
        Commands.Add(1, new("command", CommandName(command)), new("outcome", "refused"), new("code", code));

    public static void DisbursementRecorded(decimal amount, string? currency) =>
        DisbursedCents.Add((long)decimal.Round(amount * 100m), new KeyValuePair<string, object?>("currency", currency ?? "EUR"));

    /// <summary>A deadline check ran; <paramref name="late"/> is how long after the deadline it ran.</summary>
    public static void DeadlineChecked(string outcome, TimeSpan late)
    {
        DeadlineChecks.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        if (late >= LateAfter)
        {
            LateDeadlineChecks.Add(1);
        }
    }

    public static void MailSent() => Mails.Add(1, new KeyValuePair<string, object?>("outcome", "sent"));

    public static void MailFailed() => Mails.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));

    public static void ReportBuilt(string kind, bool ok, TimeSpan elapsed) =>
        ReportSeconds.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("kind", kind), new("outcome", ok ? "ready" : "failed"));

    public static void IdempotentReplay() => Replays.Add(1);

    /// <summary>Zero for the counters that may not move for a while, so a scrape (and an alert on their rate) sees them from the start.</summary>
    public static void Announce()
    {
        DeadlineChecks.Add(0, new KeyValuePair<string, object?>("outcome", "overdue"));
        LateDeadlineChecks.Add(0);
        Mails.Add(0, new KeyValuePair<string, object?>("outcome", "sent"));
        Mails.Add(0, new KeyValuePair<string, object?>("outcome", "failed"));
        Replays.Add(0);
        DisbursedCents.Add(0, new KeyValuePair<string, object?>("currency", "EUR"));
    }

    /// <summary>The names a Prometheus scrape shows for the ledger's measures (docs/operations.md promises these).</summary>
    public static readonly string[] PrometheusNames =
    [
        "grantledger_commands_total",
        "grantledger_command_duration_seconds_bucket",
        "grantledger_disbursements_recorded_cents_total",
        "grantledger_disbursements_awaiting_approval",
        "grantledger_disbursements_awaiting_approval_cents",
        "grantledger_milestones_overdue",
        "grantledger_deadline_checks_total",
        "grantledger_deadline_checks_late_total",
        "grantledger_audit_chain_lag_events",
        "grantledger_audit_chain_lag_seconds",
        "grantledger_emails_total",
        "grantledger_report_duration_seconds_bucket",
        "grantledger_reports_queued",
        "grantledger_idempotent_replays_total",
    ];

    private static string CommandName(object command)
    {
        var name = command.GetType().Name;
        return name.EndsWith("Command", StringComparison.Ordinal) ? name[..^"Command".Length] : name;
    }
}
