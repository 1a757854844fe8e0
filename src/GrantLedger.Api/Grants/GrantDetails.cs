using System.Security.Claims;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Milestones;
using Marten;
using Microsoft.AspNetCore.Authorization;
using NodaTime;
using Wolverine.Http;

namespace GrantLedger.Api.Grants;

/// <summary>What the grantee confirmed arrived for a payment, in its account currency, and its bank statement reference.</summary>
public sealed record DisbursementReceiptView(decimal Amount, string Currency, string? BankReference);

/// <summary>What the bank sent back of a payment, when, why; <c>Net</c> is what the payment still costs the grant (the
/// bank's charges on a partial return).</summary>
public sealed record DisbursementReturnView(decimal Amount, LocalDate ValueDate, string BankReason, string? BankReference, decimal Net);

public sealed record DisbursementView(
    Guid Id,
    decimal Amount,
    LocalDate ValueDate,
    string Reference,
    string? Note,
    string Status,
    bool Reversed,
    string? ReversalReason,
    Guid? TrancheId,
    string? RecordedBy,
    string? DecidedBy,
    string? RejectionReason,
    string? ApprovalRule = null,
    string? ReversalRequestedBy = null,
    string? RequestedReversalReason = null,
    DisbursementReceiptView? Receipt = null,
    Guid? PaymentRequestId = null,
    DisbursementReturnView? Return = null,
    Guid? BankAccountId = null)
{
    public static DisbursementView From(Disbursement d) =>
        new(d.Id, d.Amount.Amount, d.ValueDate, d.BankReference, d.Note, StatusOf(d), d.Reversed, d.ReversalReason,
            d.TrancheId, d.RecordedBy, d.DecidedBy, d.RejectionReason, d.ApprovalRule, d.ReversalRequestedBy, d.RequestedReversalReason,
            d.Received is { } received ? new DisbursementReceiptView(received.Amount, received.Currency, d.ReceivedReference) : null,
            d.PaymentRequestId,
            d.ReturnedAmount is { } back ? new DisbursementReturnView(back.Amount, d.ReturnedOn!.Value, d.ReturnReason!, d.ReturnReference, d.Net.Amount) : null,
            d.BankAccountId);

    public static string StatusOf(Disbursement d) => d switch
    {
        { Reversed: true } => "reversed",
        { IsReturned: true } => "returned",
        { Status: DisbursementStatus.AwaitingApproval } => "awaiting-approval",
        { Status: DisbursementStatus.Rejected } => "rejected",
        _ => "recorded",
    };
}

public sealed record TrancheView(Guid Id, int Number, decimal Amount, decimal Paid, decimal Remaining, Guid? MilestoneId, bool Locked)
{
    public static TrancheView From(Grant grant, Tranche t)
    {
        var paid = grant.PaidAgainst(t.Id);
        return new(t.Id, t.Number, t.Amount.Amount, paid.Amount, (t.Amount - grant.CommittedAgainst(t.Id)).Amount, t.MilestoneId, grant.IsLocked(t));
    }
}

public sealed record AmendmentView(Guid Id, string Status, string Reason, decimal? NewAmount, LocalDate? NewEndDate, bool RestatesBudget,
    bool RestatesTranches, int MovesMilestones, string? RejectionReason);

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
    IReadOnlyList<MilestoneBrief> Milestones,
    decimal Reserved,
    bool PlanComplete,
    IReadOnlyList<AmendmentView> Amendments,
    string AwardStatus = "approved",
    string? AwardedBy = null,
    IReadOnlyList<PaymentRequestView>? PaymentRequests = null,
    Guid? OrganisationId = null)
{
    public static string AwardStatusOf(Grant grant) => grant.AwardState switch
    {
        Domain.Grants.AwardStatus.AwaitingApproval => "awaiting-approval",
        Domain.Grants.AwardStatus.Rejected => "rejected",
        _ => "approved",
    };

    /// <param name="granteeOnHold">Whether the grantee has an overdue milestone on any of its grants (the hold is per grantee).</param>
    /// <param name="payments">Every payment of the grant, in the order recorded (<see cref="GrantPayment.Of(IQuerySession, Guid, CancellationToken)"/>).</param>
    public static GrantDetailsResponse From(Grant grant, bool granteeOnHold, IReadOnlyList<Disbursement> payments) =>
        new(grant.Id, grant.ProgrammeId, grant.Grantee, grant.Countries, grant.Title, grant.Currency, grant.Amount.Amount,
            grant.Disbursed.Amount, grant.Remaining.Amount, grant.WindowStart, grant.WindowEnd, grant.Version,
            payments.Select(DisbursementView.From).ToList(),
            grant.Planned.Amount,
            granteeOnHold,
            grant.Tranches.Select(t => TrancheView.From(grant, t)).ToList(),
            grant.Milestones.Select(m => new MilestoneBrief(m.Id, m.Title, m.Kind, m.DueDate, m.Status, m.IsOverdue)).ToList(),
            grant.Reserved.Amount,
            grant.Tranches.IsEmpty || grant.Planned == grant.Amount,
            grant.Amendments.Select(a => new AmendmentView(a.Proposal.AmendmentId, a.Status.ToString().ToLowerInvariant(), a.Proposal.Reason,
                a.Proposal.NewAmount?.Amount, a.Proposal.NewEndDate, a.Proposal.Budget is not null, a.Proposal.Tranches is not null,
                a.Proposal.Milestones?.Count ?? 0, a.RejectionReason)).ToList(),
            AwardStatusOf(grant), grant.AwardedBy,
            grant.PaymentRequests.Select(r => PaymentRequestView.From(grant, r, payments)).ToList(),
            grant.OrganisationId);
}

public sealed record GrantListItem(Guid Id, Guid ProgrammeId, string Grantee, string Title, decimal Amount, decimal Disbursed,
    decimal Remaining, bool OnHold, int AwaitingApproval, string AwardStatus = "approved", int ReversalsAwaitingApproval = 0,
    Guid? OrganisationId = null);

/// <summary>Grant reads. A grantee sees only its organisation's grants: another's answers 404, as if it did not exist.</summary>
public static class GrantDetailsEndpoints
{
    [Authorize(Policy = Policies.ReadGrants)]
    [WolverineGet("/api/grants")]
    public static async Task<IReadOnlyList<GrantListItem>> List(IQuerySession session, ClaimsPrincipal principal)
    {
        var user = CurrentUser.From(principal);
        var query = session.Query<Grant>().AsQueryable();
        if (user.IsGrantee)
        {
            var own = user.OrganisationId ?? Guid.Empty; // a grantee bound to no organisation sees nothing
            query = query.Where(g => g.OrganisationId == own);
        }

        return (await query.ToListAsync())
            .OrderBy(g => g.Grantee)
            .GroupBy(g => g.OrganisationId?.ToString() ?? g.Grantee)
            .SelectMany(byGrantee => byGrantee.Select(g => new GrantListItem(g.Id, g.ProgrammeId, g.Grantee, g.Title, g.Amount.Amount,
                g.Disbursed.Amount, g.Remaining.Amount, GranteeHold.Of(byGrantee).IsOnHold, g.Disbursements.Count(d => d.IsReserved),
                GrantDetailsResponse.AwardStatusOf(g), g.Disbursements.Count(d => d.ReversalAwaitsApproval), g.OrganisationId)))
            .ToList();
    }

    [Authorize(Policy = Policies.ReadGrants)]
    [WolverineGet("/api/grants/{id}")]
    public static async Task<IResult> Get(Guid id, IQuerySession session, ClaimsPrincipal principal) =>
        await Visible(session, id, principal) is { } grant
            ? Results.Ok(GrantDetailsResponse.From(grant, await GranteeOnHold(session, grant), await GrantPayment.Of(session, id)))
            : Problems.NotFound("grant", id);

    /// <summary>Holds go by organisation: an overdue milestone on any of its grants holds them all.</summary>
    public static async Task<bool> GranteeOnHold(IQuerySession session, Grant grant) =>
        GranteeHold.Of(grant, await session.GrantsThatMayHold(grant)).IsOnHold;

    [Authorize(Policy = Policies.ReadGrants)]
    [WolverineGet("/api/grants/{id}/disbursements/{disbursementId}")]
    public static async Task<IResult> GetDisbursement(Guid id, Guid disbursementId, IQuerySession session, ClaimsPrincipal principal)
    {
        if (await Visible(session, id, principal) is not { } grant)
        {
            return Problems.NotFound("grant", id);
        }

        return await GrantPayment.Find(session, grant.Id, disbursementId) is { } disbursement
            ? Results.Ok(DisbursementView.From(disbursement))
            : Problems.NotFound("disbursement", disbursementId);
    }

    /// <summary>The grant if it exists and this user may see it.</summary>
    public static async Task<Grant?> Visible(IQuerySession session, Guid grantId, ClaimsPrincipal principal) =>
        await session.LoadAsync<Grant>(grantId) is { } grant && CurrentUser.From(principal).CanSee(grant) ? grant : null;
}
