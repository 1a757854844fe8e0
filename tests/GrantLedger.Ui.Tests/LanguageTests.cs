using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace GrantLedger.Ui.Tests;

/// <summary>
/// Grantees in Bishkek read the ledger in Russian: the pages' words, figures and dates in Russian, what people typed as
/// they typed it; finance keeps reading the same grant in English. The language is the person's profile setting, so it
/// survives signing out and in.
/// </summary>
[Collection(BrowserCollection.Name)]
public class LanguageTests(BrowserHost host)
{
    private const string Nbsp = "\u00A0";

    private Task<HttpClient> Api(string email) => host.Api(email);

    private static Task<JsonNode> Send(HttpClient client, HttpMethod method, string url, object body) => BrowserHost.Send(client, method, url, body);

    /// <summary>
    /// A grant of 40,000.00 EUR from 2021-03-01 with an interim report due on 2034-06-30, for an organisation of its own,
    /// and its grantee user, who reads Russian (set through <c>PUT /api/me/language</c>).
    /// </summary>
    private async Task<(string GrantPath, string Email, string Organisation, string Milestone)> RussianGrantee()
    {
        var code = "RU-" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var organisation = "Ilbirs Foundation " + code;
        var milestone = "Interim report " + code;
        var email = $"ilbirs-{code.ToLowerInvariant()}@bishkek.example";
        using var finance = await Api("finance@ecaro.example");
        var programme = await Send(finance, HttpMethod.Post, "/api/programmes", new
        {
            code, name = "Ilbirs " + code, currency = "EUR", allocation = 100_000m, windowStart = "2021-01-01", windowEnd = "2035-12-31",
            timeZone = "Asia/Bishkek", approvalThreshold = 100_000m,
        });
        var grant = await Send(finance, HttpMethod.Post, $"/api/programmes/{programme["id"]}/grants", new
        {
            organisationId = await host.Organisation(organisation), countries = new[] { "KG" }, title = "Snow leopard monitoring in the Sarychat", amount = 40_000m,
            windowStart = "2021-03-01", windowEnd = "2034-12-31",
        });
        await Send(finance, HttpMethod.Post, $"/api/grants/{grant["id"]}/milestones", new { title = milestone, kind = "interim", dueDate = "2034-06-30" });
        using var admin = await Api("admin@ecaro.example");
        await Send(admin, HttpMethod.Post, "/api/users", new
        {
            email, displayName = "Айнура, " + organisation, password = BrowserHost.Password, roles = new[] { "grantee" }, granteeOrganisationId = await host.Organisation(organisation),
        });
        using var grantee = await Api(email);
        await Send(grantee, HttpMethod.Put, "/api/me/language", new { language = "ru" });
        return ($"/grants/{grant["id"]}", email, organisation, milestone);
    }

    [Fact]
    public async Task a_russian_grantee_submits_a_milestone_and_reads_finances_reason_for_sending_it_back_as_written()
    {
        var (grant, email, organisation, milestone) = await RussianGrantee();
        const string reason = "The signed budget annex is missing; please add page 3.";

        // The grantee sees the grant in Russian: words, amounts and dates; the names as they were recorded.
        var grantee = await host.SignedIn(email);
        await grantee.GotoAsync(grant);
        await Assertions.Expect(grantee.Locator("html")).ToHaveAttributeAsync("lang", "ru");
        await Assertions.Expect(grantee.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(organisation);
        await Assertions.Expect(grantee.Locator("dt:text-is('Сумма гранта') + dd")).ToHaveTextAsync($"40{Nbsp}000,00 EUR");
        await Assertions.Expect(grantee.Locator("main")).ToContainTextAsync("01.03.2021");
        var row = grantee.Locator("tr", new() { HasText = milestone });
        await Assertions.Expect(row).ToContainTextAsync("30.06.2034");

        await row.GetByText("Представить этот этап…").ClickAsync();
        await row.GetByLabel("Примечание").FillAsync("Отчёт за первый полевой сезон");
        await row.GetByLabel("Подтверждающие документы", new() { Exact = false }).SetInputFilesAsync(new FilePayload
        {
            Name = "interim-report.pdf", MimeType = "application/pdf", Buffer = "%PDF-1.4\n% interim report\n%%EOF\n"u8.ToArray(),
        });
        await row.GetByRole(AriaRole.Button, new() { Name = "Представить" }).ClickAsync();
        await Assertions.Expect(grantee.GetByRole(AriaRole.Status)).ToContainTextAsync("Этап представлен");
        await Assertions.Expect(grantee.Locator("tr", new() { HasText = milestone })).ToContainTextAsync("представлен");

        // Finance reads the same grant in English and sends the milestone back with a reason.
        var finance = await host.SignedIn("finance@ecaro.example");
        await finance.GotoAsync(grant);
        await Assertions.Expect(finance.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(finance.Locator("dt:text-is('Awarded') + dd")).ToHaveTextAsync("40,000.00 EUR");
        var submitted = finance.Locator("tr", new() { HasText = milestone });
        await Assertions.Expect(submitted.GetByRole(AriaRole.Link, new() { Name = "interim-report.pdf" })).ToBeVisibleAsync();
        await submitted.GetByText("Send it back…").ClickAsync();
        await submitted.GetByLabel("Reason to send it back").FillAsync(reason);
        await submitted.GetByRole(AriaRole.Button, new() { Name = "Send back" }).ClickAsync();
        await Assertions.Expect(finance.GetByRole(AriaRole.Status)).ToContainTextAsync("The milestone was sent back with your reason.");

        // The grantee reads the reason in Russian page chrome, the reason itself as finance wrote it.
        await grantee.GotoAsync("/");
        await Assertions.Expect(grantee.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Ждёт вас");
        await Assertions.Expect(grantee.Locator("#queue-sent-back")).ToContainTextAsync("Возвращено вам на доработку");
        await grantee.Locator("#queue-sent-back").GetByRole(AriaRole.Link, new() { Name = milestone, Exact = false }).ClickAsync();
        await Assertions.Expect(grantee.Locator("tr", new() { HasText = milestone })).ToContainTextAsync($"Возвращён на доработку: {reason}");

        // …and the e-mail in its inbox says the same, in Russian, with finance's reason as written and a link to the grant.
        var mail = (await host.Mail.WaitFor(email, m => m.Subject.Contains(milestone, StringComparison.Ordinal))).Single();
        Assert.Equal($"Этап «{milestone}» возвращён на доработку", mail.Subject);
        Assert.Equal("ru", mail.Header("Content-Language"));
        Assert.Contains(reason, mail.Text, StringComparison.Ordinal);
        Assert.Contains(organisation, mail.Html, StringComparison.Ordinal);
        Assert.Contains(host.BaseUrl + grant, mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_language_switcher_changes_the_pages_at_once_and_the_choice_survives_signing_out_and_in()
    {
        var email = $"switch-{Guid.NewGuid():N}@ecaro.example";
        using (var admin = await Api("admin@ecaro.example"))
        {
            await Send(admin, HttpMethod.Post, "/api/users", new
            {
                email, displayName = "Finance officer, Almaty", password = BrowserHost.Password, roles = new[] { "finance" },
            });
        }

        var page = await host.SignedIn(email);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Waiting for you");
        await page.GotoAsync("/grants");

        await page.GetByRole(AriaRole.Button, new() { Name = "Русский" }).ClickAsync();

        await page.WaitForURLAsync("**/grants");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Гранты");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Русский" })).ToHaveAttributeAsync("aria-pressed", "true");
        await page.GetByRole(AriaRole.Button, new() { Name = "Выйти" }).ClickAsync();
        await page.WaitForURLAsync("**/signin");

        // A new browser (no culture cookie): signing in again brings the profile's language back.
        var again = await host.SignedIn(email);
        await Assertions.Expect(again.Locator("html")).ToHaveAttributeAsync("lang", "ru");
        await Assertions.Expect(again.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Ждёт вас");
        await again.GotoAsync("/account/preferences");
        await Assertions.Expect(again.GetByLabel("Язык страниц и писем")).ToHaveValueAsync("ru");

        // And back to English from the preferences page.
        await again.GetByLabel("Язык страниц и писем").SelectOptionAsync("en");
        await again.GetByRole(AriaRole.Button, new() { Name = "Сохранить настройки" }).ClickAsync();
        await Assertions.Expect(again.GetByRole(AriaRole.Status)).ToHaveTextAsync("Your preferences were saved.");
        await Assertions.Expect(again.Locator("html")).ToHaveAttributeAsync("lang", "en");
    }

    [Fact]
    public async Task a_person_turns_non_essential_email_off_and_on_again_on_the_preferences_page()
    {
        var email = $"quiet-{Guid.NewGuid():N}@wwb.example";
        using (var admin = await Api("admin@ecaro.example"))
        {
            await Send(admin, HttpMethod.Post, "/api/users", new
            {
                email, displayName = "Field officer, Almaty", password = BrowserHost.Password, roles = new[] { "grantee" },
                granteeOrganisationId = await host.Organisation("Wildlife Without Borders, with the Institute of Zoology of Kazakhstan"),
            });
        }

        var page = await host.SignedIn(email);
        await page.GotoAsync("/account/preferences");
        var box = page.GetByLabel("Also send me reminders, milestone reviews, amendments and reports by e-mail");
        await Assertions.Expect(box).ToBeCheckedAsync();
        await box.UncheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save preferences" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Your preferences were saved.");
        await Assertions.Expect(box).Not.ToBeCheckedAsync();
        using var api = await Api(email);
        Assert.False((await Send(api, HttpMethod.Get, "/api/me/preferences", null!))["nonEssentialMail"]!.GetValue<bool>());

        await box.CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save preferences" }).ClickAsync();
        await Assertions.Expect(box).ToBeCheckedAsync();
        Assert.True((await Send(api, HttpMethod.Get, "/api/me/preferences", null!))["nonEssentialMail"]!.GetValue<bool>());
    }
}
