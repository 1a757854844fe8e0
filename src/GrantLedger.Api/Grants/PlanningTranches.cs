using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Programmes;
using GrantLedger.Domain.Grants;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace GrantLedger.Api.Grants;

public sealed record AddTrancheRequest(decimal Amount, Guid? MilestoneId = null, long? ExpectedVersion = null);

public sealed record AmendTranchePlanRequest(IReadOnlyList<AmendedTranche> Tranches, string Reason, long? ExpectedVersion = null);

/// <summary>A line of the amended plan: keep an existing tranche by its id, or omit the id for a new one.</summary>
public sealed record AmendedTranche(decimal Amount, Guid? Id = null, Guid? MilestoneId = null);

public static class AddTrancheEndpoint
{
    public static ProblemDetails Validate(AddTrancheRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck()
            .That(request.ExpectedVersion is null or > 0, "expectedVersion", "must be a positive stream version.")
            .Result();

    [Authorize(Policy = Policies.Finance)]
    [WolverinePost("/api/grants/{grantId}/tranches")]
    public static async Task<IResult> Post(Guid grantId, AddTrancheRequest request, IDocumentSession session, HttpContext context)
    {
        var loaded = await session.ForWriting<Grant>(grantId, request.ExpectedVersion, "grant");
        if (loaded.Problem is not null)
        {
            return loaded.Problem;
        }

        var grant = loaded.Aggregate;

        var decision = AddTrancheDecision.Decide(grant, new AddTranche(Guid.NewGuid(), request.Amount, request.MilestoneId));
        if (await loaded.Commit(session, RequestMetadata.From(context), null, decision) is { } refused)
        {
            return refused;
        }
        return Results.Created($"/api/grants/{grantId}", new StreamCreated(decision.Value.TrancheId, loaded.NextVersion()));
    }
}

public static class AmendTranchePlanEndpoint
{
    public static ProblemDetails Validate(AmendTranchePlanRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck()
            .That(request.Tranches is { Count: > 0 } && request.Tranches.All(t => t is not null), "tranches", "must list at least one tranche.")
            .Text("reason", request.Reason, 2000)
            .That(request.ExpectedVersion is null or > 0, "expectedVersion", "must be a positive stream version.")
            .Result();

    /// <summary>Restates the whole plan (an amendment with a reason); the previous plan stays in the history.</summary>
    [Authorize(Policy = Policies.Finance)]
    [WolverinePut("/api/grants/{grantId}/tranches")]
    public static async Task<IResult> Put(Guid grantId, AmendTranchePlanRequest request, IDocumentSession session, HttpContext context)
    {
        var loaded = await session.ForWriting<Grant>(grantId, request.ExpectedVersion, "grant");
        if (loaded.Problem is not null)
        {
            return loaded.Problem;
        }

        var grant = loaded.Aggregate;

        var command = new AmendTranchePlan(
            request.Tranches.Select(t => new PlannedTranche(t.Id, t.Amount, t.MilestoneId, Guid.NewGuid())).ToList(), request.Reason.Trim());
        var decision = AmendTranchePlanDecision.Decide(grant, command);
        if (await loaded.Commit(session, RequestMetadata.From(context), command.Reason, decision) is { } refused)
        {
            return refused;
        }
        var amended = grant.Evolve(decision.Value);
        return Results.Ok(new TranchePlanResponse(loaded.NextVersion(),
            amended.Tranches.Select(t => TrancheView.From(amended, t)).ToList()));
    }
}

public sealed record TranchePlanResponse(long Version, IReadOnlyList<TrancheView> Tranches);
