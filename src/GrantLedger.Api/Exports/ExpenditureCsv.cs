using System.Runtime.CompilerServices;
using GrantLedger.Domain;
using GrantLedger.Domain.Budgets;
using GrantLedger.Domain.Currencies;
using GrantLedger.Domain.Expenditure;
using GrantLedger.Domain.Grants;

namespace GrantLedger.Api.Exports;

/// <summary>
/// Every reported expenditure entry of the grants in scope whose expense date is in the period, with its review and its
/// EUR value at the donor's rate; spent figures (and the FX difference against the actual rate) for accepted ones only.
/// </summary>
public sealed class ExpenditureCsv : CsvExport<ExpenditureCsv.Row>
{
    public sealed record Row(string Programme, Grant Grant, ExpenditureReport Report, ReportedEntry Entry, BudgetLine? Line, Money? Donor,
        Money? Actual)
    {
        public bool Accepted => Entry.Status == EntryStatus.Accepted;
    }

    public override string Kind => "expenditure";

    protected override IReadOnlyList<(string Header, Func<Row, string?> Cell)> Columns { get; } =
    [
        ("programme", r => r.Programme),
        ("grantId", r => r.Grant.Id.ToString()),
        ("grantee", r => r.Grant.Grantee),
        ("reportId", r => r.Report.ReportId.ToString()),
        ("periodStart", r => Date(r.Report.PeriodStart)),
        ("periodEnd", r => Date(r.Report.PeriodEnd)),
        ("entryId", r => r.Entry.Entry.EntryId.ToString()),
        ("date", r => Date(r.Entry.Entry.Date)),
        ("budgetLine", r => r.Line?.Code),
        ("heading", r => r.Line?.Heading),
        ("description", r => r.Entry.Entry.Description),
        ("amount", r => Amount(r.Entry.Entry.Amount.Amount)),
        ("currency", r => r.Entry.Entry.Amount.Currency),
        ("status", r => r.Entry.Status.ToString().ToLowerInvariant()),
        ("reason", r => r.Entry.Reason),
        ("eurAtDonorRate", r => Amount(r.Donor?.Amount)),
        ("spentEurAtDonorRate", r => r.Accepted ? Amount(r.Donor?.Amount) : null),
        ("spentEurAtActualRate", r => r.Accepted ? Amount(r.Actual?.Amount) : null),
        ("fxDifference", r => r.Accepted && r.Donor is { } donor && r.Actual is { } actual ? Amount(actual.Amount - donor.Amount) : null),
    ];

    public override (ExportPeriod? Period, IResult? Problem) Period(string? from, string? to) => ExportPeriod.Dates(Kind, from, to);

    protected override async IAsyncEnumerable<Row> Read(CsvExportRequest request, [EnumeratorCancellation] CancellationToken cancellation)
    {
        var (rates, grants) = await FoldedGrants(request, cancellation);
        foreach (var (programme, grant) in grants)
        {
            var valuation = new Valuation(rates, BudgetVsActual.ArrivalRates(grant, rates));
            var lines = grant.Budget?.Lines.ToDictionary(l => l.LineId) ?? [];
            foreach (var report in grant.ExpenditureReports)
            {
                foreach (var entry in report.Entries.Where(e => request.Period.Contains(e.Entry.Date)))
                {
                    yield return new Row(programme, grant, report, entry, lines.GetValueOrDefault(entry.Entry.BudgetLineId),
                        valuation.AtDonorRate(entry.Entry.Amount, entry.Entry.Date), valuation.AtActualRate(entry.Entry.Amount));
                }
            }
        }
    }
}
