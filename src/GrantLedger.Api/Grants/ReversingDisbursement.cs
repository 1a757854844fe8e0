using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Notifications;
using GrantLedger.Api.Programmes;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;
using NodaTime;

namespace GrantLedger.Api.Grants;

public sealed record ReverseDisbursementRequest(string Reason, long? ExpectedVersion = null);

/// <param name="Status"><c>reversed</c>, or <c>awaiting-approval</c> at or above the threshold (then <c>rule</c> is <c>reversal</c>).</param>
public sealed record ReversalRecorded(Guid DisbursementId, long Version, string Status = "reversed", string? Rule = null);

public static class ReverseDisbursementEndpoint
{
    public static ProblemDetails Validate(ReverseDisbursementRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : RequestCheck.Reasoned(request.Reason, request.ExpectedVersion);

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
    /// <summary>
    /// Hand-written, not through the one door's single-stream workflow (ADR 0010): the decision needs the programme's
    /// approval rules as well as the grant, both read in one round trip.
    /// </summary>
    public static async Task<CommandOutcome> Handle(ReverseDisbursementCommand command, IDocumentSession session, IMessageBus bus, IClock clock)
    {
        var reads = session.CreateBatchQuery();
        var streamRead = reads.Events.FetchForWriting<Grant>(command.GrantId);
        var programmeRead = reads.ProgrammeOfGrant(command.GrantId);
        var paymentRead = reads.Load<GrantPayment>(command.DisbursementId);
        await reads.Execute();
        var stream = await streamRead;
        if (GrantCommands.Refusal(command, stream.Aggregate) is { } refused)
        {
            return refused;
        }

        var grant = stream.Aggregate!.Holding(await paymentRead);
        var programme = await programmeRead
            ?? throw new InvalidOperationException($"Grant {grant.Id} names unknown programme {grant.ProgrammeId}.");
        // A reversal is booked on the day it is made, also for a payment in a closed month (the event still names that
        // payment): refused only when today's month is closed.
        var today = PeriodGuard.Today(clock, grant.TimeZone);
        if (programme.Books.Refusal(today) is { } closed)
        {
            return CommandOutcome.Refused(closed);
        }

        var decision = ReverseDisbursementDecision.Request(grant,
            new ReverseDisbursement(command.DisbursementId, command.Reason, command.Metadata.UserId), programme.Approval);
        if (!decision.IsSuccess)
        {
            return CommandOutcome.Refused(decision.Error!);
        }

        stream.AppendOne(decision.Value);
        session.GuardOpenPeriod(grant.ProgrammeId, today);
        await LedgerNotices.Record(session, bus, grant, [decision.Value], clock.GetCurrentInstant());
        var version = grant.Version + 1;
        return new CommandOutcome(null, version, decision.Value is ReversalRequested
            ? new ReversalRecorded(command.DisbursementId, version, "awaiting-approval", FourEyesRule.Reversal)
            : new ReversalRecorded(command.DisbursementId, version));
    }
}

/// <summary>Four eyes on a reversal at or above the threshold: a second person approves (the reversal applies) or rejects it.</summary>
public sealed record DecideReversalCommand(Guid GrantId, Guid DisbursementId, bool Approve, string? Note, long? ExpectedVersion, RequestMetadata Metadata)
    : IGrantCommand
{
    public string? Reason => Note ?? (Approve ? "reversal approved" : "reversal rejected");
}

public static class DecideReversalHandler
{
    public static (CommandOutcome, Events, OutgoingMessages) Handle(DecideReversalCommand command, [WriteAggregate(Required = false)] Grant? grant,
        IDocumentSession session, IClock clock)
    {
        var decided = GrantCommands.Decide(command, grant,
            g => ReverseDisbursementDecision.DecideRequested(g, new DecideReversal(command.DisbursementId, command.Approve, command.Metadata.UserId, command.Note)),
            version => new ReversalRecorded(command.DisbursementId, version, command.Approve ? "reversed" : "reversal-rejected"));
        if (decided.Item1.Accepted && command.Approve)
        {
            // The approved reversal is booked today: the guard in the commit refuses it if today's month is closed (ADR 0015).
            session.GuardOpenPeriod(grant!.ProgrammeId, PeriodGuard.Today(clock, grant.TimeZone));
        }

        return decided.Notifying(grant, session, clock);
    }
}

public static class ApproveReversalEndpoint
{
    public static ProblemDetails Validate(ApproveDisbursementRequest? request) =>
        request is null ? WolverineContinue.NoProblems : RequestCheck.Approval(request.Note, request.ExpectedVersion);

    [Authorize(Policy = Policies.Approve)]
    [WolverinePost("/api/grants/{grantId}/disbursements/{disbursementId}/reversal/approval")]
    public static Task<IResult> Post(Guid grantId, Guid disbursementId, ApproveDisbursementRequest? request, IMessageBus bus, HttpContext context) =>
        bus.Send(new DecideReversalCommand(grantId, disbursementId, true, string.IsNullOrWhiteSpace(request?.Note) ? null : request.Note.Trim(),
            request?.ExpectedVersion, RequestMetadata.From(context)), $"/api/grants/{grantId}/disbursements/{disbursementId}", context.RequestAborted);
}

public static class RejectReversalEndpoint
{
    public static ProblemDetails Validate(RejectDisbursementRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : RequestCheck.Reasoned(request.Reason, request.ExpectedVersion);

    [Authorize(Policy = Policies.Approve)]
    [WolverinePost("/api/grants/{grantId}/disbursements/{disbursementId}/reversal/rejection")]
    public static Task<IResult> Post(Guid grantId, Guid disbursementId, RejectDisbursementRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new DecideReversalCommand(grantId, disbursementId, false, request.Reason.Trim(), request.ExpectedVersion, RequestMetadata.From(context)),
            $"/api/grants/{grantId}/disbursements/{disbursementId}", context.RequestAborted);
}
