using System.Text.Json;
using GrantLedger.Domain.Milestones;
using NodaTime;

namespace GrantLedger.Api.Demo;

// The shape of a demo file (Demo/sos-central-asia.json): names and figures only; ids are derived from them.

/// <summary>A demo login; <paramref name="Language"/> is the language it starts with (English when absent).</summary>
public sealed record DemoUser(string Email, string DisplayName, IReadOnlyList<string> Roles, string? Grantee = null, string? Language = null);

public sealed record DemoProgramme(
    string Code, string Name, string Currency, decimal Allocation, LocalDate WindowStart, LocalDate WindowEnd, string TimeZone,
    decimal? ApprovalThreshold = null);

public sealed record DemoTranche(decimal Share, string? Gate);

public sealed record DemoMilestone(string Key, string Title, MilestoneKind Kind, int Month);

public sealed record DemoGrant(
    string Key, string Grantee, IReadOnlyList<string> Countries, string Title, decimal Amount,
    IReadOnlyDictionary<string, string>? Milestones = null, string? Rejection = null);

public sealed record DemoDisbursement(string Grant, int? Tranche, decimal Amount, LocalDate ValueDate, string Reference, string? Note, string? Reversal);

/// <summary>A report's rows: line code, date, description, amount, currency, review (accepted/rejected/submitted), reason.</summary>
public sealed record DemoReport(string Grant, LocalDate PeriodStart, LocalDate PeriodEnd, IReadOnlyList<IReadOnlyList<JsonElement>> Entries);

public sealed record DemoReceipt(int Disbursement, decimal Amount, string Currency);

/// <summary>A whole demo file: one programme, its grants, and what happened to them.</summary>
public sealed record DemoLedger(
    DemoProgramme Programme,
    IReadOnlyList<DemoGrant> Grants,
    IReadOnlyList<DemoDisbursement> Disbursements,
    IReadOnlyList<DemoTranche>? Tranches = null,
    IReadOnlyList<DemoMilestone>? Milestones = null,
    IReadOnlyList<DemoUser>? Users = null,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, decimal>>? FxRates = null,
    IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyList<JsonElement>>>? Budgets = null,
    IReadOnlyList<DemoReport>? ExpenditureReports = null,
    IReadOnlyList<DemoReceipt>? Receipts = null);
