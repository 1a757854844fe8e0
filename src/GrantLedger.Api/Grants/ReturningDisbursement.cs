using System.Text.Json;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Notifications;
using GrantLedger.Api.Programmes;
using GrantLedger.Domain.Grants;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using NodaTime;
using Wolverine;
using Wolverine.Http;

namespace GrantLedger.Api.Grants;

/// <param name="Amount">What came back (greater than zero, at most the payment's amount, 2 decimals); less than the payment
/// when the bank kept its charges, which stay paid.</param>
/// <param name="ValueDate">The value date of the bank's credit: not before the payment's, in an open month.</param>
/// <param name="BankReason">Why the bank returned it (wrong or closed account, sanctions screening …).</param>
public sealed record ReturnDisbursementRequest(decimal Amount, LocalDate ValueDate, string BankReason, string? BankReference = null,
    long? ExpectedVersion = null);

public sealed record DisbursementReturnRecorded(Guid DisbursementId, long Version, decimal Returned, string Status = "returned");

public static class ReturnDisbursementEndpoint
{
    public static ProblemDetails Validate(ReturnDisbursementRequest? request, HttpContext context) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck()
            .That(context.Request.Headers[IdempotencyRecord.HeaderName].ToString().Length <= IdempotencyRecord.MaxKeyLength,
                IdempotencyRecord.HeaderName, $"must be at most {IdempotencyRecord.MaxKeyLength} characters.")
            .Text("bankReason", request.BankReason, InputLimits.Reason)
            .MaxLength("bankReference", request.BankReference, InputLimits.Reference)
            .ExpectedVersion(request.ExpectedVersion)
            .Result();

    /// <summary>Finance records that the bank sent a payment back. An <c>Idempotency-Key</c> header (optional) makes a retry
    /// answer as the first request did; without one a second return of the same payment is refused anyway.</summary>
    [Authorize(Policy = Policies.Finance)]
    [WolverinePost("/api/grants/{grantId}/disbursements/{disbursementId}/return")]
    public static Task<IResult> Post(Guid grantId, Guid disbursementId, ReturnDisbursementRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new ReturnDisbursementCommand(grantId, disbursementId, request with
            {
                BankReason = request.BankReason.Trim(),
                BankReference = string.IsNullOrWhiteSpace(request.BankReference) ? null : request.BankReference.Trim(),
            }, context.Request.Headers[IdempotencyRecord.HeaderName].ToString(), RequestMetadata.From(context)),
            $"/api/grants/{grantId}/disbursements/{disbursementId}", context.RequestAborted);
}

/// <summary>The bank returned (part of) a payment: the money came back, so the grant can pay it again.</summary>
public sealed record ReturnDisbursementCommand(Guid GrantId, Guid DisbursementId, ReturnDisbursementRequest Request, string? IdempotencyKey,
    RequestMetadata Metadata) : IGrantCommand
{
    public long? ExpectedVersion => Request.ExpectedVersion;
    public string? Reason => Request.BankReason;
}

public static class ReturnDisbursementHandler
{
    /// <summary>
    /// Hand-written, not through the one door's single-stream workflow (ADR 0010): the decision needs the programme's
    /// closed months as well as the grant (one round trip), and a retried request under the same key must not return
    /// the payment twice (the answer is kept in the same transaction as the event, like a payment's).
    /// </summary>
    public static async Task<CommandOutcome> Handle(ReturnDisbursementCommand command, IDocumentSession session, IMessageBus bus, IClock clock,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    {
        var key = string.IsNullOrEmpty(command.IdempotencyKey)
            ? null
            : IdempotencyRecord.KeyFor("return", command.GrantId, $"{command.DisbursementId}:{command.IdempotencyKey}");
        var requestHash = IdempotencyRecord.HashOf(command.Request);
        var reads = session.CreateBatchQuery();
        var earlierRead = key is null ? Task.FromResult<IdempotencyRecord?>(null) : reads.Load<IdempotencyRecord>(key);
        var streamRead = reads.Events.FetchForWriting<Grant>(command.GrantId);
        var programmeRead = reads.ProgrammeOfGrant(command.GrantId);
        var paymentRead = reads.Load<GrantPayment>(command.DisbursementId);
        await reads.Execute();
        if (await earlierRead is { } earlier)
        {
            return new CommandOutcome(earlier.Replay(requestHash));
        }

        var stream = await streamRead;
        if (GrantCommands.Refusal(command, stream.Aggregate) is { } refused)
        {
            return refused;
        }

        var grant = stream.Aggregate!.Holding(await paymentRead);
        var programme = await programmeRead
            ?? throw new InvalidOperationException($"Grant {grant.Id} names unknown programme {grant.ProgrammeId}.");
        var request = command.Request;
        var decision = ReturnDisbursementDecision.Decide(grant, new ReturnDisbursement(command.DisbursementId, request.Amount, request.ValueDate,
            request.BankReason, request.BankReference, command.Metadata.UserId), programme.Books);
        if (!decision.IsSuccess)
        {
            return CommandOutcome.Refused(decision.Error!);
        }

        stream.AppendOne(decision.Value);
        session.GuardOpenPeriod(grant.ProgrammeId, request.ValueDate);
        await LedgerNotices.Record(session, bus, grant, [decision.Value], clock.GetCurrentInstant());
        var response = new DisbursementReturnRecorded(command.DisbursementId, grant.Version + 1, decision.Value.Amount.Amount);
        if (key is not null)
        {
            session.Insert(new IdempotencyRecord(key, requestHash, StatusCodes.Status201Created,
                JsonSerializer.Serialize(response, json.Value.SerializerOptions), clock.GetCurrentInstant()));
        }

        return new CommandOutcome(null, response.Version, response);
    }
}
