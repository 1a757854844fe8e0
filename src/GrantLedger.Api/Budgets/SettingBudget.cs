using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Domain.Budgets;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace GrantLedger.Api.Budgets;

public sealed record BudgetLineRequest(string Heading, string Description, decimal Amount, string? Code = null);

public sealed record SetBudgetRequest(IReadOnlyList<BudgetLineRequest> Lines, long? ExpectedVersion = null);

public sealed record BudgetChangeRequest(Guid LineId, decimal Amount);

public sealed record ReviseBudgetRequest(IReadOnlyList<BudgetChangeRequest> Changes, string Reason, long? ExpectedVersion = null);

public sealed record BudgetWritten(long Version, IReadOnlyList<BudgetLine> Lines);

public static class SetBudgetEndpoint
{
    public static ProblemDetails Validate(SetBudgetRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck()
            .That(request.Lines is { Count: > 0 } && request.Lines.All(l => l is not null && !string.IsNullOrWhiteSpace(l.Heading) && !string.IsNullOrWhiteSpace(l.Description)),
                "lines", "must list budget lines, each with a heading and a description.")
            .Result();

    /// <summary>Sets the budget (lines summing to the grant amount, indirect costs within the cap). Replaceable until spending is reported.</summary>
    [Authorize(Policy = Policies.Finance)]
    [WolverinePut("/api/grants/{grantId}/budget")]
    public static async Task<IResult> Put(Guid grantId, SetBudgetRequest request, IDocumentSession session, HttpContext context)
    {
        var loaded = await session.ForWriting<Grant>(grantId, request.ExpectedVersion, "grant");
        if (loaded.Problem is not null)
        {
            return loaded.Problem;
        }

        var programme = await session.LoadAsync<Programme>(loaded.Aggregate.ProgrammeId);
        var lines = request.Lines.Select((l, i) => new PlannedBudgetLine(Guid.NewGuid(), l.Code ?? $"L{i + 1}", l.Heading.Trim(), l.Description, l.Amount)).ToList();
        var decision = SetBudgetDecision.Decide(loaded.Aggregate, programme!.Rules, new SetBudget(lines));
        if (await loaded.Commit(session, RequestMetadata.From(context), "budget set", decision) is { } refused)
        {
            return refused;
        }
        return Results.Ok(new BudgetWritten(loaded.NextVersion(), decision.Value.Lines));
    }
}

public static class ReviseBudgetEndpoint
{
    public static ProblemDetails Validate(ReviseBudgetRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck()
            .That(request.Changes is { Count: > 0 } && request.Changes.All(c => c is not null), "changes", "must list at least one line change.")
            .Text("reason", request.Reason, 2000)
            .Result();

    /// <summary>Moves money between lines with a reason, within the donor's reallocation cap per heading.</summary>
    [Authorize(Policy = Policies.Finance)]
    [WolverinePost("/api/grants/{grantId}/budget/revisions")]
    public static async Task<IResult> Post(Guid grantId, ReviseBudgetRequest request, IDocumentSession session, HttpContext context)
    {
        var loaded = await session.ForWriting<Grant>(grantId, request.ExpectedVersion, "grant");
        if (loaded.Problem is not null)
        {
            return loaded.Problem;
        }

        var programme = await session.LoadAsync<Programme>(loaded.Aggregate.ProgrammeId);
        var decision = ReviseBudgetDecision.Decide(loaded.Aggregate, programme!.Rules,
            new ReviseBudget(request.Changes.Select(c => (c.LineId, c.Amount)).ToList(), request.Reason.Trim()));
        if (await loaded.Commit(session, RequestMetadata.From(context), request.Reason.Trim(), decision) is { } refused)
        {
            return refused;
        }
        var revised = loaded.Aggregate.Evolve(decision.Value);
        return Results.Created($"/api/grants/{grantId}/budget", new BudgetWritten(loaded.NextVersion(), revised.Budget!.Lines));
    }
}
