using System.Text.Json;
using GrantLedger.Domain.Currencies;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Notifications;
using GrantLedger.Api.Programmes;
using GrantLedger.Domain.Budgets;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Organisations;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using NodaTime;
using Wolverine;
using Wolverine.Http;

namespace GrantLedger.Api.Grants;

public sealed record RecordDisbursementRequest(
    decimal Amount,
    LocalDate ValueDate,
    string Reference,
    string? Note = null,
    string? Currency = null,
    long? ExpectedVersion = null,
    Guid? TrancheId = null,
    HoldOverrideRequest? Override = null,
    Guid? PaymentRequestId = null,
    Guid? BankAccountId = null);

/// <summary>Pays a grantee on hold anyway; recorded as its own event with the reason.</summary>
public sealed record HoldOverrideRequest(string Reason);

/// <param name="Rule">When the payment awaits approval: the four-eyes rule that held it (single-payment, cumulative-window).</param>
public sealed record DisbursementCreated(Guid Id, long Version, string Status, string? Rule = null);

public static class RecordDisbursementEndpoint
{
    public static ProblemDetails Validate(RecordDisbursementRequest? request, HttpContext context) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck()
            .That(context.Request.Headers[IdempotencyRecord.HeaderName].ToString() is { Length: > 0 and <= IdempotencyRecord.MaxKeyLength },
                IdempotencyRecord.HeaderName, $"header is required (1 to {IdempotencyRecord.MaxKeyLength} characters), so a retry never pays twice.")
            .Text("reference", request.Reference, InputLimits.Reference)
            .OptionalText("note", request.Note, InputLimits.Reason)
            .MaxLength("override.reason", request.Override?.Reason, InputLimits.Reason)
            .Currency("currency", request.Currency, required: false)
            .ExpectedVersion(request.ExpectedVersion)
            .That(request.Override is null || !string.IsNullOrWhiteSpace(request.Override.Reason), "override.reason",
                "is required to pay a grantee on hold.")
            .Result();

    [Authorize(Policy = Policies.Finance)]
    [WolverinePost("/api/grants/{grantId}/disbursements")]
    public static Task<IResult> Post(Guid grantId, RecordDisbursementRequest request, IMessageBus bus, HttpContext context) =>
        bus.Send(new RecordDisbursementCommand(grantId, request, context.Request.Headers[IdempotencyRecord.HeaderName].ToString(), RequestMetadata.From(context)),
            outcome => outcome.ToCreated(outcome.Body is DisbursementCreated created ? $"/api/grants/{grantId}/disbursements/{created.Id}" : ""),
            context.RequestAborted);
}

/// <summary>Finance pays a grantee: a disbursement against the grant (and a tranche), retried safely under its idempotency key.</summary>
public sealed record RecordDisbursementCommand(Guid GrantId, RecordDisbursementRequest Request, string IdempotencyKey, RequestMetadata Metadata)
    : IGrantCommand
{
    public long? ExpectedVersion => Request.ExpectedVersion;
    public string? Reason => Request.Override?.Reason ?? Request.Note;
}

public static class RecordDisbursementHandler
{
    public static async Task<CommandOutcome> Handle(RecordDisbursementCommand message, IDocumentSession session, IDocumentStore store, IClock clock,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, IMessageBus bus)
    {
        var (grantId, request) = (message.GrantId, message.Request);
        var key = IdempotencyRecord.KeyFor("disbursement", grantId, message.IdempotencyKey);
        var requestHash = IdempotencyRecord.HashOf(request);

        // Hand-written, not through the one door's workflow (ADR 0010): the hottest command keeps every read the decision
        // needs in one round trip (the earlier answer, the grant, and what depends on the grant: its programme, the
        // grantee's other grants for holds, found through the grant's row in the same batch), and writes the idempotency
        // record holding its answer in the same transaction as its events.
        var reads = session.CreateBatchQuery();
        var earlierRead = reads.Load<IdempotencyRecord>(key);
        var streamRead = reads.Events.FetchForWriting<Grant>(grantId);
        var programmeRead = reads.ProgrammeOfGrant(grantId);
        var mayHoldRead = reads.GrantsThatMayHold(grantId);
        var organisationRead = reads.OrganisationOfGrant(grantId);
        var ratesRead = reads.Load<FxRateTable>(FxRateTable.StreamId);
        await reads.Execute();
        if (await earlierRead is { } earlier)
        {
            return new CommandOutcome(earlier.Replay(requestHash));
        }

        var stream = await streamRead;
        if (GrantCommands.Refusal(message, stream.Aggregate) is { } refused)
        {
            return refused;
        }

        var grant = stream.Aggregate!;
        var programme = await programmeRead
            ?? throw new InvalidOperationException($"Grant {grantId} names unknown programme {grant.ProgrammeId}.");
        var hold = GranteeHold.Of(grant, await mayHoldRead);

        // Every payment says where the money went: an account a second person approved (ADR 0014).
        var account = PaymentAccount.Choose(await organisationRead, request.BankAccountId);
        if (!account.IsSuccess)
        {
            return CommandOutcome.Refused(account.Error!);
        }

        var metadata = message.Metadata;
        var command = new RecordDisbursement(Guid.NewGuid(), request.Amount, request.Currency, request.ValueDate,
            request.Reference.Trim(), request.Note?.Trim(), request.TrancheId, request.Override?.Reason, metadata.UserId, clock.GetCurrentInstant(),
            PaymentRequestId: request.PaymentRequestId, BankAccountId: account.Value);
        var spend = programme.Rules.SpendThreshold > 0m
            ? new ReportedSpend(BudgetVsActual.AcceptedSpend(grant, await ratesRead ?? FxRateTable.Empty), programme.Rules.SpendThreshold)
            : null;
        var decision = RecordDisbursementDecision.Decide(grant, programme.Window, command, hold, programme.Approval, spend, programme.Books);
        if (!decision.IsSuccess)
        {
            return CommandOutcome.Refused(decision.Error!);
        }

        var events = decision.Value.Events.ToList();
        stream.AppendMany(events);
        session.GuardOpenPeriod(grant.ProgrammeId, command.ValueDate);
        await LedgerNotices.Record(session, bus, grant, events, clock.GetCurrentInstant());
        var response = new DisbursementCreated(command.DisbursementId, grant.Version + events.Count,
            decision.Value.AwaitsApproval ? "awaiting-approval" : "recorded", decision.Value.Rule);
        var responseJson = JsonSerializer.Serialize(response, json.Value.SerializerOptions);
        session.Insert(new IdempotencyRecord(key, requestHash, StatusCodes.Status201Created, responseJson, clock.GetCurrentInstant()));

        try
        {
            await session.SaveChangesAsync();
        }
        catch (Exception)
        {
            // If the same key raced in from another request and won, answer as the first one did;
            // otherwise this was a lost race on the grant stream (409, via ProblemMiddleware).
            if (await FirstAnswer(store, key) is { } concurrentFirst)
            {
                session.EjectAllPendingChanges();
                return new CommandOutcome(concurrentFirst.Replay(requestHash));
            }

            throw;
        }

        Operations.LedgerMetrics.DisbursementRecorded(request.Amount, request.Currency);
        return new CommandOutcome(null, response.Version, response);
    }

    private static async Task<IdempotencyRecord?> FirstAnswer(IDocumentStore store, string key)
    {
        await using var query = store.QuerySession();
        return await query.LoadAsync<IdempotencyRecord>(key);
    }
}
