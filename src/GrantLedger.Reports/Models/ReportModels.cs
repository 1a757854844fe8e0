using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using GrantLedger.Domain;
using GrantLedger.Domain.Budgets;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Milestones;
using GrantLedger.Domain.Programmes;
using NodaTime;
using NodaTime.Text;

namespace GrantLedger.Reports.Models;

public enum ReportKind
{
    ProgrammeFinancial,
    GranteeStatement,
    MilestoneStatus,
    AuditTrail,
}

/// <summary>What every report says about itself: which ledger state it shows.</summary>
public sealed record ReportHeader(ReportKind Kind, string Title, string Scope, Instant AsOf, string TimeZone, long Position);

public sealed record GranteeLine(Guid GrantId, string Grantee, string Countries, decimal Awarded, decimal Disbursed, decimal Reserved,
    decimal Remaining, decimal SpentAtDonorRate, decimal FxDifference);

public sealed record MonthLine(string Month, decimal Disbursed, decimal Cumulative, decimal PlannedCumulative);

public sealed record HeadingLine(string Heading, decimal Planned, decimal SpentAtDonorRate, decimal SpentAtActualRate, decimal FxDifference, decimal Remaining);

public sealed record ProgrammeFinancialModel(
    ReportHeader Header, string Programme, string Currency, LocalDate WindowStart, LocalDate WindowEnd,
    decimal Allocation, decimal Committed, decimal Uncommitted, decimal Disbursed, decimal Reserved, decimal Remaining,
    IReadOnlyList<GranteeLine> Grantees, IReadOnlyList<MonthLine> Months, IReadOnlyList<HeadingLine> Headings);

public sealed record TrancheLine(int Number, decimal Amount, decimal Paid, string Gate, bool Locked);

public sealed record PaymentLine(LocalDate ValueDate, string Reference, decimal Amount, string Status, string? Note);

public sealed record MilestoneLine(string Grantee, string Title, string Kind, LocalDate DueDate, string Status, bool Overdue);

public sealed record BudgetLineLine(string Code, string Heading, string Description, decimal Planned, decimal SpentAtDonorRate,
    decimal SpentAtActualRate, decimal FxDifference, decimal Remaining);

public sealed record GranteeStatementModel(
    ReportHeader Header, string Grantee, string Title, string Countries, string Currency, LocalDate WindowStart, LocalDate WindowEnd,
    decimal Awarded, decimal Disbursed, decimal Reserved, decimal Remaining, decimal SpentAtDonorRate, decimal SpentAtActualRate, decimal FxDifference,
    IReadOnlyList<TrancheLine> Tranches, IReadOnlyList<PaymentLine> Payments, IReadOnlyList<MilestoneLine> Milestones,
    IReadOnlyList<BudgetLineLine> Budget);

public sealed record MilestoneStatusModel(ReportHeader Header, int Planned, int Submitted, int Confirmed, int Rejected, int Overdue,
    IReadOnlyList<MilestoneLine> Milestones);

public sealed record AuditLine(long Sequence, Instant RecordedAt, string EventType, string Actor, string Role, string Reason, Guid StreamId);

public sealed record AuditTrailModel(ReportHeader Header, Instant? From, Instant? To, IReadOnlyList<AuditLine> Events);

/// <summary>Builds report models from the ledger state (pure), and fingerprints them.</summary>
public static class ReportModels
{
    /// <summary>What a tranche paid on signature (no gating milestone) records as its gate; layouts print it in their language.</summary>
    public const string OnSignature = "on signature";

    private static readonly JsonSerializerOptions Canonical = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(), new InstantIso(), new LocalDateIso() },
        WriteIndented = false,
    };

    /// <summary>SHA-256 over the model's canonical JSON: the figures, in a fixed order and format.</summary>
    public static string Hash<T>(T model) => Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(model, Canonical)));

    public static ProgrammeFinancialModel ProgrammeFinancial(LedgerState state, Guid programmeId, Instant asOf)
    {
        var programme = state.Programmes[programmeId];
        var grants = state.Grants.Values.Where(g => g.ProgrammeId == programmeId).OrderBy(g => g.Grantee).ThenBy(g => g.Id).ToList();
        var currency = programme.Currency;
        var actuals = grants.ToDictionary(g => g.Id, g => BudgetVsActual.For(g, state.Rates));
        var disbursed = grants.Select(g => g.Disbursed).Sum(currency);
        var reserved = grants.Select(g => g.Reserved).Sum(currency);

        var months = Months(programme, grants);

        var headings = programme.Rules.Headings.Select(h =>
        {
            var figures = actuals.Values.SelectMany(a => a.Headings.Where(x => x.Heading == h)).Select(x => x.Figures).ToList();
            return new HeadingLine(h, figures.Sum(f => f.Planned.Amount), figures.Sum(f => f.SpentAtDonorRate.Amount),
                figures.Sum(f => f.SpentAtActualRate.Amount), figures.Sum(f => f.FxDifference.Amount), figures.Sum(f => f.Remaining.Amount));
        }).ToList();

        return new ProgrammeFinancialModel(
            new ReportHeader(ReportKind.ProgrammeFinancial, "Programme financial report", $"{programme.Code} – {programme.Name}", asOf, programme.TimeZone, state.Position),
            programme.Name, currency, programme.WindowStart, programme.WindowEnd,
            programme.Allocation.Amount, programme.Committed.Amount, programme.Uncommitted.Amount, disbursed.Amount, reserved.Amount,
            (programme.Allocation - disbursed).Amount,
            grants.Select(g => new GranteeLine(g.Id, g.Grantee, string.Join(", ", g.Countries), g.Amount.Amount, g.Disbursed.Amount,
                g.Reserved.Amount, g.Remaining.Amount, actuals[g.Id].Totals.SpentAtDonorRate.Amount, actuals[g.Id].Totals.FxDifference.Amount)).ToList(),
            months, headings);
    }

    /// <summary>
    /// Paid and planned per month of the programme's window, and cumulative: from the programme and its grants as they
    /// stand (folded from events for a report, or the stored snapshots for the programme page).
    /// </summary>
    public static IReadOnlyList<MonthLine> Months(Programme programme, IReadOnlyCollection<Grant> grants)
    {
        var payments = grants.SelectMany(g => g.Disbursements.Where(d => d.CountsAsDisbursed)).ToList();
        var plan = grants.SelectMany(g => g.Tranches.Select(t => (Date: PlannedDate(g, t), t.Amount))).ToList();
        var months = new List<MonthLine>();
        var (cumulative, planned) = (0m, 0m);
        for (var month = programme.WindowStart.ToYearMonth(); month <= programme.WindowEnd.ToYearMonth(); month = month.PlusMonths(1))
        {
            // A return from the bank counts in the month of its value date, as a negative payment.
            var paid = payments.Where(d => d.ValueDate.ToYearMonth() == month).Sum(d => d.Amount.Amount)
                - payments.Where(d => d.ReturnedOn?.ToYearMonth() == month).Sum(d => d.ReturnedAmount!.Value.Amount)
                + grants.Sum(g => g.Settled.PaidIn(month));
            cumulative += paid;
            planned += plan.Where(p => p.Date.ToYearMonth() == month).Sum(p => p.Amount.Amount);
            months.Add(new MonthLine(YearMonthPattern.Iso.Format(month), paid, cumulative, planned));
        }

        return months;
    }

    public static GranteeStatementModel GranteeStatement(LedgerState state, Guid grantId, Instant asOf)
    {
        var grant = state.Grants[grantId];
        var actuals = BudgetVsActual.For(grant, state.Rates);
        return new GranteeStatementModel(
            new ReportHeader(ReportKind.GranteeStatement, "Grantee statement", $"{grant.Grantee} – {grant.Title}", asOf, grant.TimeZone, state.Position),
            grant.Grantee, grant.Title, string.Join(", ", grant.Countries), grant.Currency, grant.WindowStart, grant.WindowEnd,
            grant.Amount.Amount, grant.Disbursed.Amount, grant.Reserved.Amount, grant.Remaining.Amount,
            actuals.Totals.SpentAtDonorRate.Amount, actuals.Totals.SpentAtActualRate.Amount, actuals.Totals.FxDifference.Amount,
            grant.Tranches.OrderBy(t => t.Number).Select(t => new TrancheLine(t.Number, t.Amount.Amount, grant.PaidAgainst(t.Id).Amount,
                t.MilestoneId is { } m ? grant.FindMilestone(m)?.Title ?? "" : OnSignature, grant.IsLocked(t))).ToList(),
            grant.Disbursements.Select(d => new PaymentLine(d.ValueDate, d.BankReference, d.Amount.Amount, StatusOf(d), d.Reversed ? d.ReversalReason : d.Note))
                .Concat(grant.Disbursements.Where(d => d.CountsAsDisbursed && d.IsReturned).Select(d => new PaymentLine(d.ReturnedOn!.Value,
                    d.ReturnReference ?? d.BankReference, -d.ReturnedAmount!.Value.Amount, "bank return", d.ReturnReason)))
                .OrderBy(p => p.ValueDate).ThenBy(p => p.Reference).ThenByDescending(p => p.Amount).ToList(),
            grant.Milestones.OrderBy(m => m.DueDate).Select(m => Line(grant, m)).ToList(),
            actuals.Lines.Select(l => new BudgetLineLine(l.Line.Code, l.Line.Heading, l.Line.Description, l.Figures.Planned.Amount,
                l.Figures.SpentAtDonorRate.Amount, l.Figures.SpentAtActualRate.Amount, l.Figures.FxDifference.Amount, l.Figures.Remaining.Amount)).ToList());
    }

    public static MilestoneStatusModel MilestoneStatus(LedgerState state, Guid programmeId, Instant asOf)
    {
        var programme = state.Programmes[programmeId];
        var lines = state.Grants.Values.Where(g => g.ProgrammeId == programmeId)
            .SelectMany(g => g.Milestones.Select(m => Line(g, m)))
            .OrderBy(m => m.DueDate).ThenBy(m => m.Grantee).ThenBy(m => m.Title).ToList();
        return new MilestoneStatusModel(
            new ReportHeader(ReportKind.MilestoneStatus, "Milestone status report", $"{programme.Code} – {programme.Name}", asOf, programme.TimeZone, state.Position),
            lines.Count(m => m.Status == "planned"), lines.Count(m => m.Status == "submitted"), lines.Count(m => m.Status == "confirmed"),
            lines.Count(m => m.Status == "rejected"), lines.Count(m => m.Overdue), lines);
    }

    private static MilestoneLine Line(Grant grant, Milestone m) =>
        new(grant.Grantee, m.Title, m.Kind.ToString().ToLowerInvariant(), m.DueDate, m.Status.ToString().ToLowerInvariant(), m.IsOverdue);

    private static string StatusOf(Disbursement d) => d switch
    {
        { Reversed: true } => "reversed",
        { IsReturned: true } => "returned",
        { Status: DisbursementStatus.AwaitingApproval } => "awaiting approval",
        { Status: DisbursementStatus.Rejected } => "rejected",
        _ => "paid",
    };

    /// <summary>When a tranche is planned to be paid: on signature, or when its gating milestone is due.</summary>
    public static LocalDate PlannedDate(Grant grant, Tranche tranche) =>
        tranche.MilestoneId is { } m && grant.FindMilestone(m) is { } milestone ? milestone.DueDate : grant.WindowStart;

    private sealed class InstantIso : JsonConverter<Instant>
    {
        public override Instant Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            InstantPattern.ExtendedIso.Parse(reader.GetString()!).Value;

        public override void Write(Utf8JsonWriter writer, Instant value, JsonSerializerOptions options) =>
            writer.WriteStringValue(InstantPattern.ExtendedIso.Format(value));
    }

    private sealed class LocalDateIso : JsonConverter<LocalDate>
    {
        public override LocalDate Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            LocalDatePattern.Iso.Parse(reader.GetString()!).Value;

        public override void Write(Utf8JsonWriter writer, LocalDate value, JsonSerializerOptions options) =>
            writer.WriteStringValue(LocalDatePattern.Iso.Format(value));
    }
}
