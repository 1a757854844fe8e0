using System.Runtime.CompilerServices;
using GrantLedger.Api.Http;
using GrantLedger.Domain.Budgets;
using GrantLedger.Domain.Grants;

namespace GrantLedger.Api.Exports;

/// <summary>Each budget line of each grant in scope against what was spent, as of the instant (the whole grant, no period).</summary>
public sealed class BudgetVsActualCsv : CsvExport<BudgetVsActualCsv.Row>
{
    public sealed record Row(string Programme, Grant Grant, LineActuals Line);

    public override string Kind => "budget-vs-actual";

    protected override IReadOnlyList<(string Header, Func<Row, string?> Cell)> Columns { get; } =
    [
        ("programme", r => r.Programme),
        ("grantId", r => r.Grant.Id.ToString()),
        ("grantee", r => r.Grant.Grantee),
        ("budgetLine", r => r.Line.Line.Code),
        ("heading", r => r.Line.Line.Heading),
        ("description", r => r.Line.Line.Description),
        ("planned", r => Amount(r.Line.Figures.Planned.Amount)),
        ("spentAtDonorRate", r => Amount(r.Line.Figures.SpentAtDonorRate.Amount)),
        ("spentAtActualRate", r => Amount(r.Line.Figures.SpentAtActualRate.Amount)),
        ("fxDifference", r => Amount(r.Line.Figures.FxDifference.Amount)),
        ("remaining", r => Amount(r.Line.Figures.Remaining.Amount)),
        ("pendingReview", r => Amount(r.Line.Figures.PendingReview.Amount)),
        ("unvaluedEntries", r => Number(r.Line.Figures.UnvaluedEntries)),
    ];

    public override (ExportPeriod? Period, IResult? Problem) Period(string? from, string? to) =>
        from is null && to is null
            ? (ExportPeriod.Whole, null)
            : (null, Problems.BadRequest("malformed-request", "from and to do not apply to budget-vs-actual: it is the whole grant as of asOf."));

    protected override async IAsyncEnumerable<Row> Read(CsvExportRequest request, [EnumeratorCancellation] CancellationToken cancellation)
    {
        var (rates, grants) = await FoldedGrants(request, cancellation);
        foreach (var (programme, grant) in grants)
        {
            foreach (var line in BudgetVsActual.For(grant, rates).Lines)
            {
                yield return new Row(programme, grant, line);
            }
        }
    }
}
