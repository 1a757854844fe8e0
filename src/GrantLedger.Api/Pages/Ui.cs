using System.Globalization;
using System.Text.Encodings.Web;
using GrantLedger.Domain;
using Microsoft.AspNetCore.Html;
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

    /// <summary>A share as a percentage for a form (0.07 → "7").</summary>
    public static string Percent(decimal share) => (share * 100m).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>The problem of one field, next to it, with the id its input names in <c>aria-describedby</c>.</summary>
    public static IHtmlContent FieldError(Outcome? outcome, string field) => outcome?.ErrorFor(field) is { } message
        ? new HtmlString($"<p class=\"error\" id=\"{Outcome.ErrorId(field)}\">{HtmlEncoder.Default.Encode(message)}</p>")
        : HtmlString.Empty;

    /// <summary>A field's key as words for the list of problems ("approvalThreshold" → "approval threshold", "line1-code" → "line 2, code").</summary>
    public static string FieldName(string key)
    {
        var line = System.Text.RegularExpressions.Regex.Match(key, "^line([0-9]+)-(.+)$");
        return line.Success
            ? $"line {int.Parse(line.Groups[1].Value, CultureInfo.InvariantCulture) + 1}, {line.Groups[2].Value}"
            : System.Text.RegularExpressions.Regex.Replace(key, "([a-z])([A-Z])", "$1 $2").Replace('.', ' ').ToLowerInvariant();
    }

    /// <summary>A figure as typed with a dot for decimals (thousands commas allowed), or null.</summary>
    public static decimal? Parse(string? text) =>
        decimal.TryParse((text ?? "").Replace(",", "").Trim(), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
            ? v : null;

    public static string Plain(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

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
public sealed record Outcome(bool Ok, string? Message, IReadOnlyDictionary<string, string[]> FieldErrors, bool Conflict, string? Code = null)
{
    public static Outcome From(IResult result) => result switch
    {
        ProblemHttpResult { ProblemDetails: HttpValidationProblemDetails v } => new(false, "Some fields need attention.", new Dictionary<string, string[]>(v.Errors), false),
        ProblemHttpResult p => new(false, p.ProblemDetails.Status == StatusCodes.Status409Conflict
            ? "Someone else changed this since you opened the page. Reload it to see the latest figures, then try again."
            : p.ProblemDetails.Detail ?? p.ProblemDetails.Title, new Dictionary<string, string[]>(), p.ProblemDetails.Status == StatusCodes.Status409Conflict,
            p.ProblemDetails.Extensions.TryGetValue("code", out var code) ? code?.ToString() : null),
        _ => new(true, null, new Dictionary<string, string[]>(), false),
    };

    /// <summary>Fields typed wrong before anything is sent (a figure that is not a number, a date that is not a date).</summary>
    public static Outcome Fields(IReadOnlyDictionary<string, string[]> errors) => new(false, "Some fields need attention.", errors, false);

    /// <summary>A business-rule refusal (422) shown next to the field its code is about, as well as at the top.</summary>
    public Outcome Placed(IReadOnlyDictionary<string, string> fieldOfCode) =>
        !Ok && Code is { } code && Message is { } message && fieldOfCode.TryGetValue(code, out var field)
            ? this with { FieldErrors = new Dictionary<string, string[]>(FieldErrors) { [field] = [message] } }
            : this;

    public static Outcome Invalid(ProblemDetails problem) =>
        problem is HttpValidationProblemDetails v
            ? new(false, "Some fields need attention.", new Dictionary<string, string[]>(v.Errors), false)
            : new(true, null, new Dictionary<string, string[]>(), false);

    /// <summary>The error paragraph's id for an input's <c>aria-describedby</c>, when the field has an error.</summary>
    public string? DescribedBy(string field) => ErrorFor(field) is null ? null : ErrorId(field);

    /// <summary><c>aria-invalid="true"</c> for a field with an error (null omits the attribute).</summary>
    public string? InvalidFlag(string field) => ErrorFor(field) is null ? null : "true";

    public static string ErrorId(string field) => "error-" + field.Replace('.', '-').Replace('[', '-').Replace(']', '-');

    public string? ErrorFor(string field) =>
        FieldErrors.FirstOrDefault(e => string.Equals(e.Key, field, StringComparison.OrdinalIgnoreCase)).Value is { Length: > 0 } messages
            ? string.Join(" ", messages) : null;
}
