using Microsoft.Playwright;

namespace GrantLedger.Ui.Tests;

/// <summary>
/// The grant and budget pages keep each action's form behind a disclosure (a <c>details</c> element): a person opens it
/// by clicking its summary. Opening one that is already open (it reopens by itself with a refusal) leaves it open.
/// </summary>
public static class Disclosures
{
    public static Task Disclose(this IPage page, string summary) => Open(page.Locator("summary", new() { HasText = summary }).First);

    public static Task Disclose(this ILocator scope, string summary) => Open(scope.Locator("summary", new() { HasText = summary }).First);

    private static async Task Open(ILocator summary)
    {
        if (!await summary.EvaluateAsync<bool>("s => s.parentElement.open"))
        {
            await summary.ClickAsync();
        }
    }
}
