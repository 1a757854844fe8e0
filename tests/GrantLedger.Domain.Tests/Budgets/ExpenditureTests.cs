using GrantLedger.Domain.Budgets;
using GrantLedger.Domain.Currencies;
using GrantLedger.Domain.Expenditure;
using GrantLedger.Domain.Grants;
using NodaTime;

namespace GrantLedger.Domain.Tests.Budgets;

public class ExpenditureTests
{
    private static readonly LocalDate Start = new(2020, 4, 1);
    private static readonly LocalDate End = new(2020, 9, 30);

    private static Result<ExpenditureReportSubmitted> Submit(Grant grant, params ReportedExpense[] rows) =>
        SubmitExpenditureReportDecision.Decide(grant, new SubmitExpenditureReport(Guid.NewGuid(), Start, End, rows, Guid.NewGuid));

    private static ReportedExpense Row(string code, string date, decimal amount, string currency, string description = "Corrals") =>
        new(null, code, LocalDate.FromDateTime(DateTime.Parse(date, System.Globalization.CultureInfo.InvariantCulture)), description, amount, currency);

    [Fact]
    public void a_report_in_local_currencies_is_recorded_entry_by_entry()
    {
        var submitted = Submit(BudgetTests.Budgeted(), Row("C1", "2020-08-15", 980_000m, "KGS"), Row("E1", "2020-05-20", 6_200m, "USD")).Value;

        Assert.Equal(2, submitted.Entries.Count);
        Assert.All(submitted.Entries, e => Assert.True(e.Eligible));
        Assert.Equal(new Money(980_000m, "KGS"), submitted.Entries[0].Amount);
    }

    [Fact]
    public void a_supporting_file_is_recorded_with_its_fingerprint()
    {
        var fileId = Guid.NewGuid();
        var sha = new string('c', 64);

        var submitted = Submit(BudgetTests.Budgeted(), Row("E1", "2020-05-20", 6_200m, "USD") with { FileId = fileId, FileSha256 = sha }).Value;

        Assert.Equal((fileId, sha), (submitted.Entries[0].FileId, submitted.Entries[0].FileSha256));
    }

    [Fact]
    public void every_bad_row_is_named_and_nothing_is_recorded()
    {
        var result = Submit(BudgetTests.Budgeted(),
            Row("C1", "2020-08-15", 980_000m, "KGS"),
            Row("X9", "2020-08-15", 10m, "KGS"),
            Row("C1", "2020-08-15", 10m, "RUB"),
            Row("C1", "2020-10-01", 10.001m, "KGS", description: " "));

        Assert.Equal("invalid-expenditure-entries", Given.CodeOf(result));
        var rows = result.Error!.Rows!;
        Assert.DoesNotContain(rows, r => r.Row == 1);
        Assert.Contains(rows, r => r is { Row: 2, Field: "budgetLine" });
        Assert.Contains(rows, r => r is { Row: 3, Field: "currency" });
        Assert.Contains(rows, r => r is { Row: 4, Field: "amount" });
        Assert.Contains(rows, r => r is { Row: 4, Field: "date" });
        Assert.Contains(rows, r => r is { Row: 4, Field: "description" });
    }

    [Fact]
    public void an_expense_dated_outside_the_grant_window_is_ineligible_by_itself()
    {
        var grant = BudgetTests.Budgeted();
        var report = SubmitExpenditureReportDecision.Decide(grant, new SubmitExpenditureReport(Guid.NewGuid(), new LocalDate(2021, 7, 1),
            new LocalDate(2021, 12, 31), [Row("C1", "2021-10-10", 150_000m, "KZT")], Guid.NewGuid)).Value;

        var entry = Assert.Single(report.Entries);
        Assert.False(entry.Eligible);
        Assert.Contains("outside the grant window", entry.IneligibleReason);
        var reviewed = ReviewExpenditureDecision.Decide(grant.Evolve(report), new ReviewExpenditure(report.ReportId, [new EntryReview(entry.EntryId, true, null)]));
        Assert.Equal("invalid-review", Given.CodeOf(reviewed));
    }

    [Fact]
    public void a_rejection_needs_a_reason()
    {
        var grant = BudgetTests.Budgeted();
        var report = Submit(grant, Row("T1", "2020-09-10", 38_000m, "KGS")).Value;

        var result = ReviewExpenditureDecision.Decide(grant.Evolve(report), new ReviewExpenditure(report.ReportId, [new EntryReview(report.Entries[0].EntryId, false, " ")]));

        Assert.Equal("invalid-review", Given.CodeOf(result));
    }

    [Fact]
    public void spending_cannot_be_reported_before_there_is_a_budget() =>
        Assert.Equal("budget-not-set", Given.CodeOf(Submit(Given.Grant(Given.Awarded()), Row("C1", "2020-08-15", 1m, "KGS"))));

    [Fact]
    public void budget_vs_actual_values_accepted_spending_at_the_donor_and_the_actual_rate_and_shows_the_difference()
    {
        var grant = BudgetTests.Budgeted();
        var paid = Given.Paid(40_000m) with { ValueDate = new LocalDate(2020, 4, 20) };
        grant = grant.Evolve(paid).Evolve(new DisbursementReceived(grant.Id, paid.DisbursementId, new Money(3_600_000m, "KGS"))); // 90 KGS/EUR
        var report = Submit(grant, Row("C1", "2020-08-15", 1_000_000m, "KGS"), Row("P1", "2020-08-31", 50_000m, "KGS")).Value;
        grant = grant.Evolve(report).Evolve(new ExpenditureEntriesReviewed(grant.Id, report.ReportId,
            [new EntryReview(report.Entries[0].EntryId, true, null), new EntryReview(report.Entries[1].EntryId, false, "No payslips")]));
        var rates = FxRateTable.Empty.Evolve(new FxRateSet("KGS", new YearMonth(2020, 8), 80m, "test"));

        var actuals = BudgetVsActual.For(grant, rates);

        // 1,000,000 KGS at 80 per EUR = 12,500.00 (donor); at the 90 it arrived at = 11,111.11 (actual).
        Assert.Equal(Given.Eur(12_500m), actuals.Totals.SpentAtDonorRate);
        Assert.Equal(Given.Eur(11_111.11m), actuals.Totals.SpentAtActualRate);
        Assert.Equal(Given.Eur(-1_388.89m), actuals.Totals.FxDifference);
        Assert.Equal(Given.Eur(15_500m), actuals.Lines.Single(l => l.Line.Code == "C1").Figures.Remaining);
        Assert.Equal(Given.Eur(27_500m), actuals.UnspentBalance);
        Assert.Equal(0.3125m, actuals.SpendRatio);
        Assert.Equal(Given.Eur(12_500m), Assert.Single(actuals.BurnRate).Cumulative);
    }

    [Fact]
    public void conversion_rounds_once_per_line_half_away_from_zero()
    {
        var rates = FxRateTable.Empty.Evolve(new FxRateSet("KGS", new YearMonth(2020, 8), 8m, "test"));
        var valuation = new Valuation(rates, new Dictionary<string, decimal>());

        // 0.10 KGS / 8 = 0.0125 -> 0.01; 1.00 / 8 = 0.125 -> 0.13 (banker's rounding would give 0.12).
        Assert.Equal(Given.Eur(0.13m), valuation.AtDonorRate(new Money(1m, "KGS"), new LocalDate(2020, 8, 1)));
        Assert.Equal(Given.Eur(0.01m), valuation.AtDonorRate(new Money(0.10m, "KGS"), new LocalDate(2020, 8, 1)));
        Assert.Null(valuation.AtDonorRate(new Money(1m, "KGS"), new LocalDate(2020, 9, 1)));
    }
}
