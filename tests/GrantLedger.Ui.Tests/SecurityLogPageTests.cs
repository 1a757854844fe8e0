using Microsoft.Playwright;

namespace GrantLedger.Ui.Tests;

/// <summary>The security log is readable by auditors and administrators in the browser, and by nobody else.</summary>
[Collection(BrowserCollection.Name)]
public class SecurityLogPageTests(BrowserHost host)
{
    [Fact]
    public async Task an_auditor_reads_a_failed_sign_in_on_the_security_log_page_and_finance_may_not()
    {
        // Someone guesses the approver's password once.
        var context = await host.Browser.NewContextAsync(new() { BaseURL = host.BaseUrl });
        var guesser = await context.NewPageAsync();
        await guesser.GotoAsync("/signin");
        await guesser.GetByLabel("E-mail").FillAsync("approver@ecaro.example");
        await guesser.GetByLabel("Password").FillAsync("a wrong guess 1");
        await guesser.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        var auditor = await host.SignedIn("auditor@audit.example");
        await auditor.GotoAsync("/audit");
        await auditor.GetByRole(AriaRole.Link, new() { Name = "security log" }).ClickAsync();
        await Assertions.Expect(auditor.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Security log");
        await auditor.GetByLabel("User").SelectOptionAsync(new SelectOptionValue { Label = "approver@ecaro.example" });
        await auditor.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(auditor.Locator("#security-log tbody tr", new() { HasText = "sign-in-failed" }).First).ToContainTextAsync("approver@ecaro.example");
        await Assertions.Expect(auditor.Locator("#security-log")).Not.ToContainTextAsync("a wrong guess");

        var finance = await host.SignedIn("finance@ecaro.example");
        var refused = await finance.GotoAsync("/security");
        Assert.Equal(403, refused!.Status);
    }
}
