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
using Wolverine.Http;

namespace GrantLedger.Api.Milestones;

public sealed record ConfirmMilestoneRequest(string? Note = null, long? ExpectedVersion = null);

public sealed record RejectMilestoneRequest(string Reason, long? ExpectedVersion = null);

public static class ConfirmMilestoneEndpoint
{
    /// <summary>Finance accepts the submission; a tranche gated by the milestone opens.</summary>
    [Authorize(Policy = Policies.Finance)]
    [WolverinePost("/api/grants/{grantId}/milestones/{milestoneId}/confirmation")]
    public static async Task<IResult> Post(Guid grantId, Guid milestoneId, ConfirmMilestoneRequest? request,
        IDocumentSession session, HttpContext context)
    {
        var loaded = await session.ForWriting<Grant>(grantId, request?.ExpectedVersion, "grant");
        if (loaded.Problem is not null)
        {
            return loaded.Problem;
        }

        var grant = loaded.Aggregate;

        var note = string.IsNullOrWhiteSpace(request?.Note) ? null : request.Note.Trim();
        var decision = ConfirmMilestoneDecision.Decide(grant, new ConfirmMilestone(milestoneId, note));
        if (await loaded.Commit(session, RequestMetadata.From(context), note, decision) is { } refused)
        {
            return refused;
        }
        return Results.Created($"/api/grants/{grantId}/milestones/{milestoneId}", new VersionResponse(loaded.NextVersion()));
    }
}

public static class RejectMilestoneEndpoint
{
    public static ProblemDetails Validate(RejectMilestoneRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck().Text("reason", request.Reason, 2000).Result();

    /// <summary>Finance sends the submission back with a reason; the grantee may resubmit.</summary>
    [Authorize(Policy = Policies.Finance)]
    [WolverinePost("/api/grants/{grantId}/milestones/{milestoneId}/rejection")]
    public static async Task<IResult> Post(Guid grantId, Guid milestoneId, RejectMilestoneRequest request,
        IDocumentSession session, IClock clock, INotificationSender sender, HttpContext context)
    {
        var loaded = await session.ForWriting<Grant>(grantId, request.ExpectedVersion, "grant");
        if (loaded.Problem is not null)
        {
            return loaded.Problem;
        }

        var (stream, grant) = (loaded.Stream, loaded.Aggregate);

        var decision = RejectMilestoneDecision.Decide(grant, new RejectMilestone(milestoneId, request.Reason.Trim()), clock.GetCurrentInstant());
        if (!decision.IsSuccess)
        {
            return Problems.From(decision.Error!);
        }

        session.RecordedBy(RequestMetadata.From(context), request.Reason.Trim());
        stream.AppendMany(decision.Value);
        var milestone = grant.FindMilestone(milestoneId)!;
        var notification = new Notification(Guid.NewGuid(), clock.GetCurrentInstant(), "milestone-rejected", grant.Id, grant.Grantee,
            milestoneId, $"\"{milestone.Title}\" was sent back: {request.Reason.Trim()} Please resubmit." +
            (decision.Value.Count > 1 ? " Its deadline has passed, so payments are on hold until it is delivered." : ""));
        session.Store(notification);
        await session.SaveChangesAsync();
        await sender.SendAsync(notification, context.RequestAborted);
        return Results.Created($"/api/grants/{grantId}/milestones/{milestoneId}",
            new VersionResponse(loaded.NextVersion(decision.Value.Count)));
    }
}
