using GrantLedger.Domain.Milestones;
using NodaTime;

namespace GrantLedger.Domain.Grants;

public enum PaymentRequestStatus
{
    Open,
    Paid,
    Declined,
}

/// <summary>
/// A grantee's request for a payment, as the grant sees it. Paid from the moment a payment carrying its id is recorded
/// (also one awaiting a second approver); open again if that payment is rejected by the second person.
/// </summary>
public sealed record PaymentRequest(
    Guid Id,
    Money Amount,
    Guid? TrancheId,
    string? Note,
    IReadOnlyList<EvidenceFile> Files,
    string RequestedBy,
    Instant? RequestedAt,
    PaymentRequestStatus Status = PaymentRequestStatus.Open,
    Guid? DisbursementId = null,
    string? DeclineReason = null,
    string? DeclinedBy = null)
{
    public bool IsOpen => Status == PaymentRequestStatus.Open;
}

/// <summary>A grantee user asks for a payment (the files already checked and fingerprinted at the door).</summary>
public sealed record RequestPayment(
    Guid RequestId, decimal Amount, Guid? TrancheId, string? Note, IReadOnlyList<EvidenceFile> Files, string RequestedBy, Instant RequestedAt);

/// <summary>Finance turns a payment request down, with a reason the grantee sees.</summary>
public sealed record DeclinePaymentRequest(Guid RequestId, string Reason, string DeclinedBy);

public static class PaymentRequestErrors
{
    public static DomainError NotFound(Guid requestId) =>
        new("payment-request-not-found", $"The grant has no payment request {requestId}.", ErrorKind.NotFound);

    /// <summary>Paying with the id of a request this grant does not have (another grant's, or none): refused, never linked.</summary>
    public static DomainError Unknown(Guid requestId) =>
        new("payment-request-unknown", $"The grant has no payment request {requestId}; a payment can only settle a request of its own grant.");

    public static DomainError Open(int? trancheNumber) =>
        new("payment-request-open", trancheNumber is { } number
            ? $"A payment request for tranche {number} is already open; wait until finance pays or declines it."
            : "A payment request for this grant is already open; wait until finance pays or declines it.");

    public static DomainError NotOpen(PaymentRequest request) => request.Status switch
    {
        PaymentRequestStatus.Paid => new("payment-request-paid",
            $"Payment request {request.Id} has already been paid (payment {request.DisbursementId})."),
        _ => new("payment-request-declined", $"Payment request {request.Id} was declined: {request.DeclineReason}"),
    };

    public static DomainError TrancheMismatch(Guid requestId) =>
        new("payment-request-tranche-mismatch", $"Payment request {requestId} asks for another tranche than the one named for the payment.");
}

/// <summary>
/// Whether a grantee may ask for this payment now. The rules a payment must pass that are known when the request is made
/// (the award approved, the tranche open and not overpaid, the grant not overpaid) refuse it early with the codes a payment
/// would get; holds, reported spend and four eyes are finance's call and are decided when the request is paid.
/// </summary>
public static class RequestPaymentDecision
{
    public static Result<PaymentRequested> Decide(Grant grant, RequestPayment cmd)
    {
        if (grant.AwardState != AwardStatus.Approved)
        {
            return grant.AwardState == AwardStatus.Rejected ? DomainErrors.AwardRejected() : DomainErrors.AwardAwaitingApproval();
        }

        return Money.Positive(cmd.Amount, grant.Currency).Then<PaymentRequested>(amount =>
        {
            if (RecordDisbursementDecision.CheckTranche(grant, cmd.TrancheId, amount) is { } trancheError)
            {
                return trancheError;
            }

            if (amount > grant.Remaining)
            {
                return DomainErrors.GrantExceeded(amount, grant.Remaining);
            }

            if (grant.PaymentRequests.Any(r => r.IsOpen && r.TrancheId == cmd.TrancheId))
            {
                return PaymentRequestErrors.Open(cmd.TrancheId is { } id ? grant.FindTranche(id)?.Number : null);
            }

            return new PaymentRequested(grant.Id, cmd.RequestId, amount, cmd.TrancheId, cmd.Note, cmd.Files, cmd.RequestedBy, cmd.RequestedAt);
        });
    }
}

public static class DeclinePaymentRequestDecision
{
    public static Result<PaymentRequestDeclined> Decide(Grant grant, DeclinePaymentRequest cmd) =>
        grant.FindPaymentRequest(cmd.RequestId) switch
        {
            null => PaymentRequestErrors.NotFound(cmd.RequestId),
            { IsOpen: false } request => PaymentRequestErrors.NotOpen(request),
            _ when string.IsNullOrWhiteSpace(cmd.Reason) => new DomainError("reason-required", "Say why the request is declined; the grantee sees it."),
            _ => new PaymentRequestDeclined(grant.Id, cmd.RequestId, cmd.Reason.Trim(), cmd.DeclinedBy),
        };
}
