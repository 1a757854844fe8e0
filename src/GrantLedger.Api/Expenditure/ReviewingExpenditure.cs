using System.Security.Claims;
using GrantLedger.Api.Currencies;
using GrantLedger.Api.Grants;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Milestones;
using GrantLedger.Domain.Budgets;
using GrantLedger.Domain.Currencies;
using GrantLedger.Domain.Expenditure;
using GrantLedger.Domain.Grants;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using Npgsql;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace GrantLedger.Api.Expenditure;

public sealed record EntryReviewRequest(Guid Id, bool Accepted, string? Reason = null);

public sealed record ReviewRequest(IReadOnlyList<EntryReviewRequest> Entries, long? ExpectedVersion = null);

public sealed record EntryView(Guid Id, Guid BudgetLineId, string? BudgetLineCode, LocalDate Date, string Description, decimal Amount,
    string Currency, decimal? EurAtDonorRate, decimal? EurAtActualRate, EntryStatus Status, string? Reason, string? FileUrl);

public sealed record ExpenditureReportView(Guid Id, LocalDate PeriodStart, LocalDate PeriodEnd, IReadOnlyList<EntryView> Entries);

public static class ReviewExpenditureEndpoint
{
    public static ProblemDetails Validate(ReviewRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck()
            .That(request.Entries is { Count: > 0 } && request.Entries.All(e => e is not null), "entries", "must list at least one entry decision.")
            .Each("entries", request.Entries, InputLimits.Entries, (check, field, entry) => check.MaxLength($"{field}.reason", entry.Reason, InputLimits.Reason))
            .Result();

    /// <summary>Finance accepts entries, or rejects them with a reason; ineligible entries cannot be accepted.</summary>
    [Authorize(Policy = Policies.Finance)]
    [WolverinePost("/api/grants/{grantId}/expenditure-reports/{reportId}/review")]
    public static Task<IResult> Post(Guid grantId, Guid reportId, ReviewRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new ReviewExpenditureCommand(grantId, reportId, request.Entries.Select(e => new EntryReview(e.Id, e.Accepted, e.Reason?.Trim())).ToList(),
            request.ExpectedVersion, RequestMetadata.From(context)), outcome => outcome.ToOk(), context.RequestAborted);
}

/// <summary>Finance's decisions on the entries of one expenditure report.</summary>
public sealed record ReviewExpenditureCommand(Guid GrantId, Guid ReportId, IReadOnlyList<EntryReview> Entries, long? ExpectedVersion,
    RequestMetadata Metadata) : IGrantCommand
{
    public string Reason => "expenditure review";
}

public static class ReviewExpenditureHandler
{
    /// <summary>Answers with the report as reviewed, valued at the rates known now.</summary>
    public static async Task<(CommandOutcome, Events)> Handle(ReviewExpenditureCommand command, [WriteAggregate(Required = false)] Grant? grant,
        IDocumentSession session)
    {
        var rates = await FxRateEndpoints.Load(session);
        return GrantCommands.Decide(command, grant, g => ReviewExpenditureDecision.Decide(g, new ReviewExpenditure(command.ReportId, command.Entries)),
            (review, _) =>
            {
                var reviewed = grant!.Evolve(review);
                return ExpenditureQueries.View(reviewed, reviewed.ExpenditureReports.Single(r => r.ReportId == command.ReportId), rates);
            });
    }
}

public static class ExpenditureQueries
{
    [Authorize(Policy = Policies.ReadGrants)]
    [WolverineGet("/api/grants/{grantId}/expenditure-reports")]
    public static async Task<IResult> List(Guid grantId, IQuerySession session, ClaimsPrincipal principal)
    {
        if (await GrantDetailsEndpoints.Visible(session, grantId, principal) is not { } grant)
        {
            return Problems.NotFound("grant", grantId);
        }

        var rates = await FxRateEndpoints.Load(session);
        return Results.Ok(grant.ExpenditureReports.Select(r => View(grant, r, rates)).ToList());
    }

    /// <summary>
    /// The entry's supporting file as uploaded, once its bytes are checked against the SHA-256 the
    /// <c>ExpenditureReportSubmitted</c> event recorded (<c>409 file-integrity-failed</c> if not).
    /// </summary>
    [Authorize(Policy = Policies.ReadGrants)]
    [WolverineGet("/api/grants/{grantId}/expenditure-reports/{reportId}/entries/{entryId}/file")]
    public static async Task<IResult> File(Guid grantId, Guid reportId, Guid entryId, IQuerySession session, ClaimsPrincipal principal,
        NpgsqlDataSource dataSource, ILoggerFactory loggers, CancellationToken cancellation)
    {
        var entry = (await GrantDetailsEndpoints.Visible(session, grantId, principal))?.ExpenditureReports
            .FirstOrDefault(r => r.ReportId == reportId)?.Entries.FirstOrDefault(e => e.Entry.EntryId == entryId)?.Entry;
        return entry?.FileId is { } fileId
            ? await EvidenceStore.Serve(session, dataSource, grantId, entryId, fileId, loggers, cancellation)
            : Problems.NotFound("supporting file for entry", entryId);
    }

    public static ExpenditureReportView View(Grant grant, ExpenditureReport report, FxRateTable rates)
    {
        var valuation = new Valuation(rates, BudgetVsActual.ArrivalRates(grant, rates));
        return new ExpenditureReportView(report.ReportId, report.PeriodStart, report.PeriodEnd, report.Entries.Select(e => new EntryView(
            e.Entry.EntryId, e.Entry.BudgetLineId, grant.Budget?.Line(e.Entry.BudgetLineId)?.Code, e.Entry.Date, e.Entry.Description,
            e.Entry.Amount.Amount, e.Entry.Amount.Currency, valuation.AtDonorRate(e.Entry.Amount, e.Entry.Date)?.Amount,
            valuation.AtActualRate(e.Entry.Amount)?.Amount, e.Status, e.Reason,
            e.Entry.FileId is null ? null : $"/api/grants/{grant.Id}/expenditure-reports/{report.ReportId}/entries/{e.Entry.EntryId}/file")).ToList());
    }
}
