using System.Security.Claims;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Milestones;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Milestones;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using NodaTime;
using Wolverine.Http;

namespace GrantLedger.Api.Grants;

/// <summary>A payment request as the grant details and the queue show it: what was asked, and, when paid, the payment that
/// settled it (finance may pay another amount than asked: both are shown).</summary>
/// <param name="Status">open, paid or declined.</param>
/// <param name="PaidAmount">What the settling payment came to (it may still await a second approver: <paramref name="PaymentStatus"/>).</param>
public sealed record PaymentRequestView(
    Guid Id,
    decimal Amount,
    Guid? TrancheId,
    int? TrancheNumber,
    string? Note,
    IReadOnlyList<EvidenceFileView> Files,
    string RequestedBy,
    Instant? RequestedAt,
    string Status,
    Guid? DisbursementId,
    decimal? PaidAmount,
    string? PaymentStatus,
    string? DeclineReason,
    string? DeclinedBy)
{
    public static string StatusOf(PaymentRequest r) => r.Status switch
    {
        PaymentRequestStatus.Paid => "paid",
        PaymentRequestStatus.Declined => "declined",
        _ => "open",
    };

    public static EvidenceFileView FileView(Guid grantId, Guid requestId, EvidenceFile f) =>
        new(f.FileId, f.FileName, f.ContentType, f.Size, f.Sha256, $"/api/grants/{grantId}/payment-requests/{requestId}/files/{f.FileId}");

    /// <param name="payments">Payments the grant may no longer hold one by one (ADR 0018): where the request's payment is looked up otherwise.</param>
    public static PaymentRequestView From(Grant grant, PaymentRequest r, IEnumerable<Disbursement> payments)
    {
        var payment = r.DisbursementId is { } id ? grant.FindDisbursement(id) ?? payments.FirstOrDefault(d => d.Id == id) : null;
        return new(r.Id, r.Amount.Amount, r.TrancheId, r.TrancheId is { } t ? grant.FindTranche(t)?.Number : null, r.Note,
            r.Files.Select(f => FileView(grant.Id, r.Id, f)).ToList(), r.RequestedBy, r.RequestedAt, StatusOf(r), r.DisbursementId,
            payment?.Amount.Amount, payment is null ? null : DisbursementView.StatusOf(payment), r.DeclineReason, r.DeclinedBy);
    }
}

/// <summary>A row of the payment-request queue: the request and the grant it is for.</summary>
public sealed record PaymentRequestListItem(Guid GrantId, string GrantTitle, string Grantee, PaymentRequestView Request);

public static class PaymentRequestQueryEndpoints
{
    /// <summary>Payment requests, oldest first, optionally by status (open, declined, paid). Staff see all; a grantee its own grants' only.</summary>
    [Authorize(Policy = Policies.ReadGrants)]
    [WolverineGet("/api/payment-requests")]
    public static async Task<IResult> List(string? status, IQuerySession session, ClaimsPrincipal principal)
    {
        if (status is not (null or "" or "open" or "declined" or "paid"))
        {
            return Problems.BadRequest("invalid-status", "status must be open, declined or paid.");
        }

        return Results.Ok(await For(session, CurrentUser.From(principal), string.IsNullOrEmpty(status) ? null : status));
    }

    /// <summary>The requests this user may see (the web pages read the same list).</summary>
    public static async Task<IReadOnlyList<PaymentRequestListItem>> For(IQuerySession session, CurrentUser user, string? status)
    {
        var query = session.Query<Grant>().AsQueryable();
        if (user.IsGrantee)
        {
            query = query.Where(g => g.OrganisationId == user.OrganisationId);
        }

        var grants = (await query.ToListAsync()).Where(user.CanSee).ToList();
        // Paid requests whose payment the snapshot settled (ADR 0018): their payments' documents, in one read.
        var settled = grants.SelectMany(g => g.PaymentRequests.Select(r => r.DisbursementId).OfType<Guid>().Where(id => g.FindDisbursement(id) is null)).ToList();
        var payments = settled.Count == 0 ? [] : (await session.LoadManyAsync<GrantPayment>(settled)).Select(p => p.Payment).ToList();
        return grants
            .SelectMany(g => g.PaymentRequests.Select(r => new PaymentRequestListItem(g.Id, g.Title, g.Grantee, PaymentRequestView.From(g, r, payments))))
            .Where(item => status is null || item.Request.Status == status)
            .OrderBy(item => item.Request.RequestedAt)
            .ToList();
    }

    /// <summary>A file sent with a payment request, served once its bytes match the SHA-256 the <c>PaymentRequested</c> event recorded.</summary>
    [Authorize(Policy = Policies.ReadGrants)]
    [WolverineGet("/api/grants/{grantId}/payment-requests/{requestId}/files/{fileId}")]
    public static async Task<IResult> File(Guid grantId, Guid requestId, Guid fileId, NpgsqlDataSource dataSource,
        IQuerySession session, ClaimsPrincipal principal, ILoggerFactory loggers, CancellationToken cancellation) =>
        await GrantDetailsEndpoints.Visible(session, grantId, principal) is null
            ? Problems.NotFound("grant", grantId)
            : await EvidenceStore.Serve(session, dataSource, grantId, requestId, fileId, loggers, cancellation);
}
