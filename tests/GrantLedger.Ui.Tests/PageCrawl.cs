using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace GrantLedger.Ui.Tests;

/// <summary>
/// Every kind of page a signed-in user reaches by following the ledger's own links from the menu pages, plus pages
/// every role is sent to whether it may see them or not (then the answer is the "not allowed" or "nothing here" page).
/// A kind is a path with its ids as <c>{id}</c>; each kind is visited a few times, so every kind is reached however many
/// grants there are. Shared by the checks that must hold on every page (Content-Security-Policy, axe, phone width).
/// </summary>
public static partial class PageCrawl
{
    /// <summary>The demo's users: every role, and two grantees (one on hold).</summary>
    public static readonly string[] Users =
    [
        "finance@ecaro.example",
        "approver@ecaro.example",
        "auditor@audit.example",
        "admin@ecaro.example",
        "grantee@snowleopard.example",
        "grantee@wwb.example",
    ];

    /// <summary>The languages the pages are checked in. A language is added here (its context prepared by
    /// <see cref="PrepareFor"/>), and every check that takes it as a parameter then runs in it too.</summary>
    public static readonly string[] Languages = ["en", "ru"];

    /// <summary>Pages every role is sent to as well, whether it may see them or not.</summary>
    public static readonly string[] Always = ["/", "/grants", "/approvals", "/audit", "/reports", "/rates", "/notifications", "/users",
        "/grants/00000000-0000-0000-0000-000000000001", "/no-such-page"];

    /// <summary>Every user in every language, as theory data.</summary>
    public static TheoryData<string, string> UsersInEveryLanguage()
    {
        var data = new TheoryData<string, string>();
        foreach (var language in Languages)
        {
            foreach (var user in Users)
            {
                data.Add(language, user);
            }
        }

        return data;
    }

    /// <summary>Prepares a fresh browser context, before sign-in, to ask for the pages in a language: English is the
    /// default and needs nothing; another sends ASP.NET Core's culture cookie (<c>.AspNetCore.Culture</c>).</summary>
    public static Func<IBrowserContext, Task> PrepareFor(string language, string baseUrl) => context =>
        language == "en"
            ? Task.CompletedTask
            : context.AddCookiesAsync([new Cookie { Name = ".AspNetCore.Culture", Value = $"c={language}|uic={language}", Url = baseUrl }]);

    /// <summary>What a crawl saw: the paths visited, in order, and how many it found but did not reach.</summary>
    public sealed record Visit(IReadOnlyList<string> Visited, int NotReached);

    /// <summary>
    /// Visits <see cref="Always"/>, then every link within the ledger (pages only: no API downloads, no sign-out), each
    /// kind at most <paramref name="perKind"/> times and at most 200 pages; <paramref name="atEachPage"/> runs once each
    /// page has loaded (its network idle).
    /// </summary>
    public static async Task<Visit> EveryKindOfPage(IPage page, Func<string, Task> atEachPage, int perKind = 3)
    {
        var queue = new Queue<string>(Always);
        var seen = new HashSet<string>(Always);
        var visited = new List<string>();
        var kinds = new Dictionary<string, int>();
        while (queue.Count > 0 && visited.Count < 200)
        {
            var path = queue.Dequeue();
            await page.GotoAsync(path, new() { WaitUntil = WaitUntilState.NetworkIdle });
            visited.Add(path);
            await atEachPage(path);

            var links = await page.EvaluateAsync<string[]>(
                "() => [...document.querySelectorAll('a[href]')].filter(a => !a.hasAttribute('download')).map(a => a.getAttribute('href'))");
            foreach (var link in links)
            {
                var target = link.Split('#')[0].Split('?')[0];
                if (target.StartsWith('/') && !target.StartsWith("//", StringComparison.Ordinal) && !target.StartsWith("/api/", StringComparison.Ordinal) &&
                    target != "/signout" && seen.Add(target))
                {
                    var kind = KindOf(target);
                    kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
                    if (kinds[kind] <= perKind)
                    {
                        queue.Enqueue(target);
                    }
                }
            }
        }

        return new Visit(visited, queue.Count);
    }

    /// <summary>The path with its ids as <c>{id}</c>: <c>/grants/{id}/budget</c>.</summary>
    public static string KindOf(string path) => Id().Replace(path, "{id}");

    /// <summary>Opens every closed disclosure (<c>details</c>) on the page, so what it hides is checked too; answers how
    /// many it opened.</summary>
    public static Task<int> OpenEveryDisclosure(IPage page) =>
        page.EvaluateAsync<int>("() => { const closed = [...document.querySelectorAll('details:not([open])')]; closed.forEach(d => d.open = true); return closed.length; }");

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex Id();
}
