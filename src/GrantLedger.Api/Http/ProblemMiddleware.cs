using JasperFx;
using Marten.Exceptions;
using Microsoft.AspNetCore.Http.Features;

namespace GrantLedger.Api.Http;

/// <summary>
/// The last line of defence that keeps "no input ever yields a 500": malformed bodies become 400 and lost
/// optimistic-concurrency races become 409, as problem+json. Anything else is a bug and is logged as one.
/// </summary>
public sealed class ProblemMiddleware(RequestDelegate next, ILogger<ProblemMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        // Every answer carries the correlation id its events (if any) were recorded under; so does every log line of the request.
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = RequestMetadata.CorrelationIdOf(context) });
        try
        {
            await next(context);
        }
        catch (Exception ex) when (!context.Response.HasStarted && Translate(ex) is { } problem)
        {
            logger.LogInformation("{Path}: {Code} ({Message})", context.Request.Path, problem.Code, ex.Message);
            context.Response.Clear();
            context.Response.Headers[RequestMetadata.CorrelationHeader] = RequestMetadata.CorrelationIdOf(context);
            await Problems.Create(problem.Status, problem.Code, problem.Title, problem.Detail).ExecuteAsync(context);
        }
    }

    private sealed record Translation(int Status, string Code, string Title, string Detail);

    private static Translation? Translate(Exception ex) => ex switch
    {
        InputLimitExceededException limit =>
            new(StatusCodes.Status413PayloadTooLarge, limit.Code, "The request is too large", limit.Message),
        ConcurrencyException or ExistingStreamIdCollisionException or DocumentAlreadyExistsException =>
            new(StatusCodes.Status409Conflict, "version-conflict", "Someone else changed this first",
                "The record was changed by another request since you read it. Reload it and try again."),
        MartenCommandException { InnerException: Npgsql.PostgresException { SqlState: "40001" or "23505" } } =>
            new(StatusCodes.Status409Conflict, "version-conflict", "Someone else changed this first",
                "A concurrent request changed the same record. Reload it and try again."),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } bad =>
            new(bad.StatusCode, "payload-too-large", "The request is too large", bad.Message),
        BadHttpRequestException bad =>
            new(bad.StatusCode, "malformed-request", "The request is malformed", bad.Message),
        // A form beyond its limits (InputLimits.FormValues, a value beyond InputLimits.JsonBody) is malformed, not a fault.
        InvalidDataException data when data.TargetSite?.DeclaringType?.Namespace?.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) == true =>
            new(StatusCodes.Status400BadRequest, "malformed-request", "The request is malformed", data.Message),
        // A limit hit while a framework was reading (MVC's form binding wraps it): the limit is the answer.
        Microsoft.AspNetCore.Mvc.ModelBinding.ValueProviderException { InnerException: { } inner } when Translate(inner) is { } wrapped => wrapped,
        { InnerException: { } inner } when Translate(inner) is { Status: StatusCodes.Status413PayloadTooLarge } limit => limit,
        System.Text.Json.JsonException json =>
            new(StatusCodes.Status400BadRequest, "malformed-request", "The request is malformed", json.Message),
        _ => null,
    };
}
