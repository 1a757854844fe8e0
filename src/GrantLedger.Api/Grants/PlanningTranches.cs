using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Programmes;
using GrantLedger.Domain.Grants;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace GrantLedger.Api.Grants;

public sealed record AddTrancheRequest(decimal Amount, Guid? MilestoneId = null, long? ExpectedVersion = null);

public sealed record AmendTranchePlanRequest(IReadOnlyList<AmendedTranche> Tranches, string Reason, long? ExpectedVersion = null);

/// <summary>A line of the amended plan: keep an existing tranche by its id, or omit the id for a new one.</summary>
public sealed record AmendedTranche(decimal Amount, Guid? Id = null, Guid? MilestoneId = null);

public static class AddTrancheEndpoint
{
    public static ProblemDetails Validate(AddTrancheRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck()
            .ExpectedVersion(request.ExpectedVersion)
            .Result();

    [Authorize(Policy = Policies.Finance)]
    [WolverinePost("/api/grants/{grantId}/tranches")]
    public static Task<IResult> Post(Guid grantId, AddTrancheRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new AddTrancheCommand(grantId, request.Amount, request.MilestoneId, request.ExpectedVersion, RequestMetadata.From(context)),
            $"/api/grants/{grantId}", context.RequestAborted);
}

/// <summary>Finance adds a tranche to the grant's payment plan, optionally gated by a milestone.</summary>
public sealed record AddTrancheCommand(Guid GrantId, decimal Amount, Guid? MilestoneId, long? ExpectedVersion, RequestMetadata Metadata) : IGrantCommand
{
    public string? Reason => null;
}

/// <summary>Finance restates the whole plan (an amendment with a reason); the previous plan stays in the history.</summary>
public sealed record AmendTranchePlanCommand(Guid GrantId, IReadOnlyList<AmendedTranche> Tranches, string Reason, long? ExpectedVersion,
    RequestMetadata Metadata) : IGrantCommand;

public static class AddTrancheHandler
{
    public static (CommandOutcome, Events) Handle(AddTrancheCommand command, [WriteAggregate(Required = false)] Grant? grant) =>
        GrantCommands.Decide(command, grant, g => AddTrancheDecision.Decide(g, new AddTranche(Guid.NewGuid(), command.Amount, command.MilestoneId)),
            (added, version) => new StreamCreated(added.TrancheId, version));
}

public static class AmendTranchePlanHandler
{
    public static (CommandOutcome, Events) Handle(AmendTranchePlanCommand command, [WriteAggregate(Required = false)] Grant? grant) =>
        GrantCommands.Decide(command, grant, g => AmendTranchePlanDecision.Decide(g, new AmendTranchePlan(
                command.Tranches.Select(t => new PlannedTranche(t.Id, t.Amount, t.MilestoneId, Guid.NewGuid())).ToList(), command.Reason)),
            (amendment, version) =>
            {
                var amended = grant!.Evolve(amendment);
                return new TranchePlanResponse(version, amended.Tranches.Select(t => TrancheView.From(amended, t)).ToList());
            });
}

public static class AmendTranchePlanEndpoint
{
    public static ProblemDetails Validate(AmendTranchePlanRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck()
            .That(request.Tranches is { Count: > 0 } && request.Tranches.All(t => t is not null), "tranches", "must list at least one tranche.")
            .Count("tranches", request.Tranches, InputLimits.Tranches)
            .Text("reason", request.Reason, InputLimits.Reason)
            .ExpectedVersion(request.ExpectedVersion)
            .Result();

    [Authorize(Policy = Policies.Finance)]
    [WolverinePut("/api/grants/{grantId}/tranches")]
    public static Task<IResult> Put(Guid grantId, AmendTranchePlanRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new AmendTranchePlanCommand(grantId, request.Tranches, request.Reason.Trim(), request.ExpectedVersion, RequestMetadata.From(context)),
            outcome => outcome.ToOk(), context.RequestAborted);
}

public sealed record TranchePlanResponse(long Version, IReadOnlyList<TrancheView> Tranches);
