using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Budgets;
using GrantLedger.Api.Milestones;
using GrantLedger.Domain.Amendments;
using GrantLedger.Domain.Budgets;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using NodaTime;
using Wolverine;
using Wolverine.Http;

namespace GrantLedger.Api.Amendments;

public sealed record AmendedTrancheRequest(decimal Amount, Guid? Id = null, Guid? MilestoneId = null);

public sealed record MilestoneDateRequest(Guid MilestoneId, LocalDate DueDate);

public sealed record ProposeAmendmentRequest(
    string Reason,
    decimal? Amount = null,
    LocalDate? EndDate = null,
    IReadOnlyList<BudgetLineRequest>? Budget = null,
    IReadOnlyList<AmendedTrancheRequest>? Tranches = null,
    IReadOnlyList<MilestoneDateRequest>? Milestones = null);

public sealed record AmendmentDecisionRequest(string? Reason = null);

public sealed record AmendmentCreated(Guid Id, long Version, string Status);

public static class ProposeAmendmentEndpoint
{
    public static ProblemDetails Validate(ProposeAmendmentRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck().Text("reason", request.Reason, 2000).Result();

    /// <summary>Proposes an amendment; nothing changes until a second person (approver) approves it.</summary>
    [Authorize(Policy = Policies.Finance)]
    [WolverinePost("/api/grants/{grantId}/amendments")]
    public static async Task<IResult> Post(Guid grantId, ProposeAmendmentRequest request, IDocumentSession session, HttpContext context)
    {
        var loaded = await session.ForWriting<Grant>(grantId, null, "grant");
        if (loaded.Problem is not null)
        {
            return loaded.Problem;
        }

        var programme = (await session.LoadAsync<Programme>(loaded.Aggregate.ProgrammeId))!;
        var metadata = RequestMetadata.From(context);
        // A restated line keeps its id when its code stays, so spending already reported against it stays with it.
        var existing = loaded.Aggregate.Budget;
        var command = new ProposeAmendment(Guid.NewGuid(), request.Amount, request.EndDate,
            request.Budget?.Select((l, i) => new PlannedBudgetLine(existing?.LineByCode(l.Code ?? $"L{i + 1}")?.LineId ?? Guid.NewGuid(),
                l.Code ?? $"L{i + 1}", l.Heading, l.Description, l.Amount)).ToList(),
            request.Tranches?.Select(t => new PlannedTranche(t.Id, t.Amount, t.MilestoneId, Guid.NewGuid())).ToList(),
            request.Milestones?.Select(m => new MilestoneDueDate(m.MilestoneId, m.DueDate)).ToList(),
            request.Reason.Trim(), metadata.UserId);
        var decision = AmendmentDecisions.Propose(loaded.Aggregate, programme, programme.Rules, command);
        if (await loaded.Commit(session, metadata, command.Reason, decision) is { } refused)
        {
            return refused;
        }
        return Results.Created($"/api/grants/{grantId}/amendments/{command.AmendmentId}",
            new AmendmentCreated(command.AmendmentId, loaded.NextVersion(), "proposed"));
    }
}

public static class DecideAmendmentEndpoints
{
    /// <summary>
    /// A second person approves: the amendment is checked again against the grant and programme as they are now and its
    /// effects are appended — to the programme stream as well when the amount changes (both at the versions read).
    /// </summary>
    [Authorize(Policy = Policies.Approve)]
    [WolverinePost("/api/grants/{grantId}/amendments/{amendmentId}/approval")]
    public static async Task<IResult> Approve(Guid grantId, Guid amendmentId, IDocumentSession session, IMessageBus bus, IClock clock,
        IOptions<MilestoneOptions> options, HttpContext context)
    {
        var loaded = await session.ForWriting<Grant>(grantId, null, "grant");
        if (loaded.Problem is not null)
        {
            return loaded.Problem;
        }

        var programmeStream = await session.Events.FetchForWriting<Programme>(loaded.Aggregate.ProgrammeId);
        var metadata = RequestMetadata.From(context);
        var decision = AmendmentDecisions.Approve(loaded.Aggregate, programmeStream.Aggregate!, amendmentId, metadata.UserId,
            DateTimeZoneProviders.Tzdb[loaded.Aggregate.TimeZone]);
        if (!decision.IsSuccess)
        {
            return Problems.From(decision.Error!);
        }

        session.RecordedBy(metadata, loaded.Aggregate.Amendments.Single(a => a.Proposal.AmendmentId == amendmentId).Proposal.Reason);
        loaded.Stream.AppendMany(decision.Value.GrantEvents);
        if (decision.Value.ProgrammeEvent is { } commitment)
        {
            programmeStream.AppendOne(commitment);
        }

        // A moved milestone gets a deadline check at its new deadline (the old one finds it not yet due and waits).
        foreach (var moved in decision.Value.GrantEvents.OfType<MilestoneRescheduled>())
        {
            await MilestoneSchedule.ScheduleAt(bus, new MilestoneDeadlineReached(grantId, moved.MilestoneId), moved.Deadline, clock.GetCurrentInstant());
        }

        await session.SaveChangesAsync();
        return Results.Created($"/api/grants/{grantId}/amendments/{amendmentId}",
            new AmendmentCreated(amendmentId, loaded.NextVersion(decision.Value.GrantEvents.Count), "approved"));
    }

    [Authorize(Policy = Policies.Approve)]
    [WolverinePost("/api/grants/{grantId}/amendments/{amendmentId}/rejection")]
    public static async Task<IResult> Reject(Guid grantId, Guid amendmentId, AmendmentDecisionRequest? request, IDocumentSession session, HttpContext context)
    {
        var loaded = await session.ForWriting<Grant>(grantId, null, "grant");
        if (loaded.Problem is not null)
        {
            return loaded.Problem;
        }

        var metadata = RequestMetadata.From(context);
        var reason = string.IsNullOrWhiteSpace(request?.Reason) ? "rejected" : request.Reason.Trim();
        var decision = AmendmentDecisions.Reject(loaded.Aggregate, amendmentId, reason, metadata.UserId);
        if (await loaded.Commit(session, metadata, reason, decision) is { } refused)
        {
            return refused;
        }
        return Results.Created($"/api/grants/{grantId}/amendments/{amendmentId}", new AmendmentCreated(amendmentId, loaded.NextVersion(), "rejected"));
    }
}
