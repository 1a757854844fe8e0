using GrantLedger.Api.Http;
using GrantLedger.Domain.Grants;
using Marten;
using NodaTime;
using Wolverine.Http;

namespace GrantLedger.Api.Grants;

public sealed record DisbursementView(
    Guid Id,
    decimal Amount,
    LocalDate ValueDate,
    string Reference,
    string? Note,
    string Status,
    bool Reversed,
    string? ReversalReason)
{
    public static DisbursementView From(Disbursement d) =>
        new(d.Id, d.Amount.Amount, d.ValueDate, d.BankReference, d.Note, d.Reversed ? "reversed" : "recorded",
            d.Reversed, d.ReversalReason);
}

public sealed record GrantDetailsResponse(
    Guid Id,
    Guid ProgrammeId,
    string Grantee,
    IReadOnlyList<string> Countries,
    string Title,
    string Currency,
    decimal Amount,
    decimal Disbursed,
    decimal Remaining,
    LocalDate WindowStart,
    LocalDate WindowEnd,
    long Version,
    IReadOnlyList<DisbursementView> Disbursements);

public static class GrantDetailsEndpoints
{
    [WolverineGet("/api/grants/{id}")]
    public static async Task<IResult> Get(Guid id, IQuerySession session)
    {
        var grant = await session.LoadAsync<Grant>(id);
        if (grant is null)
        {
            return Problems.NotFound("grant", id);
        }

        var state = await session.Events.FetchStreamStateAsync(id);
        return Results.Ok(new GrantDetailsResponse(grant.Id, grant.ProgrammeId, grant.Grantee, grant.Countries,
            grant.Title, grant.Currency, grant.Amount.Amount, grant.Disbursed.Amount, grant.Remaining.Amount,
            grant.WindowStart, grant.WindowEnd, state?.Version ?? 0,
            grant.Disbursements.Select(DisbursementView.From).ToList()));
    }

    [WolverineGet("/api/grants/{id}/disbursements/{disbursementId}")]
    public static async Task<IResult> GetDisbursement(Guid id, Guid disbursementId, IQuerySession session)
    {
        var grant = await session.LoadAsync<Grant>(id);
        if (grant is null)
        {
            return Problems.NotFound("grant", id);
        }

        return grant.FindDisbursement(disbursementId) is { } disbursement
            ? Results.Ok(DisbursementView.From(disbursement))
            : Problems.NotFound("disbursement", disbursementId);
    }
}
