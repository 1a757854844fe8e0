using System.Globalization;
using GrantLedger.Domain;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using NodaTime.Text;

namespace GrantLedger.Api.Pages;

/// <summary>How the pages show figures and dates: EUR with thousands separators, dates in the programme's zone.</summary>
public static class Ui
{
    public static string Eur(decimal amount) => amount.ToString("#,##0.00", CultureInfo.InvariantCulture) + " EUR";
    public static string Number(decimal amount) => amount.ToString("#,##0.00", CultureInfo.InvariantCulture);
    public static string Date(LocalDate date) => LocalDatePattern.Iso.Format(date);

    public static string When(Instant instant, string timeZone)
    {
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZone) ?? DateTimeZone.Utc;
        return LocalDateTimePattern.CreateWithInvariantCulture("uuuu-MM-dd HH:mm").Format(instant.InZone(zone).LocalDateTime) + " " + zone.Id;
    }
}

/// <summary>
/// What an API handler answered, for a page: the pages call the very same endpoint methods the API serves, so every
/// rule has one home; this turns their problem+json into sentences next to the fields.
/// </summary>
public sealed record Outcome(bool Ok, string? Message, IReadOnlyDictionary<string, string[]> FieldErrors, bool Conflict)
{
    public static Outcome From(IResult result) => result switch
    {
        ProblemHttpResult { ProblemDetails: HttpValidationProblemDetails v } => new(false, "Some fields need attention.", new Dictionary<string, string[]>(v.Errors), false),
        ProblemHttpResult p => new(false, p.ProblemDetails.Status == StatusCodes.Status409Conflict
            ? "Someone else changed this since you opened the page. Reload it to see the latest figures, then try again."
            : p.ProblemDetails.Detail ?? p.ProblemDetails.Title, new Dictionary<string, string[]>(), p.ProblemDetails.Status == StatusCodes.Status409Conflict),
        _ => new(true, null, new Dictionary<string, string[]>(), false),
    };

    public static Outcome Invalid(ProblemDetails problem) =>
        problem is HttpValidationProblemDetails v
            ? new(false, "Some fields need attention.", new Dictionary<string, string[]>(v.Errors), false)
            : new(true, null, new Dictionary<string, string[]>(), false);

    public string? ErrorFor(string field) =>
        FieldErrors.FirstOrDefault(e => string.Equals(e.Key, field, StringComparison.OrdinalIgnoreCase)).Value is { Length: > 0 } messages
            ? string.Join(" ", messages) : null;
}
