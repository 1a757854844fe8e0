using GrantLedger.Api.Grants;
using GrantLedger.Api.Http;
using GrantLedger.Api.Notifications;
using GrantLedger.Api.Identity;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Milestones;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace GrantLedger.Api.Milestones;

public sealed record ConfirmMilestoneRequest(string? Note = null, long? ExpectedVersion = null);

public sealed record RejectMilestoneRequest(string Reason, long? ExpectedVersion = null);

/// <summary>Finance accepts a milestone's submission; a tranche gated by the milestone opens.</summary>
public sealed record ConfirmMilestoneCommand(Guid GrantId, Guid MilestoneId, string? Note, long? ExpectedVersion, RequestMetadata Metadata) : IGrantCommand
{
    public string? Reason => Note;
}

/// <summary>Finance sends a milestone's submission back with a reason; the grantee may resubmit.</summary>
public sealed record RejectMilestoneCommand(Guid GrantId, Guid MilestoneId, string Reason, long? ExpectedVersion, RequestMetadata Metadata) : IGrantCommand;

public static class ConfirmMilestoneHandler
{
    /// <summary>The grantee is told (feed and e-mail) once the confirmation is committed.</summary>
    public static (CommandOutcome, Events, OutgoingMessages) Handle(ConfirmMilestoneCommand command, [WriteAggregate(Required = false)] Grant? grant,
        IDocumentSession session, IClock clock) =>
        GrantCommands.Decide(command, grant, g => ConfirmMilestoneDecision.Decide(g, new ConfirmMilestone(command.MilestoneId, command.Note)))
            .Notifying(grant, session, clock);
}

public static class RejectMilestoneHandler
{
    /// <summary>The grantee is told through the feed, and beyond it once the rejection is committed (the outbox).</summary>
    public static (CommandOutcome, Events, OutgoingMessages) Handle(RejectMilestoneCommand command, [WriteAggregate(Required = false)] Grant? grant,
        IDocumentSession session, IClock clock)
    {
        if (GrantCommands.Refusal(command, grant) is { } refused)
        {
            return (refused, [], []);
        }

        var decision = RejectMilestoneDecision.Decide(grant!, new RejectMilestone(command.MilestoneId, command.Reason), clock.GetCurrentInstant());
        if (!decision.IsSuccess)
        {
            return (CommandOutcome.Refused(decision.Error!), [], []);
        }

        var notification = SentBack(Guid.NewGuid(), grant!, grant!.FindMilestone(command.MilestoneId)!, command.Reason,
            decision.Value.Count > 1, clock.GetCurrentInstant());
        session.Store(notification);
        Events events = [.. decision.Value];
        return (CommandOutcome.Done(grant.Version + decision.Value.Count), events, [new DeliverNotification(notification.Id)]);
    }

    /// <summary>The grantee's notice that a milestone was sent back (and, when its deadline has passed, that payments stop).</summary>
    public static Notification SentBack(Guid id, Grant grant, Milestone milestone, string reason, bool overdue, Instant now) =>
        new(id, now, NotificationKinds.MilestoneRejected, grant.Id, grant.Grantee, milestone.Id,
            $"\"{milestone.Title}\" was sent back: {reason} Please resubmit." +
            (overdue ? " Its deadline has passed, so payments are on hold until it is delivered." : ""),
            Facts: new NotificationFacts(grant.Title, milestone.Title, Date: milestone.DueDate, Text: reason, PaymentsOnHold: overdue),
            OrganisationId: grant.OrganisationId);
}

public static class ConfirmMilestoneEndpoint
{
    /// <summary>The body is optional; a note, when sent, is bounded like any reason.</summary>
    public static ProblemDetails Validate(ConfirmMilestoneRequest? request) =>
        new RequestCheck().MaxLength("note", request?.Note, InputLimits.Reason).Result();

    [Authorize(Policy = Policies.Finance)]
    [WolverinePost("/api/grants/{grantId}/milestones/{milestoneId}/confirmation")]
    public static Task<IResult> Post(Guid grantId, Guid milestoneId, ConfirmMilestoneRequest? request, IMessageBus bus, HttpContext context) =>
        bus.Send(new ConfirmMilestoneCommand(grantId, milestoneId, string.IsNullOrWhiteSpace(request?.Note) ? null : request.Note.Trim(),
            request?.ExpectedVersion, RequestMetadata.From(context)), $"/api/grants/{grantId}/milestones/{milestoneId}", context.RequestAborted);
}

public static class RejectMilestoneEndpoint
{
    public static ProblemDetails Validate(RejectMilestoneRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck().Text("reason", request.Reason, InputLimits.Reason).Result();

    [Authorize(Policy = Policies.Finance)]
    [WolverinePost("/api/grants/{grantId}/milestones/{milestoneId}/rejection")]
    public static Task<IResult> Post(Guid grantId, Guid milestoneId, RejectMilestoneRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new RejectMilestoneCommand(grantId, milestoneId, request.Reason.Trim(), request.ExpectedVersion, RequestMetadata.From(context)),
            $"/api/grants/{grantId}/milestones/{milestoneId}", context.RequestAborted);
}
