using NodaTime;

namespace GrantLedger.Domain.Grants;

/// <summary>The bank sent (part of) a payment back: how much, on which value date, why, and its reference if it gave one.</summary>
public sealed record ReturnDisbursement(
    Guid DisbursementId,
    decimal Amount,
    LocalDate ValueDate,
    string BankReason,
    string? BankReference,
    string RecordedBy);

/// <summary>
/// A payment the bank returned is not a mistake corrected (that is a reversal): the money came back. Only a paid,
/// unreversed payment that was not returned already (and has no reversal waiting) can be returned, at most its amount
/// (less is a partial return: the bank kept its charges, which stay paid), on or after the payment's value date, in a
/// month whose books are open.
/// </summary>
public static class ReturnDisbursementDecision
{
    public static Result<DisbursementReturned> Decide(Grant grant, ReturnDisbursement cmd, Programmes.BookPeriods? books = null)
    {
        if (grant.FindDisbursement(cmd.DisbursementId) is not { } payment)
        {
            return DomainErrors.DisbursementNotFound(cmd.DisbursementId);
        }

        if (!payment.CountsAsDisbursed || payment.IsReturned || payment.ReversalAwaitsApproval)
        {
            return DomainErrors.PaymentNotReturnable(cmd.DisbursementId, payment switch
            {
                { Reversed: true } => "it was reversed",
                { IsReturned: true } => "it was already returned",
                { ReversalAwaitsApproval: true } => "a reversal of it awaits approval",
                _ => "it was never paid (it awaits approval or was rejected)",
            });
        }

        return Money.Positive(cmd.Amount, grant.Currency).Then<DisbursementReturned>(amount =>
        {
            if (amount > payment.Amount)
            {
                return new DomainError("return-exceeds-payment",
                    $"The bank cannot return {amount}: the payment was {payment.Amount}.");
            }

            if (cmd.ValueDate < payment.ValueDate)
            {
                return new DomainError("return-before-payment",
                    $"The return's value date {cmd.ValueDate:uuuu-MM-dd} is before the payment's value date {payment.ValueDate:uuuu-MM-dd}.");
            }

            if (books?.Refusal(cmd.ValueDate) is { } closed)
            {
                return closed;
            }

            return new DisbursementReturned(grant.Id, grant.ProgrammeId, payment.Id, amount, cmd.ValueDate, cmd.BankReason, cmd.BankReference,
                cmd.RecordedBy);
        });
    }
}
