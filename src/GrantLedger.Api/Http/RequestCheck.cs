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
            Add(field, $"must be at most {maxLength:N0} characters.");
        }

        return this;
    }

    public RequestCheck OptionalText(string field, string? value, int maxLength = 2000) =>
        string.IsNullOrWhiteSpace(value) ? this : Text(field, value, maxLength);

    /// <summary>A list of at most <paramref name="max"/> items (InputLimits); a missing list is for the caller to judge.</summary>
    public RequestCheck Count<T>(string field, IReadOnlyCollection<T>? list, int max) =>
        list is null || list.Count <= max ? this : Add(field, $"must list at most {max:N0} items (it lists {list.Count:N0}).");

    /// <summary>
    /// Checks each item of a list (up to its cap: a longer list is refused by <see cref="Count{T}"/> and not walked), naming
    /// each item's fields by position, e.g. <c>entries[3].description</c>. A null item is itself malformed.
    /// </summary>
    public RequestCheck Each<T>(string field, IReadOnlyList<T?>? list, int max, Action<RequestCheck, string, T> check) where T : class
    {
        if (list is null)
        {
            return this;
        }

        Count(field, list, max);
        for (var i = 0; i < Math.Min(list.Count, max); i++)
        {
            if (list[i] is { } item)
            {
                check(this, $"{field}[{i}]", item);
            }
            else
            {
                Add($"{field}[{i}]", "must be an object, not null.");
            }
        }

        return this;
    }

    /// <summary>Each string of a list at most <paramref name="maxLength"/> characters (the list at most <paramref name="max"/> items).</summary>
    public RequestCheck EachText(string field, IReadOnlyList<string?>? list, int max, int maxLength)
    {
        if (list is null)
        {
            return this;
        }

        Count(field, list, max);
        for (var i = 0; i < Math.Min(list.Count, max); i++)
        {
            Text($"{field}[{i}]", list[i], maxLength);
        }

        return this;
    }

    /// <summary>At most <paramref name="maxLength"/> characters when given, blank allowed (for fields whose emptiness a rule judges).</summary>
    public RequestCheck MaxLength(string field, string? value, int maxLength) =>
        value is null || value.Length <= maxLength ? this : Add(field, $"must be at most {maxLength:N0} characters.");

    public bool HasErrors => _errors.Count > 0;

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

    /// <summary>The stream version a write expects (optimistic concurrency): absent, or positive.</summary>
    public RequestCheck ExpectedVersion(long? value) => That(value is null or > 0, "expectedVersion", "must be a positive stream version.");

    /// <summary>A second person's approval: an optional note and the expected version.</summary>
    public static ProblemDetails Approval(string? note, long? expectedVersion, string field = "note") =>
        new RequestCheck().OptionalText(field, note, InputLimits.Reason).ExpectedVersion(expectedVersion).Result();

    /// <summary>A rejection, correction or proposal: a reason is required (it is recorded), and the expected version.</summary>
    public static ProblemDetails Reasoned(string? reason, long? expectedVersion) =>
        new RequestCheck().Text("reason", reason, InputLimits.Reason).ExpectedVersion(expectedVersion).Result();

    public ProblemDetails Result() =>
        _errors.Count == 0
            ? WolverineContinue.NoProblems
            : new HttpValidationProblemDetails(_errors)
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request is malformed",
                Detail = "See errors: " + string.Join("; ", _errors.Select(e => $"{e.Key} {string.Join(" ", e.Value)}")),
                Type = Problems.TypePrefix + "malformed-request",
                Extensions = { ["code"] = "malformed-request" },
            };

    public RequestCheck Add(string field, string message)
    {
        _errors[field] = _errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];
        return this;
    }

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyCode();

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex CountryCode();
}
