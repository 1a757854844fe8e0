using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Domain.Budgets;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

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
            .Each("lines", request.Lines, InputLimits.BudgetLines, Line)
            .Result();

    /// <summary>The bounds of one budget line's text, wherever lines are sent (a budget, an amendment).</summary>
    public static void Line(RequestCheck check, string field, BudgetLineRequest line) => check
        .MaxLength($"{field}.heading", line.Heading, InputLimits.Heading)
        .MaxLength($"{field}.description", line.Description, InputLimits.Description)
        .MaxLength($"{field}.code", line.Code, InputLimits.Code);

    /// <summary>Sets the budget (lines summing to the grant amount, indirect costs within the cap). Replaceable until spending is reported.</summary>
    [Authorize(Policy = Policies.Finance)]
    [WolverinePut("/api/grants/{grantId}/budget")]
    public static Task<IResult> Put(Guid grantId, SetBudgetRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new SetBudgetCommand(grantId, request.Lines.Select((l, i) =>
                new PlannedBudgetLine(Guid.NewGuid(), l.Code ?? $"L{i + 1}", l.Heading.Trim(), l.Description, l.Amount)).ToList(),
            request.ExpectedVersion, RequestMetadata.From(context)), outcome => outcome.ToOk(), context.RequestAborted);
}

/// <summary>Finance sets a grant's budget lines under the programme's headings.</summary>
public sealed record SetBudgetCommand(Guid GrantId, IReadOnlyList<PlannedBudgetLine> Lines, long? ExpectedVersion, RequestMetadata Metadata) : IGrantCommand
{
    public string Reason => "budget set";
}

/// <summary>Finance moves money between budget lines, with a reason.</summary>
public sealed record ReviseBudgetCommand(Guid GrantId, IReadOnlyList<(Guid LineId, decimal Amount)> Changes, string Reason, long? ExpectedVersion,
    RequestMetadata Metadata) : IGrantCommand;

/// <summary>Budget decisions need the programme's rules (headings, caps) beside the grant.</summary>
public static class SetBudgetHandler
{
    public static async Task<(CommandOutcome, Events)> Handle(SetBudgetCommand command, [WriteAggregate(Required = false)] Grant? grant, IDocumentSession session)
    {
        var rules = grant is null ? null : (await session.LoadAsync<Programme>(grant.ProgrammeId))!.Rules;
        return GrantCommands.Decide(command, grant, g => SetBudgetDecision.Decide(g, rules!, new SetBudget(command.Lines)),
            (set, version) => new BudgetWritten(version, set.Lines));
    }

}

public static class ReviseBudgetHandler
{
    public static async Task<(CommandOutcome, Events)> Handle(ReviseBudgetCommand command, [WriteAggregate(Required = false)] Grant? grant, IDocumentSession session)
    {
        var rules = grant is null ? null : (await session.LoadAsync<Programme>(grant.ProgrammeId))!.Rules;
        return GrantCommands.Decide(command, grant, g => ReviseBudgetDecision.Decide(g, rules!, new ReviseBudget(command.Changes, command.Reason)),
            (revision, version) => new BudgetWritten(version, grant!.Evolve(revision).Budget!.Lines));
    }
}

public static class ReviseBudgetEndpoint
{
    public static ProblemDetails Validate(ReviseBudgetRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck()
            .That(request.Changes is { Count: > 0 } && request.Changes.All(c => c is not null), "changes", "must list at least one line change.")
            .Count("changes", request.Changes, InputLimits.BudgetLines)
            .Text("reason", request.Reason, InputLimits.Reason)
            .Result();

    /// <summary>Moves money between lines with a reason, within the donor's reallocation cap per heading.</summary>
    [Authorize(Policy = Policies.Finance)]
    [WolverinePost("/api/grants/{grantId}/budget/revisions")]
    public static Task<IResult> Post(Guid grantId, ReviseBudgetRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new ReviseBudgetCommand(grantId, request.Changes.Select(c => (c.LineId, c.Amount)).ToList(), request.Reason.Trim(), request.ExpectedVersion,
            RequestMetadata.From(context)), $"/api/grants/{grantId}/budget", context.RequestAborted);
}
