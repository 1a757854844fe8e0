using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Domain.Grants;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace GrantLedger.Api.Grants;

public sealed record ApproveDisbursementRequest(string? Note = null, long? ExpectedVersion = null);

public sealed record RejectDisbursementRequest(string Reason, long? ExpectedVersion = null);

public sealed record DisbursementDecided(Guid Id, long Version, string Status);

/// <summary>Four eyes: a second person, holding the approver role, releases or turns down a payment awaiting approval.</summary>
public static class ApproveDisbursementEndpoint
{
    [Authorize(Policy = Policies.Approve)]
    [WolverinePost("/api/grants/{grantId}/disbursements/{disbursementId}/approval")]
    public static async Task<IResult> Post(Guid grantId, Guid disbursementId, ApproveDisbursementRequest? request,
        IDocumentSession session, HttpContext context)
    {
        var loaded = await session.ForWriting<Grant>(grantId, request?.ExpectedVersion, "grant");
        if (loaded.Problem is not null)
        {
            return loaded.Problem;
        }

        var metadata = RequestMetadata.From(context);
        var decision = ApproveDisbursementDecision.Decide(loaded.Aggregate, new ApproveDisbursement(disbursementId, metadata.UserId));
        if (await loaded.Commit(session, metadata, string.IsNullOrWhiteSpace(request?.Note) ? "approved" : request.Note.Trim(), decision) is { } refused)
        {
            return refused;
        }
        return Results.Created($"/api/grants/{grantId}/disbursements/{disbursementId}",
            new DisbursementDecided(disbursementId, loaded.NextVersion(), "recorded"));
    }
}

public static class RejectDisbursementEndpoint
{
    public static ProblemDetails Validate(RejectDisbursementRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck().Text("reason", request.Reason, 2000).Result();

    [Authorize(Policy = Policies.Approve)]
    [WolverinePost("/api/grants/{grantId}/disbursements/{disbursementId}/rejection")]
    public static async Task<IResult> Post(Guid grantId, Guid disbursementId, RejectDisbursementRequest request,
        IDocumentSession session, HttpContext context)
    {
        var loaded = await session.ForWriting<Grant>(grantId, request.ExpectedVersion, "grant");
        if (loaded.Problem is not null)
        {
            return loaded.Problem;
        }

        var metadata = RequestMetadata.From(context);
        var decision = RejectDisbursementDecision.Decide(loaded.Aggregate,
            new RejectDisbursement(disbursementId, request.Reason.Trim(), metadata.UserId));
        if (await loaded.Commit(session, metadata, request.Reason.Trim(), decision) is { } refused)
        {
            return refused;
        }
        return Results.Created($"/api/grants/{grantId}/disbursements/{disbursementId}",
            new DisbursementDecided(disbursementId, loaded.NextVersion(), "rejected"));
    }
}
