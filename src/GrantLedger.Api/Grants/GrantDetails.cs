using GrantLedger.Api.Http;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Milestones;
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
    string? ReversalReason,
    Guid? TrancheId)
{
    public static DisbursementView From(Disbursement d) =>
        new(d.Id, d.Amount.Amount, d.ValueDate, d.BankReference, d.Note, d.Reversed ? "reversed" : "recorded",
            d.Reversed, d.ReversalReason, d.TrancheId);
}

public sealed record TrancheView(Guid Id, int Number, decimal Amount, decimal Paid, decimal Remaining, Guid? MilestoneId, bool Locked)
{
    public static TrancheView From(Grant grant, Tranche t)
    {
        var paid = grant.PaidAgainst(t.Id);
        return new(t.Id, t.Number, t.Amount.Amount, paid.Amount, (t.Amount - paid).Amount, t.MilestoneId, grant.IsLocked(t));
    }
}

public sealed record MilestoneBrief(Guid Id, string Title, MilestoneKind Kind, LocalDate DueDate, MilestoneStatus Status, bool Overdue);

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
    IReadOnlyList<DisbursementView> Disbursements,
    decimal Planned,
    bool OnHold,
    IReadOnlyList<TrancheView> Tranches,
    IReadOnlyList<MilestoneBrief> Milestones);

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

        return Results.Ok(new GrantDetailsResponse(grant.Id, grant.ProgrammeId, grant.Grantee, grant.Countries,
            grant.Title, grant.Currency, grant.Amount.Amount, grant.Disbursed.Amount, grant.Remaining.Amount,
            grant.WindowStart, grant.WindowEnd, grant.Version,
            grant.Disbursements.Select(DisbursementView.From).ToList(),
            grant.Planned.Amount,
            grant.OverdueMilestones.Any(),
            grant.Tranches.Select(t => TrancheView.From(grant, t)).ToList(),
            grant.Milestones.Select(m => new MilestoneBrief(m.Id, m.Title, m.Kind, m.DueDate, m.Status, m.IsOverdue)).ToList()));
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
