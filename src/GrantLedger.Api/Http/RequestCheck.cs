using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using Wolverine.Http;

namespace GrantLedger.Api.Http;

/// <summary>
/// Collects what is malformed about a request (missing text, bad codes) into one 400 problem, so a client sees every
/// mistake at once. Business rules are not checked here: they belong to the domain and answer 422.
/// </summary>
public sealed partial class RequestCheck
{
    private readonly Dictionary<string, string[]> _errors = new();

    /// <summary>A JSON <c>null</c> body binds as null; it is as malformed as no body at all.</summary>
    public static RequestCheck Body(object? request) =>
        request is null ? new RequestCheck().Add("body", "must be a JSON object.") : new RequestCheck();

    public RequestCheck Text(string field, string? value, int maxLength = 200)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "is required.");
        }
        else if (value.Length > maxLength)
        {
            Add(field, $"must be at most {maxLength} characters.");
        }

        return this;
    }

    public RequestCheck OptionalText(string field, string? value, int maxLength = 2000) =>
        string.IsNullOrWhiteSpace(value) ? this : Text(field, value, maxLength);

    public RequestCheck Currency(string field, string? value, bool required)
    {
        if (value is null)
        {
            return required ? Add(field, "is required.") : this;
        }

        return CurrencyCode().IsMatch(value) ? this : Add(field, "must be a three-letter ISO 4217 code such as EUR.");
    }

    public RequestCheck Countries(string field, IReadOnlyList<string>? value)
    {
        if (value is null || value.Count == 0)
        {
            return Add(field, "must name at least one country.");
        }

        return value.All(c => c is not null && CountryCode().IsMatch(c))
            ? this
            : Add(field, "must hold ISO 3166-1 alpha-2 codes such as KG, TJ, KZ.");
    }

    public RequestCheck TimeZone(string field, string? value) =>
        value is null || DateTimeZoneProviders.Tzdb.GetZoneOrNull(value) is not null
            ? this
            : Add(field, "must be an IANA time zone such as Asia/Bishkek.");

    public RequestCheck That(bool ok, string field, string message) => ok ? this : Add(field, message);

    public ProblemDetails Result() =>
        _errors.Count == 0
            ? WolverineContinue.NoProblems
            : new HttpValidationProblemDetails(_errors)
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request is malformed",
                Type = Problems.TypePrefix + "malformed-request",
                Extensions = { ["code"] = "malformed-request" },
            };

    private RequestCheck Add(string field, string message)
    {
        _errors[field] = _errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];
        return this;
    }

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyCode();

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex CountryCode();
}
