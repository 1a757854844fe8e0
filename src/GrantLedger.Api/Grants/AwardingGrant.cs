using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Programmes;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using Wolverine.Http;

namespace GrantLedger.Api.Grants;

public sealed record AwardGrantRequest(
    string Grantee,
    IReadOnlyList<string> Countries,
    string Title,
    decimal Amount,
    LocalDate WindowStart,
    LocalDate WindowEnd,
    string? Currency = null,
    long? ExpectedVersion = null,
    string? Reason = null,
    IReadOnlyList<TrancheRequest>? Tranches = null);

/// <summary>A tranche of the payment plan; gates are added when milestones are planned.</summary>
public sealed record TrancheRequest(decimal Amount, Guid? MilestoneId = null);

public static class AwardGrantEndpoint
{
    public static ProblemDetails Validate(AwardGrantRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck()
            .Text("grantee", request.Grantee)
            .Countries("countries", request.Countries)
            .Text("title", request.Title, 500)
            .Currency("currency", request.Currency, required: false)
            .That(request.ExpectedVersion is null or > 0, "expectedVersion", "must be a positive stream version.")
            .OptionalText("reason", request.Reason)
            .That(request.Tranches is null || request.Tranches.All(t => t is not null && t.MilestoneId is null), "tranches",
                "at award a tranche cannot name a milestone yet; plan the milestone with gatesTrancheId.")
            .Result();

    /// <summary>
    /// The commitment is appended to the programme stream at the version read, and the grant stream is started in
    /// the same transaction: of two concurrent awards for the last euros, one commits and the other gets a 409.
    /// Hand-written, not through the one door's single-stream workflow (ADR 0010): it writes two streams, the
    /// programme's at the version read and a new grant stream.
    /// </summary>
    [Authorize(Policy = Policies.Finance)]
    [WolverinePost("/api/programmes/{programmeId}/grants")]
    public static async Task<IResult> Post(
        Guid programmeId, AwardGrantRequest request, IDocumentSession session, HttpContext context)
    {
        var loaded = await session.ForWriting<Programme>(programmeId, request.ExpectedVersion, "programme");
        if (loaded.Problem is not null)
        {
            return loaded.Problem;
        }

        var (programmeStream, programme) = (loaded.Stream, loaded.Aggregate);

        var command = new AwardGrant(Guid.NewGuid(), request.Grantee.Trim(), request.Countries, request.Title.Trim(),
            request.Amount, request.Currency, request.WindowStart, request.WindowEnd,
            request.Tranches?.Select(t => new AddTranche(Guid.NewGuid(), t.Amount, null)).ToList());
        var decision = AwardGrantDecision.Decide(programme, command);
        if (!decision.IsSuccess)
        {
            return Problems.From(decision.Error!);
        }

        session.RecordedBy(RequestMetadata.From(context), request.Reason);
        programmeStream.AppendOne(decision.Value.Commitment);
        session.Events.StartStream<Grant>(command.GrantId, [decision.Value.Award, .. decision.Value.Tranches]);
        await session.SaveChangesAsync();

        return Results.Created($"/api/grants/{command.GrantId}",
            new StreamCreated(command.GrantId, 1 + decision.Value.Tranches.Count));
    }
}
