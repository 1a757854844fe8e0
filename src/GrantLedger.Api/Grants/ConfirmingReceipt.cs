using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Programmes;
using GrantLedger.Domain;
using GrantLedger.Domain.Grants;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace GrantLedger.Api.Grants;

/// <param name="BankReference">The grantee's bank statement reference for the credit (optional, recommended; at most
/// <see cref="InputLimits.Reference"/> characters; blank is recorded as none).</param>
public sealed record ReceiptRequest(decimal Amount, string Currency, string? BankReference = null);

public static class ConfirmReceiptEndpoint
{
    public static ProblemDetails Validate(ReceiptRequest? request) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck()
            .Currency("currency", request.Currency, required: true)
            .MaxLength("bankReference", request.BankReference, InputLimits.Reference)
            .Result();

    /// <summary>
    /// The grantee confirms what a disbursement came to in its account currency (e.g. EUR 32,000.00 arrived as
    /// KGS 2,985,600.00). That is the actual rate its spending in that currency is valued at.
    /// </summary>
    [Authorize(Policy = Policies.Deliver)]
    [WolverinePost("/api/grants/{grantId}/disbursements/{disbursementId}/receipt")]
    public static Task<IResult> Post(Guid grantId, Guid disbursementId, ReceiptRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new ConfirmReceiptCommand(grantId, disbursementId, request.Amount, request.Currency,
                string.IsNullOrWhiteSpace(request.BankReference) ? null : request.BankReference.Trim(), RequestMetadata.From(context)),
            $"/api/grants/{grantId}/disbursements/{disbursementId}", context.RequestAborted);
}

public sealed record ConfirmReceiptCommand(Guid GrantId, Guid DisbursementId, decimal Amount, string Currency, string? BankReference, RequestMetadata Metadata) : IGrantCommand
{
    public long? ExpectedVersion => null;
    public string Reason => "receipt confirmed";
}

public static class ConfirmReceiptHandler
{
    /// <summary>A receipt is booked on the day it is confirmed: the guard in the commit refuses it if today's month is closed (ADR 0015).</summary>
    /// <summary>The payment's document: the grant snapshot may hold an old payment only in its sums (ADR 0018).</summary>
    public static Task<GrantPayment?> LoadAsync(ConfirmReceiptCommand command, Marten.IDocumentSession session) =>
        session.LoadAsync<GrantPayment>(command.DisbursementId);

    public static (CommandOutcome, Events) Handle(ConfirmReceiptCommand command, [WriteAggregate(Required = false)] Grant? grant,
        GrantPayment? payment, Marten.IDocumentSession session, NodaTime.IClock clock)
    {
        var decided = GrantCommands.Decide(command, grant, g => Decide(g.Holding(payment), command));
        if (decided.Item1.Accepted)
        {
            session.GuardOpenPeriod(grant!.ProgrammeId, Programmes.PeriodGuard.Today(clock, grant.TimeZone));
        }

        return decided;
    }

    private static Result<DisbursementReceived> Decide(Grant grant, ConfirmReceiptCommand command)
    {
        var disbursement = grant.FindDisbursement(command.DisbursementId);
        if (disbursement is null)
        {
            return DomainErrors.DisbursementNotFound(command.DisbursementId);
        }

        if (!disbursement.CountsAsDisbursed)
        {
            return DomainErrors.NotDisbursed(command.DisbursementId);
        }

        if (disbursement.IsReturned)
        {
            return DomainErrors.PaymentReturned(command.DisbursementId);
        }

        if (!Domain.Currencies.Currencies.Reportable.Contains(command.Currency))
        {
            return DomainErrors.CurrencyMismatch("EUR, USD, KGS, TJS or KZT", command.Currency);
        }

        var amount = Money.Positive(command.Amount, command.Currency);
        return amount.IsSuccess ? new DisbursementReceived(grant.Id, command.DisbursementId, amount.Value, command.BankReference) : amount.Error!;
    }
}
