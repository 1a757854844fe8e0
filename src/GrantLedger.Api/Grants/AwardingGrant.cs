using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Programmes;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Organisations;
using GrantLedger.Domain.Programmes;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using Wolverine;
using Wolverine.Http;

namespace GrantLedger.Api.Grants;

/// <param name="OrganisationId">The registered organisation the grant goes to (<c>GET /api/organisations</c>); the grant's
/// grantee name is its short name.</param>
public sealed record AwardGrantRequest(
    Guid OrganisationId,
    IReadOnlyList<string> Countries,
    string Title,
    decimal Amount,
    LocalDate WindowStart,
    LocalDate WindowEnd,
    string? Currency = null,
    long? ExpectedVersion = null,
    string? Reason = null,
    IReadOnlyList<TrancheRequest>? Tranches = null);

/// <summary>The new grant; at or above the threshold its award awaits a second person (<c>status</c>, <c>rule</c>).</summary>
public sealed record AwardCreated(Guid Id, long Version, string Status, string? Rule = null);

/// <summary>A tranche of the payment plan; gates are added when milestones are planned.</summary>
public sealed record TrancheRequest(decimal Amount, Guid? MilestoneId = null);

public static class AwardGrantEndpoint
{
    public static ProblemDetails Validate(AwardGrantRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck()
            .Countries("countries", request.Countries)
            .Count("countries", request.Countries, InputLimits.Countries)
            .Text("title", request.Title, InputLimits.Title)
            .Currency("currency", request.Currency, required: false)
            .ExpectedVersion(request.ExpectedVersion)
            .OptionalText("reason", request.Reason, InputLimits.Reason)
            .Count("tranches", request.Tranches, InputLimits.Tranches)
            .That(request.Tranches is null || request.Tranches.All(t => t is not null && t.MilestoneId is null), "tranches",
                "at award a tranche cannot name a milestone yet; plan the milestone with gatesTrancheId.")
            .Result();

    [Authorize(Policy = Policies.Finance)]
    [WolverinePost("/api/programmes/{programmeId}/grants")]
    public static Task<IResult> Post(Guid programmeId, AwardGrantRequest request, IMessageBus bus, HttpContext context)
    {
        // The grantee name is filled in from the organisation by the handler, which loads it.
        var grant = new AwardGrant(Guid.NewGuid(), "", request.Countries, request.Title.Trim(),
            request.Amount, request.Currency, request.WindowStart, request.WindowEnd,
            request.Tranches?.Select(t => new AddTranche(Guid.NewGuid(), t.Amount, null)).ToList(), OrganisationId: request.OrganisationId);
        var metadata = RequestMetadata.From(context);
        return bus.Send(new AwardGrantCommand(programmeId, grant with { AwardedBy = metadata.UserId }, request.ExpectedVersion, request.Reason, metadata),
            $"/api/grants/{grant.GrantId}", context.RequestAborted);
    }
}

/// <summary>Finance awards a grant from a programme: a commitment on the programme, and the grant's own stream.</summary>
public sealed record AwardGrantCommand(Guid ProgrammeId, AwardGrant Grant, long? ExpectedVersion, string? Reason, RequestMetadata Metadata)
    : ILedgerCommand;

public static class AwardGrantHandler
{
    /// <summary>
    /// The commitment is appended to the programme stream at the version read, and the grant stream is started in
    /// the same transaction: of two concurrent awards for the last euros, one commits and the other loses at the
    /// append (decided again on fresh state by the ConcurrencyException retry policy, a 409 once retries run out).
    /// Hand-written, not through the one door's single-stream workflow (ADR 0010): it writes two streams, the
    /// programme's at the version read and a new grant stream.
    /// </summary>
    public static async Task<CommandOutcome> Handle(AwardGrantCommand command, IDocumentSession session)
    {
        var loaded = await session.ForWriting<Programme>(command.ProgrammeId, command.ExpectedVersion, "programme");
        if (loaded.Problem is not null)
        {
            return new CommandOutcome(loaded.Problem);
        }

        // The organisation is read, not written: its name goes on the award (for old readers), its id binds the grant.
        if (command.Grant.OrganisationId is not { } organisationId || organisationId == Guid.Empty
            || await session.LoadAsync<Organisation>(organisationId) is not { } organisation)
        {
            return CommandOutcome.Refused(new("unknown-organisation",
                $"There is no organisation {command.Grant.OrganisationId}: register it first (POST /api/organisations)."));
        }

        var decision = AwardGrantDecision.Decide(loaded.Aggregate, command.Grant with { Grantee = organisation.ShortName });
        if (!decision.IsSuccess)
        {
            return CommandOutcome.Refused(decision.Error!);
        }

        loaded.Stream.AppendOne(decision.Value.Commitment);
        var events = decision.Value.GrantEvents;
        session.Events.StartStream<Grant>(command.Grant.GrantId, [.. events]);
        return new CommandOutcome(null, events.Count, decision.Value.AwaitsApproval
            ? new AwardCreated(command.Grant.GrantId, events.Count, "awaiting-approval", FourEyesRule.Award)
            : new AwardCreated(command.Grant.GrantId, events.Count, "approved"));
    }
}
