using System.Collections.Immutable;
using GrantLedger.Domain.Currencies;
using NodaTime;

namespace GrantLedger.Domain.Expenditure;

public enum EntryStatus
{
    Submitted,
    Accepted,
    Rejected,
    Ineligible,
}

/// <summary>One expense as the grantee reported it, in the currency paid. An entry dated outside the grant window is
/// recorded as ineligible, with the reason. A supporting file is recorded with its SHA-256, so the bytes served later can
/// be checked against the event (entries recorded before the fingerprint was added have none).</summary>
public sealed record ExpenditureEntry(
    Guid EntryId,
    Guid BudgetLineId,
    LocalDate Date,
    string Description,
    Money Amount,
    bool Eligible,
    string? IneligibleReason,
    Guid? FileId = null,
    string? FileSha256 = null);

public sealed record EntryReview(Guid EntryId, bool Accepted, string? Reason);

/// <summary>An entry and where its review stands.</summary>
public sealed record ReportedEntry(ExpenditureEntry Entry, EntryStatus Status, string? Reason)
{
    public static ReportedEntry From(ExpenditureEntry e) =>
        new(e, e.Eligible ? EntryStatus.Submitted : EntryStatus.Ineligible, e.IneligibleReason);
}

public sealed record ExpenditureReport(Guid ReportId, LocalDate PeriodStart, LocalDate PeriodEnd, ImmutableList<ReportedEntry> Entries)
{
    public ExpenditureReport Apply(ExpenditureEntriesReviewed e) =>
        this with
        {
            Entries = Entries.Select(entry => e.Reviews.FirstOrDefault(r => r.EntryId == entry.Entry.EntryId) is { } review
                    ? entry with { Status = review.Accepted ? EntryStatus.Accepted : EntryStatus.Rejected, Reason = review.Reason }
                    : entry)
                .ToImmutableList(),
        };
}

/// <summary>A row of a report as submitted (by form, API or CSV): the line by id or by its code.</summary>
public sealed record ReportedExpense(Guid? BudgetLineId, string? BudgetLineCode, LocalDate Date, string Description, decimal Amount, string Currency,
    Guid? FileId = null, string? FileSha256 = null);

public sealed record SubmitExpenditureReport(Guid ReportId, LocalDate PeriodStart, LocalDate PeriodEnd, IReadOnlyList<ReportedExpense> Entries, Func<Guid> NewEntryId);

public static class SubmitExpenditureReportDecision
{
    /// <summary>All rows or none: every bad row is named, and nothing is recorded while one is wrong.</summary>
    public static Result<ExpenditureReportSubmitted> Decide(Grants.Grant grant, SubmitExpenditureReport cmd)
    {
        if (grant.Budget is not { } budget)
        {
            return new DomainError("budget-not-set", "The grant has no budget yet: expenses are reported against its lines.");
        }

        if (cmd.PeriodEnd < cmd.PeriodStart)
        {
            return DomainErrors.InvalidWindow($"The reporting period ends ({cmd.PeriodEnd:uuuu-MM-dd}) before it starts ({cmd.PeriodStart:uuuu-MM-dd}).");
        }

        if (cmd.Entries.Count == 0)
        {
            return new DomainError("invalid-expenditure-entries", "The report has no entries.", Rows: [new RowError(0, "entries", "at least one entry is needed.")]);
        }

        var errors = new List<RowError>();
        var entries = new List<ExpenditureEntry>();
        foreach (var (row, number) in cmd.Entries.Select((e, i) => (e, i + 1)))
        {
            var line = row.BudgetLineId is { } id ? budget.Line(id) : row.BudgetLineCode is { } code ? budget.LineByCode(code) : null;
            if (line is null)
            {
                errors.Add(new RowError(number, "budgetLine", $"no budget line {(object?)row.BudgetLineId ?? row.BudgetLineCode ?? "(none given)"}."));
            }

            if (!Currencies.Currencies.Reportable.Contains(row.Currency))
            {
                errors.Add(new RowError(number, "currency", $"{row.Currency} is not accepted (EUR, USD, KGS, TJS, KZT)."));
            }

            if (row.Amount <= 0m || decimal.Round(row.Amount, Money.Decimals) != row.Amount)
            {
                errors.Add(new RowError(number, "amount", $"must be more than zero with at most two decimals; {row.Amount} was given."));
            }

            if (row.Date < cmd.PeriodStart || row.Date > cmd.PeriodEnd)
            {
                errors.Add(new RowError(number, "date", $"{row.Date:uuuu-MM-dd} is outside the reporting period {cmd.PeriodStart:uuuu-MM-dd} .. {cmd.PeriodEnd:uuuu-MM-dd}."));
            }

            if (string.IsNullOrWhiteSpace(row.Description))
            {
                errors.Add(new RowError(number, "description", "is required."));
            }

            if (line is not null)
            {
                var eligible = grant.Window.Contains(row.Date);
                entries.Add(new ExpenditureEntry(cmd.NewEntryId(), line.LineId, row.Date, row.Description.Trim(),
                    new Money(decimal.Round(row.Amount, Money.Decimals) + 0.00m, row.Currency), eligible,
                    eligible ? null : $"Dated {row.Date:uuuu-MM-dd}, outside the grant window {grant.Window}.", row.FileId, row.FileSha256));
            }
        }

        return errors.Count > 0
            ? new DomainError("invalid-expenditure-entries", $"{errors.Select(e => e.Row).Distinct().Count()} row(s) are not valid; nothing was recorded.", Rows: errors)
            : new ExpenditureReportSubmitted(grant.Id, cmd.ReportId, cmd.PeriodStart, cmd.PeriodEnd, entries);
    }
}

public sealed record ReviewExpenditure(Guid ReportId, IReadOnlyList<EntryReview> Reviews);

public static class ReviewExpenditureDecision
{
    public static Result<ExpenditureEntriesReviewed> Decide(Grants.Grant grant, ReviewExpenditure cmd)
    {
        if (grant.ExpenditureReports.FirstOrDefault(r => r.ReportId == cmd.ReportId) is not { } report)
        {
            return new DomainError("expenditure-report-not-found", $"The grant has no expenditure report {cmd.ReportId}.", ErrorKind.NotFound);
        }

        var errors = new List<RowError>();
        foreach (var (review, row) in cmd.Reviews.Select((r, i) => (r, i + 1)))
        {
            var entry = report.Entries.FirstOrDefault(e => e.Entry.EntryId == review.EntryId);
            if (entry is null)
            {
                errors.Add(new RowError(row, "id", $"the report has no entry {review.EntryId}."));
            }
            else if (review.Accepted && entry.Status == EntryStatus.Ineligible)
            {
                errors.Add(new RowError(row, "accepted", $"the entry is ineligible: {entry.Reason}"));
            }
            else if (!review.Accepted && string.IsNullOrWhiteSpace(review.Reason))
            {
                errors.Add(new RowError(row, "reason", "a rejection needs a reason the grantee can act on."));
            }
        }

        return errors.Count > 0
            ? new DomainError("invalid-review", "Some reviews are not valid; none were recorded.", Rows: errors)
            : new ExpenditureEntriesReviewed(grant.Id, cmd.ReportId, cmd.Reviews);
    }
}
