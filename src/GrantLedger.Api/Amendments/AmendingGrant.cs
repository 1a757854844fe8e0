using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Notifications;
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
using Wolverine.Marten;

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
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck()
            .Text("reason", request.Reason, InputLimits.Reason)
            .Each("budget", request.Budget, InputLimits.BudgetLines, SetBudgetEndpoint.Line)
            .Count("tranches", request.Tranches, InputLimits.Tranches)
            .Count("milestones", request.Milestones, InputLimits.MilestoneDates)
            .Result();

    /// <summary>Proposes an amendment; nothing changes until a second person (approver) approves it.</summary>
    [Authorize(Policy = Policies.Finance)]
    [WolverinePost("/api/grants/{grantId}/amendments")]
    public static Task<IResult> Post(Guid grantId, ProposeAmendmentRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new ProposeAmendmentCommand(grantId, request with { Reason = request.Reason.Trim() }, RequestMetadata.From(context)),
            outcome => outcome.ToCreated(outcome.Body is AmendmentCreated created ? $"/api/grants/{grantId}/amendments/{created.Id}" : ""),
            context.RequestAborted);
}

/// <summary>Finance proposes changing a grant (amount, end date, budget, tranches, milestone dates); a second person decides.</summary>
public sealed record ProposeAmendmentCommand(Guid GrantId, ProposeAmendmentRequest Proposal, RequestMetadata Metadata) : IGrantCommand
{
    public long? ExpectedVersion => null;
    public string Reason => Proposal.Reason;
}

/// <summary>The approver turns a proposed amendment down.</summary>
public sealed record RejectAmendmentCommand(Guid GrantId, Guid AmendmentId, string Reason, RequestMetadata Metadata) : IGrantCommand
{
    public long? ExpectedVersion => null;
}

public static class ProposeAmendmentHandler
{
    public static async Task<(CommandOutcome, Events, OutgoingMessages)> Handle(ProposeAmendmentCommand command,
        [WriteAggregate(Required = false)] Grant? grant, IDocumentSession session, IClock clock)
    {
        var programme = grant is null ? null : await session.LoadAsync<Programme>(grant.ProgrammeId);
        var request = command.Proposal;
        return GrantCommands.Decide(command, grant, g =>
            {
                // A restated line keeps its id when its code stays, so spending already reported against it stays with it.
                var proposal = new ProposeAmendment(Guid.NewGuid(), request.Amount, request.EndDate,
                    request.Budget?.Select((l, i) => new PlannedBudgetLine(g.Budget?.LineByCode(l.Code ?? $"L{i + 1}")?.LineId ?? Guid.NewGuid(),
                        l.Code ?? $"L{i + 1}", l.Heading, l.Description, l.Amount)).ToList(),
                    request.Tranches?.Select(t => new PlannedTranche(t.Id, t.Amount, t.MilestoneId, Guid.NewGuid())).ToList(),
                    request.Milestones?.Select(m => new MilestoneDueDate(m.MilestoneId, m.DueDate)).ToList(),
                    request.Reason, command.Metadata.UserId);
                return AmendmentDecisions.Propose(g, programme!, programme!.Rules, proposal);
            },
            (proposed, version) => new AmendmentCreated(proposed.AmendmentId, version, "proposed"))
            .Notifying(grant, session, clock);
    }

}

public static class RejectAmendmentHandler
{
    public static (CommandOutcome, Events) Handle(RejectAmendmentCommand command, [WriteAggregate(Required = false)] Grant? grant) =>
        GrantCommands.Decide(command, grant, g => AmendmentDecisions.Reject(g, command.AmendmentId, command.Reason, command.Metadata.UserId),
            version => new AmendmentCreated(command.AmendmentId, version, "rejected"));
}

public static class DecideAmendmentEndpoints
{
    /// <summary>A second person approves a proposed amendment; it takes effect now.</summary>
    [Authorize(Policy = Policies.Approve)]
    [WolverinePost("/api/grants/{grantId}/amendments/{amendmentId}/approval")]
    public static Task<IResult> Approve(Guid grantId, Guid amendmentId, IMessageBus bus, HttpContext context) =>
        bus.Send(new ApproveAmendmentCommand(grantId, amendmentId, RequestMetadata.From(context)),
            $"/api/grants/{grantId}/amendments/{amendmentId}", context.RequestAborted);

    [Authorize(Policy = Policies.Approve)]
    [WolverinePost("/api/grants/{grantId}/amendments/{amendmentId}/rejection")]
    public static Task<IResult> Reject(Guid grantId, Guid amendmentId, AmendmentDecisionRequest? request, IMessageBus bus, HttpContext context) =>
        bus.Send(new RejectAmendmentCommand(grantId, amendmentId, string.IsNullOrWhiteSpace(request?.Reason) ? "rejected" : request.Reason.Trim(),
            RequestMetadata.From(context)), $"/api/grants/{grantId}/amendments/{amendmentId}", context.RequestAborted);
}

/// <summary>The approver (never the proposer) puts a proposed amendment into effect.</summary>
public sealed record ApproveAmendmentCommand(Guid GrantId, Guid AmendmentId, RequestMetadata Metadata) : IGrantCommand
{
    public long? ExpectedVersion => null;

    /// <summary>The events carry the proposal's reason (stamped by the handler, which knows it).</summary>
    public string? Reason => null;
}

public static class ApproveAmendmentHandler
{
    /// <summary>
    /// The amendment is checked again against the grant and programme as they are now and its effects are appended — to
    /// the programme stream as well when the amount changes (both at the versions read). Hand-written, not through the
    /// one door's single-stream workflow (ADR 0010): it may write two streams.
    /// </summary>
    public static async Task<CommandOutcome> Handle(ApproveAmendmentCommand command, IDocumentSession session, IMessageBus bus, IClock clock)
    {
        var loaded = await session.ForWriting<Grant>(command.GrantId, null, "grant");
        if (GrantCommands.Refusal(command, loaded.Loaded?.Aggregate) is { } refused)
        {
            return refused;
        }

        var grant = loaded.Aggregate;
        var programmeStream = await session.Events.FetchForWriting<Programme>(grant.ProgrammeId);
        var decision = AmendmentDecisions.Approve(grant, programmeStream.Aggregate!, command.AmendmentId, command.Metadata.UserId,
            DateTimeZoneProviders.Tzdb[grant.TimeZone]);
        if (!decision.IsSuccess)
        {
            return CommandOutcome.Refused(decision.Error!);
        }

        session.RecordedBy(command.Metadata, grant.Amendments.Single(a => a.Proposal.AmendmentId == command.AmendmentId).Proposal.Reason);
        loaded.Stream.AppendMany(decision.Value.GrantEvents);
        if (decision.Value.ProgrammeEvent is { } commitment)
        {
            programmeStream.AppendOne(commitment);
        }

        // A moved milestone gets a deadline check at its new deadline (the old one finds it not yet due and waits).
        foreach (var moved in decision.Value.GrantEvents.OfType<MilestoneRescheduled>())
        {
            await MilestoneSchedule.ScheduleAt(bus, new MilestoneDeadlineReached(command.GrantId, moved.MilestoneId), moved.Deadline, clock.GetCurrentInstant());
        }

        var version = loaded.NextVersion(decision.Value.GrantEvents.Count);
        return new CommandOutcome(null, version, new AmendmentCreated(command.AmendmentId, version, "approved"));
    }
}
