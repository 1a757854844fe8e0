using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Domain.Grants;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace GrantLedger.Api.Grants;

public sealed record ReverseDisbursementRequest(string Reason, long? ExpectedVersion = null);

public sealed record ReversalRecorded(Guid DisbursementId, long Version);

public static class ReverseDisbursementEndpoint
{
    public static ProblemDetails Validate(ReverseDisbursementRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck()
            .Text("reason", request.Reason, InputLimits.Reason)
            .That(request.ExpectedVersion is null or > 0, "expectedVersion", "must be a positive stream version.")
            .Result();

    [Authorize(Policy = Policies.Finance)]
    [WolverinePost("/api/grants/{grantId}/disbursements/{disbursementId}/reversal")]
    public static Task<IResult> Post(Guid grantId, Guid disbursementId, ReverseDisbursementRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new ReverseDisbursementCommand(grantId, disbursementId, request.Reason.Trim(), request.ExpectedVersion, RequestMetadata.From(context)),
            $"/api/grants/{grantId}/disbursements/{disbursementId}", context.RequestAborted);
}

/// <summary>Finance corrects a payment recorded in error: a new event with the reason; nothing is edited.</summary>
public sealed record ReverseDisbursementCommand(Guid GrantId, Guid DisbursementId, string Reason, long? ExpectedVersion, RequestMetadata Metadata)
    : IGrantCommand;

public static class ReverseDisbursementHandler
{
    public static (CommandOutcome, Events) Handle(ReverseDisbursementCommand command, [WriteAggregate(Required = false)] Grant? grant) =>
        GrantCommands.Decide(command, grant, g => ReverseDisbursementDecision.Decide(g, new ReverseDisbursement(command.DisbursementId, command.Reason)),
            version => new ReversalRecorded(command.DisbursementId, version));
}
