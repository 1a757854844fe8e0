using System.Globalization;
using System.Resources;
using GrantLedger.Reports.Composition;
using NodaTime;
using NodaTime.Text;

namespace GrantLedger.Reports.Models;

/// <summary>
/// The language a report is printed in: its fixed texts (<c>Resources/ReportTexts.resx</c>, <c>ReportTexts.ru.resx</c>),
/// and how it writes money and dates. English is the ledger's house style (<c>1,234,567.89</c>, ISO dates); Russian
/// follows ru-RU (<c>1 234 567,89</c> with a no-break space, <c>31.12.2020</c>). Only the grantee statement is offered
/// in Russian; the other reports are English. Figures in the model, and their hash, are the same in every language.
/// </summary>
public sealed class ReportLanguage
{
    private static readonly ResourceManager Texts = new("GrantLedger.Reports.Resources.ReportTexts", typeof(ReportLanguage).Assembly);

    public static readonly ReportLanguage English = new("en", CultureInfo.InvariantCulture, "uuuu-MM-dd");

    // The separators are pinned rather than taken from ICU: a stored report is verified by rendering it again, possibly
    // on another machine, and the printed figures must come out the same whatever ICU data that machine has.
    public static readonly ReportLanguage Russian = new("ru", new NumberFormatInfo
    {
        NumberGroupSeparator = "\u00A0",
        NumberDecimalSeparator = ",",
        NumberGroupSizes = [3],
        NegativeSign = "-",
    }, "dd.MM.uuuu");

    private readonly IFormatProvider _numbers;
    private readonly LocalDatePattern _date;
    private readonly LocalDateTimePattern _dateTime;

    private ReportLanguage(string code, IFormatProvider numbers, string datePattern)
    {
        Code = code;
        Culture = CultureInfo.GetCultureInfo(code);
        _numbers = numbers;
        _date = LocalDatePattern.Create(datePattern, Culture);
        _dateTime = LocalDateTimePattern.Create(datePattern + " HH:mm", Culture);
    }

    public static IReadOnlyList<ReportLanguage> All { get; } = [English, Russian];

    /// <summary>The two-letter code (<c>en</c>, <c>ru</c>), as the API and the user's profile write it.</summary>
    public string Code { get; }

    /// <summary>The culture whose resources hold the fixed texts.</summary>
    public CultureInfo Culture { get; }

    /// <summary>The language for a code (case-insensitive), or null for a language reports are not printed in.</summary>
    public static ReportLanguage? Find(string? code) =>
        All.FirstOrDefault(l => string.Equals(l.Code, code?.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>A fixed text of the reports, in this language.</summary>
    public string Text(string key) =>
        Texts.GetString(key, Culture) ?? throw new InvalidOperationException($"No report text '{key}'.");

    /// <summary>A fixed text, or <paramref name="fallback"/> when the resources have none under <paramref name="key"/>.</summary>
    public string TextOr(string key, string fallback) => Texts.GetString(key, Culture) ?? fallback;

    /// <summary>A fixed text with values filled in (figures already formatted).</summary>
    public string Text(string key, params object[] values) => string.Format(CultureInfo.InvariantCulture, Text(key), values);

    /// <summary>Money as finance staff read it: thousands separators, two decimals.</summary>
    public string Amount(decimal value) => value.ToString("#,##0.00", _numbers);

    public string Date(LocalDate date) => _date.Format(date);

    public string DateTime(LocalDateTime value) => _dateTime.Format(value);

    /// <summary>What the composer prints on every page, in this language.</summary>
    public PageChrome Chrome => new(Code, Text("Footer"), Text("PageOf"));

    public override string ToString() => Code;
}
