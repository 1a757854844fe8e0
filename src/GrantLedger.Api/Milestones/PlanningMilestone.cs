using GrantLedger.Api.Grants;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Programmes;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Milestones;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using NodaTime;
using Wolverine;
using Wolverine.Http;

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
            .Text("title", request.Title, 300)
            .That(Enum.IsDefined(request.Kind), "kind", "must be one of inception, interim, final, other.")
            .That(request.ExpectedVersion is null or > 0, "expectedVersion", "must be a positive stream version.")
            .Result();

    /// <summary>Plans the milestone and, in the same transaction, schedules its reminder and its deadline check.</summary>
    [Authorize(Policy = Policies.Finance)]
    [WolverinePost("/api/grants/{grantId}/milestones")]
    public static async Task<IResult> Post(Guid grantId, PlanMilestoneRequest request, IDocumentSession session,
        IMessageBus bus, IClock clock, IOptions<MilestoneOptions> options, HttpContext context)
    {
        var loaded = await session.ForWriting<Grant>(grantId, request.ExpectedVersion, "grant");
        if (loaded.Problem is not null)
        {
            return loaded.Problem;
        }

        var (stream, grant) = (loaded.Stream, loaded.Aggregate);

        var zone = DateTimeZoneProviders.Tzdb[grant.TimeZone];
        var decision = PlanMilestoneDecision.Decide(grant,
            new PlanMilestone(Guid.NewGuid(), request.Title.Trim(), request.Kind, request.DueDate, request.GatesTrancheId), zone);
        if (!decision.IsSuccess)
        {
            return Problems.From(decision.Error!);
        }

        session.RecordedBy(RequestMetadata.From(context), null);
        stream.AppendOne(decision.Value);
        await MilestoneSchedule.ScheduleAsync(bus, decision.Value, clock.GetCurrentInstant(), options.Value);
        await session.SaveChangesAsync();

        return Results.Created($"/api/grants/{grantId}/milestones/{decision.Value.MilestoneId}",
            new StreamCreated(decision.Value.MilestoneId, loaded.NextVersion()));
    }
}
