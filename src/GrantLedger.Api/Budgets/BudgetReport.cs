using System.Security.Claims;
using GrantLedger.Api.Currencies;
using GrantLedger.Api.Grants;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Domain;
using GrantLedger.Domain.Budgets;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using Marten;
using Microsoft.AspNetCore.Authorization;
using NodaTime;
using Wolverine.Http;

namespace GrantLedger.Api.Budgets;

public sealed record FiguresView(decimal Planned, decimal SpentAtDonorRate, decimal SpentAtActualRate, decimal FxDifference,
    decimal Remaining, decimal PendingReview, int UnvaluedEntries)
{
    public static FiguresView From(SpendFigures f) =>
        new(f.Planned.Amount, f.SpentAtDonorRate.Amount, f.SpentAtActualRate.Amount, f.FxDifference.Amount, f.Remaining.Amount,
            f.PendingReview.Amount, f.UnvaluedEntries);
}

public sealed record LineView(Guid Id, string Code, string Heading, string Description, decimal Amount, FiguresView Actuals);

public sealed record HeadingView(string Heading, decimal Original, decimal Planned, decimal MovedSinceBaseline, FiguresView Actuals);

public sealed record BurnView(YearMonth Month, decimal Spent, decimal Cumulative);

public sealed record GrantBudgetResponse(
    Guid GrantId,
    string Grantee,
    string Currency,
    bool BudgetSet,
    FiguresView Totals,
    decimal Disbursed,
    decimal UnspentBalance,
    decimal? SpendRatio,
    decimal SpendThreshold,
    IReadOnlyList<LineView> Lines,
    IReadOnlyList<HeadingView> Headings,
    IReadOnlyList<BurnView> BurnRate,
    IReadOnlyDictionary<string, decimal> ArrivalRates,
    long Version);

public sealed record ProgrammeHeadingView(string Heading, FiguresView Actuals);

public sealed record ProgrammeBudgetResponse(Guid ProgrammeId, decimal Allocation, decimal Disbursed, FiguresView Totals,
    IReadOnlyList<ProgrammeHeadingView> Headings, IReadOnlyList<GrantBudgetResponse> Grants);

/// <summary>Budget against actual in EUR, at the donor rate and at the rate the money arrived, with the difference shown.</summary>
public static class BudgetReportEndpoints
{
    [Authorize(Policy = Policies.ReadGrants)]
    [WolverineGet("/api/grants/{grantId}/budget")]
    public static async Task<IResult> ForGrant(Guid grantId, IQuerySession session, ClaimsPrincipal principal)
    {
        if (await GrantDetailsEndpoints.Visible(session, grantId, principal) is not { } grant)
        {
            return Problems.NotFound("grant", grantId);
        }

        var programme = await session.LoadAsync<Programme>(grant.ProgrammeId);
        return Results.Ok(View(grant, programme!.Rules, await FxRateEndpoints.Load(session)));
    }

    [Authorize(Policy = Policies.ReadProgrammes)]
    [WolverineGet("/api/programmes/{programmeId}/budget")]
    public static async Task<IResult> ForProgramme(Guid programmeId, IQuerySession session)
    {
        if (await session.LoadAsync<Programme>(programmeId) is not { } programme)
        {
            return Problems.NotFound("programme", programmeId);
        }

        var rates = await FxRateEndpoints.Load(session);
        var grants = await session.Query<Grant>().Where(g => g.ProgrammeId == programmeId).ToListAsync();
        var actuals = grants.Select(g => (Grant: g, Actuals: BudgetVsActual.For(g, rates))).ToList();
        var currency = programme.Currency;
        FiguresView Sum(IEnumerable<SpendFigures> figures)
        {
            var list = figures.ToList();
            return FiguresView.From(new SpendFigures(
                list.Select(f => f.Planned).Sum(currency), list.Select(f => f.SpentAtDonorRate).Sum(currency),
                list.Select(f => f.SpentAtActualRate).Sum(currency), list.Select(f => f.FxDifference).Sum(currency),
                list.Select(f => f.Remaining).Sum(currency), list.Select(f => f.PendingReview).Sum(currency), list.Sum(f => f.UnvaluedEntries)));
        }

        var headings = programme.Rules.Headings
            .Select(h => new ProgrammeHeadingView(h, Sum(actuals.SelectMany(a => a.Actuals.Headings.Where(x => x.Heading == h).Select(x => x.Figures)))))
            .ToList();
        return Results.Ok(new ProgrammeBudgetResponse(programme.Id, programme.Allocation.Amount,
            grants.Select(g => g.Disbursed).Sum(currency).Amount, Sum(actuals.Select(a => a.Actuals.Totals)), headings,
            actuals.Select(a => View(a.Grant, programme.Rules, rates)).ToList()));
    }

    public static GrantBudgetResponse View(Grant grant, BudgetRules rules, Domain.Currencies.FxRateTable rates)
    {
        var actuals = BudgetVsActual.For(grant, rates);
        return new GrantBudgetResponse(grant.Id, grant.Grantee, grant.Currency, grant.Budget is not null,
            FiguresView.From(actuals.Totals), actuals.Disbursed.Amount, actuals.UnspentBalance.Amount, actuals.SpendRatio, rules.SpendThreshold,
            actuals.Lines.Select(l => new LineView(l.Line.LineId, l.Line.Code, l.Line.Heading, l.Line.Description, l.Line.Amount.Amount,
                FiguresView.From(l.Figures))).ToList(),
            actuals.Headings.Select(h => new HeadingView(h.Heading, h.Original.Amount, h.Figures.Planned.Amount,
                (h.Figures.Planned - h.Original).Amount, FiguresView.From(h.Figures))).ToList(),
            actuals.BurnRate.Select(b => new BurnView(b.Month, b.Spent.Amount, b.Cumulative.Amount)).ToList(),
            actuals.ArrivalRates.ToDictionary(r => r.Key, r => decimal.Round(r.Value, 6)),
            grant.Version);
    }
}
