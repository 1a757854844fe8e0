using GrantLedger.Api.Identity;
using GrantLedger.Api.Notifications;

namespace GrantLedger.Api.Tests;

/// <summary>Every kind of notice can be written in every language the ledger speaks, with figures in that culture.</summary>
public class MailTextsTests
{
    [Fact]
    public void every_kind_has_a_subject_and_a_body_in_english_and_russian_and_they_differ()
    {
        foreach (var kind in NotificationKinds.All)
        {
            var (en, ru) = (MailTexts.For(Languages.English), MailTexts.For(Languages.Russian));
            Assert.NotEqual(en.Text(kind + ".Subject"), ru.Text(kind + ".Subject"));
            Assert.NotEqual(en.Text(kind + ".Body"), ru.Text(kind + ".Body"));
        }
    }

    [Fact]
    public void money_and_dates_follow_the_recipients_culture_and_an_unknown_language_reads_english()
    {
        var money = new Domain.Money(1_234_567.89m, "EUR");
        var date = new NodaTime.LocalDate(2026, 12, 31);
        Assert.Equal("1\u00A0234\u00A0567,89 EUR", MailTexts.For("ru").Money(money));
        Assert.Equal("31.12.2026", MailTexts.For("ru").Date(date));
        Assert.Equal("1,234,567.89 EUR", MailTexts.For("en").Money(money));
        Assert.Equal("31 December 2026", MailTexts.For("en").Date(date));
        Assert.Equal("1,234,567.89 EUR", MailTexts.For("de").Money(money));
    }
}
