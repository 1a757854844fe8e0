using GrantLedger.Api.Grants;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Programmes;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Milestones;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using NodaTime;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace GrantLedger.Api.Milestones;

public sealed record PlanMilestoneRequest(
    string Title,
    MilestoneKind Kind,
    LocalDate DueDate,
    Guid? GatesTrancheId = null,
    long? ExpectedVersion = null);

public static class PlanMilestoneEndpoint
{
    public static ProblemDetails Validate(PlanMilestoneRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck()
            .Text("title", request.Title, InputLimits.Title)
            .That(Enum.IsDefined(request.Kind), "kind", "must be one of inception, interim, final, other.")
            .ExpectedVersion(request.ExpectedVersion)
            .Result();

    /// <summary>Plans the milestone and, in the same transaction, schedules its reminder and its deadline check.</summary>
    [Authorize(Policy = Policies.Finance)]
    [WolverinePost("/api/grants/{grantId}/milestones")]
    public static Task<IResult> Post(Guid grantId, PlanMilestoneRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new PlanMilestoneCommand(grantId, request.Title.Trim(), request.Kind, request.DueDate, request.GatesTrancheId, request.ExpectedVersion,
            RequestMetadata.From(context)), outcome => outcome.ToCreated(outcome.Body is StreamCreated created
            ? $"/api/grants/{grantId}/milestones/{created.Id}" : $"/api/grants/{grantId}"), context.RequestAborted);
}

/// <summary>Finance plans a milestone (report, deliverable) with its due date, optionally gating a tranche.</summary>
public sealed record PlanMilestoneCommand(Guid GrantId, string Title, MilestoneKind Kind, LocalDate DueDate, Guid? GatesTrancheId, long? ExpectedVersion,
    RequestMetadata Metadata) : IGrantCommand
{
    public string? Reason => null;
}

public static class PlanMilestoneHandler
{
    /// <summary>The deadline check and the reminder are scheduled in the command's transaction (durable, through the outbox).</summary>
    public static async Task<(CommandOutcome, Events)> Handle(PlanMilestoneCommand command, [WriteAggregate(Required = false)] Grant? grant,
        IMessageBus bus, IClock clock, IOptions<MilestoneOptions> options)
    {
        var (outcome, events) = GrantCommands.Decide(command, grant, g => PlanMilestoneDecision.Decide(g,
                new PlanMilestone(Guid.NewGuid(), command.Title, command.Kind, command.DueDate, command.GatesTrancheId), DateTimeZoneProviders.Tzdb[g.TimeZone]),
            (planned, version) => new StreamCreated(planned.MilestoneId, version));
        foreach (var planned in events.OfType<MilestonePlanned>())
        {
            await MilestoneSchedule.ScheduleAsync(bus, planned, clock.GetCurrentInstant(), options.Value);
        }

        return (outcome, events);
    }
}
