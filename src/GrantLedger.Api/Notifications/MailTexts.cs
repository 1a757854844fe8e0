using System.Globalization;
using System.Resources;
using GrantLedger.Api.Identity;
using GrantLedger.Domain;
using NodaTime;
using NodaTime.Text;

namespace GrantLedger.Api.Notifications;

/// <summary>
/// The e-mail texts in one language, from <c>MailTexts.resx</c> (English) and <c>MailTexts.ru.resx</c> (a satellite
/// assembly), with money and dates in that language's culture. Read through a <see cref="ResourceManager"/> of their
/// own, so they do not depend on how the pages' localisation is set up.
/// </summary>
public sealed class MailTexts
{
    private static readonly ResourceManager Resources = new("GrantLedger.Api.Notifications.MailTexts", typeof(MailTexts).Assembly);

    private readonly CultureInfo _culture;
    private readonly NumberFormatInfo _numbers;
    private readonly LocalDatePattern _dates;

    private MailTexts(string language)
    {
        Language = Languages.Supported(language);
        // predefinedOnly: false, so the lookup works with or without ICU (InvariantGlobalization); the figures below are
        // formatted with separators of our own for the same reason, and read the same either way.
        _culture = CultureInfo.GetCultureInfo(Language, predefinedOnly: false);
        _numbers = (NumberFormatInfo)CultureInfo.InvariantCulture.NumberFormat.Clone();
        if (Language == Languages.Russian)
        {
            (_numbers.NumberGroupSeparator, _numbers.NumberDecimalSeparator) = ("\u00A0", ",");
        }

        _dates = LocalDatePattern.Create(Text("DatePattern"), CultureInfo.InvariantCulture);
    }

    public string Language { get; }

    public static MailTexts For(string? language) => new(language ?? Languages.English);

    /// <summary>A text by its key; a missing key is a bug, not an empty line.</summary>
    public string Text(string key) =>
        Resources.GetString(key, _culture) ?? throw new InvalidOperationException($"The e-mail text {key} is missing.");

    /// <summary>A text with its arguments, formatted in this language.</summary>
    public string Format(string key, params object?[] args) => string.Format(_culture, Text(key), args);

    /// <summary><c>1,234.56 EUR</c> in English, <c>1 234,56 EUR</c> (no-break space) in Russian.</summary>
    public string Money(Money money) => $"{money.Amount.ToString("#,##0.00", _numbers)} {money.Currency}";

    /// <summary><c>31 December 2026</c> in English, <c>31.12.2026</c> in Russian.</summary>
    public string Date(LocalDate date) => _dates.Format(date);
}
