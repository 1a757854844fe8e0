using System.Security.Cryptography;
using System.Text.Json;
using GrantLedger.Api.Configuration;
using GrantLedger.Api.Http;
using NodaTime;

namespace GrantLedger.Api.Grants;

/// <summary>
/// The first answer to a payment command, kept under its idempotency key in the same transaction as the events it
/// appended: a retry with the same key and body gets this answer back and records nothing new.
/// </summary>
public sealed record IdempotencyRecord(string Id, string RequestHash, int StatusCode, string ResponseJson, Instant RecordedAt)
{
    public const string HeaderName = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    public const int MaxKeyLength = 200;

    public static string KeyFor(string command, Guid streamId, string key) => $"{command}:{streamId}:{key}";

    /// <summary>A hash of the request as understood (after parsing), so whitespace or member order do not matter.</summary>
    public static string HashOf<T>(T request) =>
        Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, HashOptions)));

    /// <summary>The first answer again (marked <c>Idempotent-Replayed: true</c>), or a refusal for a different request.</summary>
    public IResult Replay(string requestHash) =>
        requestHash != RequestHash
            ? Problems.From(new("idempotency-key-reused",
                "This idempotency key was already used for a different request. Use a new key for a new payment."))
            : Replayed.Counted(this);

    private sealed class Replayed(IdempotencyRecord record) : IResult
    {
        public static Replayed Counted(IdempotencyRecord record)
        {
            Operations.LedgerMetrics.IdempotentReplay();
            return new Replayed(record);
        }

        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers[ReplayedHeader] = "true";
            return Results.Text(record.ResponseJson, "application/json", statusCode: record.StatusCode).ExecuteAsync(httpContext);
        }
    }

    private static readonly JsonSerializerOptions HashOptions = new JsonSerializerOptions().ConfigureGrantLedger();
}
