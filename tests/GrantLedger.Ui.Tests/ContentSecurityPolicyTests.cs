using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace GrantLedger.Ui.Tests;

/// <summary>
/// The Content-Security-Policy (no inline script, handler or style; nothing from elsewhere) is one the pages obey:
/// every page each role can reach by following links, and the sign-in, "not yours" and "not allowed" pages, load in
/// Chromium without a single violation. Violations are caught twice: the browser's console message and the page's
/// <c>securitypolicyviolation</c> event; a guard test proves the catching works on a violation injected on purpose.
/// </summary>
[Collection(BrowserCollection.Name)]
public class ContentSecurityPolicyTests(BrowserHost host)
{
    /// <summary>Installed before any page script runs (Playwright adds it outside the page's CSP).</summary>
    private const string ViolationListener =
        "window.__cspViolations = [];" +
        "document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(" +
        "  e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber));";

    /// <summary>A page of its own context that records every CSP violation, by console message and by event.</summary>
    private sealed class Watched(IPage page, ConcurrentQueue<string> console)
    {
        public IPage Page => page;

        public async Task<IReadOnlyList<string>> Violations()
        {
            var events = await page.EvaluateAsync<string[]>("() => window.__cspViolations || []");
            return [.. console.Select(c => "console: " + c), .. events.Select(e => "event: " + e)];
        }
    }

    private static Watched Watch(IPage page)
    {
        var console = new ConcurrentQueue<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                console.Enqueue(message.Text);
            }
        };
        return new Watched(page, console);
    }

    private async Task<Watched> SignedIn(string email)
    {
        var page = await host.SignedIn(email);
        await page.Context.AddInitScriptAsync(ViolationListener);
        return Watch(page);
    }

    public static TheoryData<string> Users => new(PageCrawl.Users);

    [Theory]
    [MemberData(nameof(Users))]
    public async Task every_page_a_role_reaches_loads_without_a_content_security_policy_violation(string email)
    {
        var watched = await SignedIn(email);
        var problems = new List<string>();

        var crawl = await PageCrawl.EveryKindOfPage(watched.Page,
            async path => problems.AddRange((await watched.Violations()).Select(v => $"{path}: {v}")));

        Assert.True(problems.Count == 0, $"Content Security Policy violations as {email}:\n{string.Join("\n", problems)}");
        Assert.True(crawl.Visited.Count >= PageCrawl.Always.Length, $"only {crawl.Visited.Count} pages visited");
        Assert.True(crawl.NotReached == 0, $"stopped after {crawl.Visited.Count} pages with {crawl.NotReached} still to visit");
    }

    [Fact]
    public async Task the_sign_in_page_loads_without_a_content_security_policy_violation()
    {
        var context = await host.Browser.NewContextAsync(new() { BaseURL = host.BaseUrl });
        await context.AddInitScriptAsync(ViolationListener);
        var watched = Watch(await context.NewPageAsync());

        var response = await watched.Page.GotoAsync("/signin", new() { WaitUntil = WaitUntilState.NetworkIdle });

        Assert.Contains("script-src 'self'", (await response!.AllHeadersAsync())["content-security-policy"]);
        Assert.Empty(await watched.Violations());
    }

    /// <summary>The watch above would pass vacuously if the listeners heard nothing: an inline script and an inline style
    /// attribute, injected on purpose, must be blocked and reported by both.</summary>
    [Fact]
    public async Task the_watch_catches_an_injected_violation()
    {
        var watched = await SignedIn("finance@ecaro.example");
        await watched.Page.GotoAsync("/grants", new() { WaitUntil = WaitUntilState.NetworkIdle });
        Assert.Empty(await watched.Violations());

        await watched.Page.EvaluateAsync("""
            () => {
              const script = document.createElement('script');
              script.textContent = 'window.__injectedRan = true;';
              document.body.appendChild(script);
              document.querySelector('h1').setAttribute('style', 'color: red');
            }
            """);
        await watched.Page.WaitForFunctionAsync("() => window.__cspViolations.length >= 2");

        var violations = await watched.Violations();
        for (var i = 0; i < 50 && !violations.Any(v => v.StartsWith("console: ", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(100); // the console message may follow the event by a moment
            violations = await watched.Violations();
        }

        Assert.False(await watched.Page.EvaluateAsync<bool>("() => window.__injectedRan === true"), "the injected inline script ran");
        Assert.Contains(violations, v => v.StartsWith("event: script-src", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StartsWith("event: style-src", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StartsWith("console: ", StringComparison.Ordinal));
    }
}
