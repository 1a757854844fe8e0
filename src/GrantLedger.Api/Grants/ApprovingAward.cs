using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace GrantLedger.Api.Grants;

public sealed record AwardDecided(Guid Id, long Version, string Status);

/// <summary>Four eyes: a second person, holding the approver role, approves an award at or above the threshold (never their own).</summary>
public sealed record ApproveAwardCommand(Guid GrantId, string? Note, long? ExpectedVersion, RequestMetadata Metadata) : IGrantCommand
{
    public string? Reason => Note ?? "award approved";
}

/// <summary>Four eyes: the second person turns an award down; the programme releases the commitment.</summary>
public sealed record RejectAwardCommand(Guid GrantId, string Reason, long? ExpectedVersion, RequestMetadata Metadata) : IGrantCommand;

public static class ApproveAwardHandler
{
    public static (CommandOutcome, Events) Handle(ApproveAwardCommand command, [WriteAggregate(Required = false)] Grant? grant) =>
        GrantCommands.Decide(command, grant, g => AwardApprovalDecision.Approve(g, command.Metadata.UserId),
            version => new AwardDecided(command.GrantId, version, "approved"));
}

public static class RejectAwardHandler
{
    /// <summary>
    /// Hand-written, not through the one door's single-stream workflow (ADR 0010): it writes two streams, the rejection
    /// on the grant and the released commitment on the programme (loaded for writing, so a concurrent award is a 409).
    /// </summary>
    public static async Task<CommandOutcome> Handle(RejectAwardCommand command, IDocumentSession session)
    {
        var grant = await session.ForWriting<Grant>(command.GrantId, command.ExpectedVersion, "grant");
        if (grant.Problem is not null)
        {
            return new CommandOutcome(grant.Problem);
        }

        if (GrantCommands.Refusal(command, grant.Aggregate) is { } refused)
        {
            return refused;
        }

        var decision = AwardApprovalDecision.Reject(grant.Aggregate, command.Reason, command.Metadata.UserId);
        if (!decision.IsSuccess)
        {
            return CommandOutcome.Refused(decision.Error!);
        }

        var programme = await session.ForWriting<Programme>(grant.Aggregate.ProgrammeId, null, "programme");
        if (programme.Problem is not null)
        {
            return new CommandOutcome(programme.Problem);
        }

        grant.Stream.AppendOne(decision.Value.Rejected);
        programme.Stream.AppendOne(decision.Value.Released);
        var version = grant.NextVersion();
        return new CommandOutcome(null, version, new AwardDecided(command.GrantId, version, "rejected"));
    }
}

public static class ApproveAwardEndpoint
{
    public static ProblemDetails Validate(ApproveDisbursementRequest? request) =>
        request is null ? WolverineContinue.NoProblems : RequestCheck.Approval(request.Note, request.ExpectedVersion);

    [Authorize(Policy = Policies.Approve)]
    [WolverinePost("/api/grants/{grantId}/award/approval")]
    public static Task<IResult> Post(Guid grantId, ApproveDisbursementRequest? request, IMessageBus bus, HttpContext context) =>
        bus.Send(new ApproveAwardCommand(grantId, string.IsNullOrWhiteSpace(request?.Note) ? null : request.Note.Trim(), request?.ExpectedVersion,
            RequestMetadata.From(context)), $"/api/grants/{grantId}", context.RequestAborted);
}

public static class RejectAwardEndpoint
{
    public static ProblemDetails Validate(RejectDisbursementRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : RequestCheck.Reasoned(request.Reason, request.ExpectedVersion);

    [Authorize(Policy = Policies.Approve)]
    [WolverinePost("/api/grants/{grantId}/award/rejection")]
    public static Task<IResult> Post(Guid grantId, RejectDisbursementRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new RejectAwardCommand(grantId, request.Reason.Trim(), request.ExpectedVersion, RequestMetadata.From(context)),
            $"/api/grants/{grantId}", context.RequestAborted);
}
