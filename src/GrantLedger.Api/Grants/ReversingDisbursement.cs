using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Domain.Grants;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace GrantLedger.Api.Grants;

public sealed record ReverseDisbursementRequest(string Reason, long? ExpectedVersion = null);

public sealed record ReversalRecorded(Guid DisbursementId, long Version);

public static class ReverseDisbursementEndpoint
{
    public static ProblemDetails Validate(ReverseDisbursementRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck()
            .Text("reason", request.Reason, 2000)
            .That(request.ExpectedVersion is null or > 0, "expectedVersion", "must be a positive stream version.")
            .Result();

    [Authorize(Policy = Policies.Finance)]
    [WolverinePost("/api/grants/{grantId}/disbursements/{disbursementId}/reversal")]
    public static async Task<IResult> Post(
        Guid grantId, Guid disbursementId, ReverseDisbursementRequest request, IDocumentSession session,
        HttpContext context)
    {
        var loaded = await session.ForWriting<Grant>(grantId, request.ExpectedVersion, "grant");
        if (loaded.Problem is not null)
        {
            return loaded.Problem;
        }

        var grant = loaded.Aggregate;

        var decision = ReverseDisbursementDecision.Decide(grant, new ReverseDisbursement(disbursementId, request.Reason.Trim()));
        if (await loaded.Commit(session, RequestMetadata.From(context), request.Reason, decision) is { } refused)
        {
            return refused;
        }

        return Results.Created($"/api/grants/{grantId}/disbursements/{disbursementId}",
            new ReversalRecorded(disbursementId, loaded.NextVersion()));
    }
}
