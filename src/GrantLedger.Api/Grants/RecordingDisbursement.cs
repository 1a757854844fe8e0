using System.Text.Json;
using GrantLedger.Api.Http;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using NodaTime;
using Wolverine.Http;

namespace GrantLedger.Api.Grants;

public sealed record RecordDisbursementRequest(
    decimal Amount,
    LocalDate ValueDate,
    string Reference,
    string? Note = null,
    string? Currency = null,
    long? ExpectedVersion = null);

public sealed record DisbursementCreated(Guid Id, long Version, string Status);

public static class RecordDisbursementEndpoint
{
    public static ProblemDetails Validate(RecordDisbursementRequest? request, HttpContext context) =>
        request is null ? RequestCheck.Body(request).Result() : new RequestCheck()
            .That(context.Request.Headers[IdempotencyRecord.HeaderName].ToString() is { Length: > 0 and <= IdempotencyRecord.MaxKeyLength },
                IdempotencyRecord.HeaderName, $"header is required (1 to {IdempotencyRecord.MaxKeyLength} characters), so a retry never pays twice.")
            .Text("reference", request.Reference)
            .OptionalText("note", request.Note)
            .Currency("currency", request.Currency, required: false)
            .That(request.ExpectedVersion is null or > 0, "expectedVersion", "must be a positive stream version.")
            .Result();

    [WolverinePost("/api/grants/{grantId}/disbursements")]
    public static async Task<IResult> Post(
        Guid grantId,
        RecordDisbursementRequest request,
        HttpContext context,
        IDocumentSession session,
        IDocumentStore store,
        IClock clock,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    {
        var key = IdempotencyRecord.KeyFor("disbursement", grantId, context.Request.Headers[IdempotencyRecord.HeaderName].ToString());
        var requestHash = IdempotencyRecord.HashOf(request);
        if (await session.LoadAsync<IdempotencyRecord>(key) is { } earlier)
        {
            return earlier.Replay(requestHash, context);
        }

        var stream = request.ExpectedVersion is { } expected
            ? await session.Events.FetchForWriting<Grant>(grantId, expected)
            : await session.Events.FetchForWriting<Grant>(grantId);
        if (stream.Aggregate is not { } grant)
        {
            return Problems.NotFound("grant", grantId);
        }

        var programme = await session.LoadAsync<Programme>(grant.ProgrammeId)
            ?? throw new InvalidOperationException($"Grant {grantId} names unknown programme {grant.ProgrammeId}.");

        var command = new RecordDisbursement(Guid.NewGuid(), request.Amount, request.Currency, request.ValueDate,
            request.Reference.Trim(), request.Note?.Trim());
        var decision = RecordDisbursementDecision.Decide(grant, programme.Window, command);
        if (!decision.IsSuccess)
        {
            return Problems.From(decision.Error!);
        }

        session.RecordedBy(RequestMetadata.From(context), request.Note);
        stream.AppendOne(decision.Value);
        var response = new DisbursementCreated(command.DisbursementId, (stream.StartingVersion ?? 0) + 1, "recorded");
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
                return concurrentFirst.Replay(requestHash, context);
            }

            throw;
        }

        return Results.Created($"/api/grants/{grantId}/disbursements/{command.DisbursementId}", response);
    }

    private static async Task<IdempotencyRecord?> FirstAnswer(IDocumentStore store, string key)
    {
        await using var query = store.QuerySession();
        return await query.LoadAsync<IdempotencyRecord>(key);
    }
}
