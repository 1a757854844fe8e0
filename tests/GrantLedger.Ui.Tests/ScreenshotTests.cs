using Microsoft.Playwright;

namespace GrantLedger.Ui.Tests;

/// <summary>
/// The main pages of each role render; with GRANTLEDGER_SCREENSHOTS set (scripts/screenshots.sh) they are saved there
/// for the README.
/// </summary>
[Collection(BrowserCollection.Name)]
public class ScreenshotTests(BrowserHost host)
{
    public static TheoryData<string, string, string, int> Pages => new()
    {
        { "finance@ecaro.example", "/", "finance-programmes", 1280 },
        { "finance@ecaro.example", "/programmes/5a83f8c3-204d-42b4-0e08-51609e37565e", "finance-programme-dashboard", 1280 },
        { "finance@ecaro.example", "/grants/c3f618db-0995-0c1f-4a90-5f600de26e81", "finance-grant", 1280 },
        { "finance@ecaro.example", "/grants/9d141e30-a7ee-491f-55a9-eb570dbde673/budget", "finance-budget", 1280 },
        { "approver@ecaro.example", "/approvals", "approver-approvals", 1280 },
        { "grantee@snowleopard.example", "/grants", "grantee-my-grants", 390 },
        { "grantee@wwb.example", "/grants/a8c292a1-a24e-56e3-c6e0-fd3a785502aa", "grantee-grant-phone", 390 },
        { "grantee@snowleopard.example", "/grants/9d141e30-a7ee-491f-55a9-eb570dbde673", "grantee-grant-en", 1280 },
        { "bishkek@snowleopard.example", "/grants/9d141e30-a7ee-491f-55a9-eb570dbde673", "grantee-grant-ru", 1280 },
        { "bishkek@snowleopard.example", "/", "grantee-home-ru", 390 },
        { "bishkek@snowleopard.example", "/grants/9d141e30-a7ee-491f-55a9-eb570dbde673/budget", "grantee-budget-ru", 1280 },
        { "auditor@audit.example", "/audit", "auditor-audit-trail", 1280 },
        { "auditor@audit.example", "/reports", "auditor-reports", 1280 },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task the_main_pages_render_for_their_users(string email, string path, string name, int width)
    {
        var page = await host.SignedIn(email, width);

        var response = await page.GotoAsync(path);

        Assert.Equal(200, response!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        var folder = Environment.GetEnvironmentVariable("GRANTLEDGER_SCREENSHOTS");
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = true });
        }
    }
}
