using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Notifications;
using GrantLedger.Api.Programmes;
using GrantLedger.Domain.Grants;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;
using Marten;
using NodaTime;

namespace GrantLedger.Api.Grants;

public sealed record ApproveDisbursementRequest(string? Note = null, long? ExpectedVersion = null);

public sealed record RejectDisbursementRequest(string Reason, long? ExpectedVersion = null);

public sealed record DisbursementDecided(Guid Id, long Version, string Status);

/// <summary>Four eyes: a second person, holding the approver role, releases a payment awaiting approval (never their own).</summary>
public sealed record ApproveDisbursementCommand(Guid GrantId, Guid DisbursementId, string? Note, long? ExpectedVersion, RequestMetadata Metadata)
    : IGrantCommand
{
    public string? Reason => Note ?? "approved";
}

/// <summary>Four eyes: the second person turns a payment awaiting approval down, with a reason.</summary>
public sealed record RejectDisbursementCommand(Guid GrantId, Guid DisbursementId, string Reason, long? ExpectedVersion, RequestMetadata Metadata)
    : IGrantCommand;

public static class ApproveDisbursementHandler
{
    /// <summary>The payment's document: a payment nothing waits on is held by the snapshot only in its sums (ADR 0018),
    /// and approving it again must say it is not awaiting approval, not that it does not exist.</summary>
    public static Task<GrantPayment?> LoadAsync(ApproveDisbursementCommand command, IDocumentSession session) =>
        session.LoadAsync<GrantPayment>(command.DisbursementId);

    /// <summary>The payment's value date must still lie in an open month: the guard in the commit checks it (ADR 0015).</summary>
    public static (CommandOutcome, Events, OutgoingMessages) Handle(ApproveDisbursementCommand command, [WriteAggregate(Required = false)] Grant? grant,
        GrantPayment? payment, IDocumentSession session, IClock clock)
    {
        var decided = GrantCommands.Decide(command, grant,
            g => ApproveDisbursementDecision.Decide(g.Holding(payment), new ApproveDisbursement(command.DisbursementId, command.Metadata.UserId)),
            version => new DisbursementDecided(command.DisbursementId, version, "recorded"));
        if (decided.Item1.Accepted && grant!.FindDisbursement(command.DisbursementId) is { } approved)
        {
            session.GuardOpenPeriod(grant.ProgrammeId, approved.ValueDate);
        }

        return decided.Notifying(grant, session, clock);
    }
}

public static class RejectDisbursementHandler
{
    /// <inheritdoc cref="ApproveDisbursementHandler.LoadAsync"/>
    public static Task<GrantPayment?> LoadAsync(RejectDisbursementCommand command, IDocumentSession session) =>
        session.LoadAsync<GrantPayment>(command.DisbursementId);

    public static (CommandOutcome, Events) Handle(RejectDisbursementCommand command, [WriteAggregate(Required = false)] Grant? grant, GrantPayment? payment) =>
        GrantCommands.Decide(command, grant,
            g => RejectDisbursementDecision.Decide(g.Holding(payment), new RejectDisbursement(command.DisbursementId, command.Reason, command.Metadata.UserId)),
            version => new DisbursementDecided(command.DisbursementId, version, "rejected"));
}

public static class ApproveDisbursementEndpoint
{
    /// <summary>The body is optional; a note, when sent, is bounded like any reason.</summary>
    public static ProblemDetails Validate(ApproveDisbursementRequest? request) =>
        new RequestCheck().MaxLength("note", request?.Note, InputLimits.Reason).Result();

    [Authorize(Policy = Policies.Approve)]
    [WolverinePost("/api/grants/{grantId}/disbursements/{disbursementId}/approval")]
    public static Task<IResult> Post(Guid grantId, Guid disbursementId, ApproveDisbursementRequest? request, IMessageBus bus, HttpContext context) =>
        bus.Send(new ApproveDisbursementCommand(grantId, disbursementId, string.IsNullOrWhiteSpace(request?.Note) ? null : request.Note.Trim(),
            request?.ExpectedVersion, RequestMetadata.From(context)), $"/api/grants/{grantId}/disbursements/{disbursementId}", context.RequestAborted);
}

public static class RejectDisbursementEndpoint
{
    public static ProblemDetails Validate(RejectDisbursementRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck().Text("reason", request.Reason, InputLimits.Reason).Result();

    [Authorize(Policy = Policies.Approve)]
    [WolverinePost("/api/grants/{grantId}/disbursements/{disbursementId}/rejection")]
    public static Task<IResult> Post(Guid grantId, Guid disbursementId, RejectDisbursementRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new RejectDisbursementCommand(grantId, disbursementId, request.Reason.Trim(), request.ExpectedVersion, RequestMetadata.From(context)),
            $"/api/grants/{grantId}/disbursements/{disbursementId}", context.RequestAborted);
}
