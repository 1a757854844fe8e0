using GrantLedger.Domain;
using Microsoft.AspNetCore.Mvc;

namespace GrantLedger.Api.Http;

/// <summary>RFC 9457 problem responses. Every problem carries a stable <c>code</c> a client can switch on.</summary>
public static class Problems
{
    public const string TypePrefix = "urn:grantledger:problem:";

    public static IResult From(DomainError error) => error.Kind switch
    {
        ErrorKind.NotFound => Create(StatusCodes.Status404NotFound, error.Code, "Not found", error.Message),
        _ => Create(StatusCodes.Status422UnprocessableEntity, error.Code, "The ledger refused the command", error.Message, error.Rows, error.Rule),
    };

    public static IResult NotFound(string what, Guid id) =>
        Create(StatusCodes.Status404NotFound, "not-found", "Not found", $"There is no {what} {id}.");

    public static IResult BadRequest(string code, string detail) =>
        Create(StatusCodes.Status400BadRequest, code, "The request is malformed", detail);

    public static IResult VersionConflict(string detail) =>
        Create(StatusCodes.Status409Conflict, "version-conflict", "Someone else changed this first", detail);

    /// <param name="rows">For imports: every bad row, as <c>errors: [{row, field, message}]</c>.</param>
    /// <param name="rule">For four eyes: the rule that asked for a second person, as <c>rule</c>.</param>
    public static IResult Create(int status, string code, string title, string detail, IReadOnlyList<RowError>? rows = null, string? rule = null)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Type = TypePrefix + code,
            Title = title,
            Detail = detail,
            Extensions = { ["code"] = code },
        };
        if (rows is { Count: > 0 })
        {
            problem.Extensions["errors"] = rows.Select(r => new { row = r.Row, field = r.Field, message = r.Message }).ToList();
        }

        if (rule is not null)
        {
            problem.Extensions["rule"] = rule;
        }

        return Results.Problem(problem);
    }

    /// <summary>Problems written by the framework (bad JSON, unknown route) get a code and correlation id too.</summary>
    public static void AddCodeAndCorrelation(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (!problem.Extensions.ContainsKey("code"))
        {
            var code = problem.Status switch
            {
                StatusCodes.Status400BadRequest => "malformed-request",
                StatusCodes.Status401Unauthorized => "unauthenticated",
                StatusCodes.Status403Forbidden => "forbidden",
                StatusCodes.Status404NotFound => "not-found",
                StatusCodes.Status405MethodNotAllowed => "method-not-allowed",
                StatusCodes.Status406NotAcceptable => "not-acceptable",
                StatusCodes.Status409Conflict => "version-conflict",
                StatusCodes.Status413PayloadTooLarge => "payload-too-large",
                StatusCodes.Status415UnsupportedMediaType => "unsupported-media-type",
                _ => "error",
            };
            problem.Extensions["code"] = code;
            problem.Type = TypePrefix + code;
        }

        problem.Instance ??= context.HttpContext.Request.Path;
        problem.Extensions["correlationId"] = RequestMetadata.CorrelationIdOf(context.HttpContext);
    }
}
