using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Domain;
using GrantLedger.Domain.Grants;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace GrantLedger.Api.Grants;

public sealed record ReceiptRequest(decimal Amount, string Currency);

public static class ConfirmReceiptEndpoint
{
    public static ProblemDetails Validate(ReceiptRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck().Currency("currency", request.Currency, required: true).Result();

    /// <summary>
    /// The grantee confirms what a disbursement came to in its account currency (e.g. EUR 32,000.00 arrived as
    /// KGS 2,985,600.00). That is the actual rate its spending in that currency is valued at.
    /// </summary>
    [Authorize(Policy = Policies.Deliver)]
    [WolverinePost("/api/grants/{grantId}/disbursements/{disbursementId}/receipt")]
    public static async Task<IResult> Post(Guid grantId, Guid disbursementId, ReceiptRequest request, IDocumentSession session, HttpContext context)
    {
        var loaded = await session.ForWriting<Grant>(grantId, null, "grant");
        if (loaded.Problem is not null || !CurrentUser.From(context.User).CanSee(loaded.Aggregate))
        {
            return loaded.Problem ?? Problems.NotFound("grant", grantId);
        }

        var disbursement = loaded.Aggregate.FindDisbursement(disbursementId);
        if (disbursement is null)
        {
            return Problems.From(DomainErrors.DisbursementNotFound(disbursementId));
        }

        if (!disbursement.CountsAsDisbursed)
        {
            return Problems.From(DomainErrors.NotDisbursed(disbursementId));
        }

        if (!Domain.Currencies.Currencies.Reportable.Contains(request.Currency))
        {
            return Problems.From(DomainErrors.CurrencyMismatch("EUR, USD, KGS, TJS or KZT", request.Currency));
        }

        var amount = Money.Positive(request.Amount, request.Currency);
        if (!amount.IsSuccess)
        {
            return Problems.From(amount.Error!);
        }

        session.RecordedBy(RequestMetadata.From(context), "receipt confirmed");
        loaded.Stream.AppendOne(new DisbursementReceived(grantId, disbursementId, amount.Value));
        await session.SaveChangesAsync();
        return Results.Created($"/api/grants/{grantId}/disbursements/{disbursementId}", new VersionResponse(loaded.NextVersion()));
    }
}
