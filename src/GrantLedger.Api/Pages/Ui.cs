using System.Globalization;
using System.Text.Encodings.Web;
using GrantLedger.Domain;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using NodaTime.Text;

namespace GrantLedger.Api.Pages;

/// <summary>
/// How the pages show figures and dates, in the reader's language (the request's UI culture; the process culture stays
/// invariant, see LocalizationConfiguration): English <c>1,234,567.89 EUR</c> and ISO dates <c>2020-12-31</c>; Russian
/// <c>1 234 567,89 EUR</c> and <c>31.12.2020</c> (NodaTime patterns with the culture).
/// </summary>
public static class Ui
{
    private static readonly CultureInfo English = CultureInfo.InvariantCulture;

    /// <summary>As Razor encodes (Cyrillic as it is, markup characters escaped).</summary>
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);


    /// <summary>The culture the page is read in (English figures for English and anything unknown).</summary>
    public static CultureInfo Culture =>
        CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == Identity.Languages.Russian ? CultureInfo.CurrentUICulture : English;

    private static bool InEnglish => ReferenceEquals(Culture, English);

    /// <summary>The page's language code for <c>&lt;html lang&gt;</c>.</summary>
    public static string Language => InEnglish ? Identity.Languages.English : Identity.Languages.Russian;

    public static string Eur(decimal amount) => Number(amount) + " EUR";
    public static string Number(decimal amount) => amount.ToString("#,##0.00", Culture);
    public static string Date(LocalDate date) => InEnglish ? LocalDatePattern.Iso.Format(date) : LocalDatePattern.Create("d", Culture).Format(date);
    public static string Month(YearMonth month) => InEnglish ? YearMonthPattern.Iso.Format(month) : YearMonthPattern.Create("MM.uuuu", Culture).Format(month);

    /// <summary>A month given as <c>yyyy-MM</c> (the report models'), or the text as it is.</summary>
    public static string Month(string isoMonth) => YearMonthPattern.Iso.Parse(isoMonth) is { Success: true } parsed ? Month(parsed.Value) : isoMonth;


    /// <summary>A code the ledger records (a report kind, a status, an approval rule) in words: <c>PREFIX:code</c> in the resources, else the code.</summary>
    public static string Term(string prefix, string? code) =>
        code is null ? "" : SharedResource.Localizer[prefix + ":" + code] is { ResourceNotFound: false } known ? known.Value : code;

    /// <summary>A share as a percentage for a form (0.07 → "7"); a form value, so with a dot in every language.</summary>
    public static string Percent(decimal share) => (share * 100m).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>The problem of one field, next to it, with the id its input names in <c>aria-describedby</c>.</summary>
    public static IHtmlContent FieldError(Outcome? outcome, string field) => outcome?.ErrorFor(field) is { } message
        ? new HtmlString($"<p class=\"error\" id=\"{Outcome.ErrorId(field)}\">{Html.Encode(Problem.Field(outcome, message))}</p>")
        : HtmlString.Empty;

    /// <summary>A field's key as words for the list of problems ("approvalThreshold" → "approval threshold", "line1-code" → "line 2, code").</summary>
    public static string FieldName(string key)
    {
        var text = SharedResource.Localizer;
        var line = System.Text.RegularExpressions.Regex.Match(key, "^line([0-9]+)-(.+)$");
        if (line.Success)
        {
            return text["line {0}, {1}", int.Parse(line.Groups[1].Value, CultureInfo.InvariantCulture) + 1, FieldName(line.Groups[2].Value)];
        }

        var words = System.Text.RegularExpressions.Regex.Replace(key, "([a-z])([A-Z])", "$1 $2").Replace('.', ' ').ToLowerInvariant();
        return text["field:" + words] is { ResourceNotFound: false } known ? known.Value : words;

    }

    /// <summary>
    /// A figure as typed, or null: a dot for decimals with thousands commas allowed; in Russian also a decimal comma with
    /// spaces between thousands ("1 234,56"). A form never guesses between the two: "1,234.56" is read as typed in English.
    /// </summary>
    public static decimal? Parse(string? text)
    {
        var typed = (text ?? "").Trim();
        var normalised = !InEnglish && !typed.Contains('.')
            ? typed.Replace(" ", "").Replace("\u00A0", "").Replace("\u202F", "").Replace(',', '.')
            : typed.Replace(",", "");
        return decimal.TryParse(normalised, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
            ? v : null;
    }

    public static string Plain(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

    public static string When(Instant instant, string timeZone)
    {
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZone) ?? DateTimeZone.Utc;
        var pattern = InEnglish ? LocalDateTimePattern.CreateWithInvariantCulture("uuuu-MM-dd HH:mm") : LocalDateTimePattern.Create("dd.MM.uuuu HH:mm", Culture);
        return pattern.Format(instant.InZone(zone).LocalDateTime) + " " + zone.Id;
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
        ProblemHttpResult { ProblemDetails: HttpValidationProblemDetails v } => new(false, Problem.FieldsNeedAttention, new Dictionary<string, string[]>(v.Errors), false),
        ProblemHttpResult p => new(false, p.ProblemDetails.Status == StatusCodes.Status409Conflict
            ? Problem.Conflict
            : p.ProblemDetails.Detail ?? p.ProblemDetails.Title, new Dictionary<string, string[]>(), p.ProblemDetails.Status == StatusCodes.Status409Conflict,
            p.ProblemDetails.Extensions.TryGetValue("code", out var code) ? code?.ToString() : null),
        _ => new(true, null, new Dictionary<string, string[]>(), false),
    };

    /// <summary>Fields typed wrong before anything is sent (a figure that is not a number, a date that is not a date).</summary>
    public static Outcome Fields(IReadOnlyDictionary<string, string[]> errors) => new(false, Problem.FieldsNeedAttention, errors, false);

    /// <summary>A business-rule refusal (422) shown next to the field its code is about, as well as at the top.</summary>
    public Outcome Placed(IReadOnlyDictionary<string, string> fieldOfCode) =>
        !Ok && Code is { } code && Message is { } message && fieldOfCode.TryGetValue(code, out var field)
            ? this with { FieldErrors = new Dictionary<string, string[]>(FieldErrors) { [field] = [message] } }
            : this;

    public static Outcome Invalid(ProblemDetails problem) =>
        problem is HttpValidationProblemDetails v
            ? new(false, Problem.FieldsNeedAttention, new Dictionary<string, string[]>(v.Errors), false)
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

/// <summary>
/// A refusal in the reader's language. The API's problem+json stays English; a page translates what it shows: a
/// business-rule refusal (422) by its stable <c>code</c> (<c>problem:CODE</c> in the resources), a field's message
/// (400) by its kind (the English message is the key; "must be at most N characters." and the like by pattern), and
/// falls back to the English text when no translation exists. A refusal whose English detail carries figures or names
/// (a digit or a quotation) keeps that detail after the translated sentence, so nothing the reader needs is lost.
/// </summary>
public static partial class Problem
{
    public const string FieldsNeedAttention = "Some fields need attention.";
    public const string Conflict = "Someone else changed this since you opened the page. Reload it to see the latest figures, then try again.";

    /// <summary>The sentence at the top of a refused form.</summary>
    public static string Message(Outcome outcome)
    {
        var text = SharedResource.Localizer;
        var english = outcome.Message ?? "";
        if (outcome.Conflict)
        {
            return text[Conflict];
        }

        if (english == FieldsNeedAttention || (outcome.Code is null && text[english] is { ResourceNotFound: false }))
        {
            return text[english];
        }

        if (outcome.Code is { } code && text["problem:" + code] is { ResourceNotFound: false } translated && Ui.Language != Identity.Languages.English)
        {
            return Specific().IsMatch(english) ? $"{translated.Value} ({english})" : translated.Value;
        }

        return english;
    }

    /// <summary>A field's message; a business-rule refusal placed at its field (<see cref="Outcome.Placed"/>) by its code.</summary>
    public static string Field(Outcome outcome, string english) =>
        outcome.Code is not null && english == outcome.Message ? Message(outcome) : Field(english);

    /// <summary>One field's message: translated by its kind, or as the ledger wrote it.</summary>

    public static string Field(string english)
    {
        var text = SharedResource.Localizer;
        if (text[english] is { ResourceNotFound: false } known)
        {
            return known.Value;
        }

        var at = english.LastIndexOf(": ", StringComparison.Ordinal);
        if (at > 0 && text[english[(at + 2)..]] is { ResourceNotFound: false } tail)
        {
            // "line 3: must be a number …": the line as a number, the rest by its kind.
            return LinePrefix().Match(english) is { Success: true } line
                ? text["line {0}: {1}", line.Groups[1].Value, tail.Value]
                : english;
        }

        return MaxCharacters().Match(english) is { Success: true } max ? text["must be at most {0} characters.", max.Groups[1].Value]
            : MaxItems().Match(english) is { Success: true } items ? text["must list at most {0} items (it lists {1}).", items.Groups[1].Value, items.Groups[2].Value]
            : english;
    }

    [System.Text.RegularExpressions.GeneratedRegex("[0-9\"“]")]
    private static partial System.Text.RegularExpressions.Regex Specific();

    [System.Text.RegularExpressions.GeneratedRegex("^line ([0-9]+): ")]
    private static partial System.Text.RegularExpressions.Regex LinePrefix();

    [System.Text.RegularExpressions.GeneratedRegex("^must be at most ([0-9,]+) characters\\.$")]
    private static partial System.Text.RegularExpressions.Regex MaxCharacters();

    [System.Text.RegularExpressions.GeneratedRegex("^must list at most ([0-9,]+) items \\(it lists ([0-9,]+)\\)\\.$")]
    private static partial System.Text.RegularExpressions.Regex MaxItems();
}
