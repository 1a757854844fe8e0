using System.Globalization;
using Microsoft.Playwright;

namespace GrantLedger.Ui.Tests;

/// <summary>
/// The grant and budget pages show their figures first and keep each action's form behind a labelled disclosure;
/// a refused form opens again with the refusal next to its field. Charts carry labelled axes, values and a table.
/// </summary>
[Collection(BrowserCollection.Name)]
public class LongPageTests(BrowserHost host)
{
    private const string SnowLeopardTrust = "9d141e30-a7ee-491f-55a9-eb570dbde673";
    private const string Slc = "c3f618db-0995-0c1f-4a90-5f600de26e81";
    private const string SosCentralAsia = "5a83f8c3-204d-42b4-0e08-51609e37565e";

    [Fact]
    public async Task the_grant_page_shows_its_figures_and_no_open_form_until_finance_asks_for_one()
    {
        var finance = await host.SignedIn("finance@ecaro.example");
        await finance.GotoAsync($"/grants/{SnowLeopardTrust}");

        Assert.Equal(0, await VisibleTextFields(finance));
        Assert.True(await finance.EvaluateAsync<bool>(
            "() => document.querySelector('dl.facts').compareDocumentPosition(document.querySelector('details')) === Node.DOCUMENT_POSITION_FOLLOWING"));
        foreach (var action in new[] { "Record a disbursement…", "No-cost extension…", "Correct by reversal…" })
        {
            await Assertions.Expect(finance.Locator("summary", new() { HasText = action }).First).ToBeVisibleAsync();
        }

        await finance.Disclose("Record a disbursement");
        await Assertions.Expect(finance.GetByLabel("Amount (EUR)")).ToBeVisibleAsync();
        await Assertions.Expect(finance.Locator("#record-disbursement")).ToContainTextAsync("a second person's approval above the programme's threshold");
        Assert.Equal(0, await VisibleTextFields(finance, outside: "#record-disbursement"));
    }

    [Fact]
    public async Task a_refused_payment_reopens_its_form_with_the_message_at_the_amount()
    {
        var finance = await host.SignedIn("finance@ecaro.example");
        await finance.GotoAsync($"/grants/{Slc}");
        await finance.Disclose("Record a disbursement");
        await finance.GetByLabel("Amount (EUR)").FillAsync("10.005");
        await finance.GetByLabel("Value date").FillAsync("2021-02-03");
        await finance.GetByLabel("Bank reference").FillAsync("ECARO-UI-PRECISION");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Record disbursement" }).ClickAsync();

        await Assertions.Expect(finance.Locator("#record-disbursement")).ToHaveAttributeAsync("open", "open");
        await Assertions.Expect(finance.Locator("#record-disbursement .error")).ToContainTextAsync("decimals");
        await Assertions.Expect(finance.GetByLabel("Amount (EUR)")).ToHaveValueAsync("10.005");
        await Assertions.Expect(finance.Locator("#propose-extension")).Not.ToHaveAttributeAsync("open", "open");
    }

    [Fact]
    public async Task the_budget_page_keeps_finance_and_grantee_forms_closed_under_the_figures()
    {
        var finance = await host.SignedIn("finance@ecaro.example");
        await finance.GotoAsync($"/grants/{Slc}/budget");
        Assert.Equal(0, await VisibleTextFields(finance));
        foreach (var action in new[] { "Move money between lines…", "Propose an amendment…" })
        {
            await Assertions.Expect(finance.Locator("summary", new() { HasText = action })).ToBeVisibleAsync();
        }

        var grantee = await host.SignedIn("grantee@slconservancy.example");
        await grantee.GotoAsync($"/grants/{Slc}/budget");
        Assert.Equal(0, await VisibleTextFields(grantee));
        await grantee.Disclose("Report an expense");
        await Assertions.Expect(grantee.GetByLabel("Description", new() { Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(grantee.Locator("summary", new() { HasText = "Move money between lines" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task the_dashboard_chart_has_labelled_axes_values_and_its_figures_as_a_table()
    {
        var finance = await host.SignedIn("finance@ecaro.example");
        await finance.GotoAsync($"/programmes/{SosCentralAsia}");

        var chart = finance.Locator("svg.chart");
        await Assertions.Expect(chart.Locator("text.axis-title")).ToHaveTextAsync(["EUR, cumulative", "Month (value date)"]);
        var ticks = await chart.Locator("text.tick").AllTextContentsAsync();
        Assert.Contains("0", ticks);
        Assert.True(ticks.Count(t => t.Contains(',')) >= 3, string.Join(" | ", ticks));
        Assert.Contains(ticks, t => t.StartsWith("20", StringComparison.Ordinal) && t.Contains('-'));

        await finance.Disclose("The chart's figures as a table");
        var rows = finance.Locator("#chart-figures tbody tr");
        Assert.True(await rows.CountAsync() >= 12);
        var lastCumulative = await rows.Last.Locator("td").Nth(1).TextContentAsync();
        var disbursed = await finance.Locator("dt:text-is('Disbursed') + dd").TextContentAsync();
        Assert.Equal(disbursed, lastCumulative + " EUR");
        var shown = decimal.Parse(lastCumulative!, NumberStyles.Number, CultureInfo.InvariantCulture);
        await Assertions.Expect(chart.Locator("text.value.disbursed")).ToHaveTextAsync(Math.Round(shown, 0).ToString("#,##0", CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task the_budget_chart_labels_each_bar_with_its_amount_from_the_table()
    {
        var finance = await host.SignedIn("finance@ecaro.example");
        await finance.GotoAsync($"/grants/{SnowLeopardTrust}/budget");

        var firstLine = finance.Locator("table").First.Locator("tbody tr").First;
        var code = await firstLine.Locator("td").Nth(0).TextContentAsync();
        var planned = decimal.Parse((await firstLine.Locator("td").Nth(3).TextContentAsync())!, NumberStyles.Number, CultureInfo.InvariantCulture);
        var chart = finance.Locator("svg.chart");
        await Assertions.Expect(chart.Locator("text.axis-title")).ToHaveTextAsync("EUR");
        await Assertions.Expect(chart.Locator("text.tick", new() { HasText = code! }).First).ToBeAttachedAsync();
        await Assertions.Expect(chart.Locator("text.value", new() { HasText = $"{planned.ToString("#,##0", CultureInfo.InvariantCulture)} planned" }).First)
            .ToBeAttachedAsync();
        await Assertions.Expect(finance.Locator("figure.chart figcaption")).ToContainTextAsync("The same figures are in the budget table above.");
    }

    /// <summary>
    /// Text inputs a person can see right now outside tables (optionally ignoring those inside one element): a table's
    /// inputs are its rows' own decisions, e.g. finance accepting or rejecting each reported expense.
    /// </summary>
    private static Task<int> VisibleTextFields(IPage page, string? outside = null) => page.EvaluateAsync<int>(
        """
        outside => [...document.querySelectorAll('main input[type=text], main input[type=date], main input:not([type]), main input[type=file]')]
            .filter(i => i.checkVisibility() && !i.closest('table') && !(outside && i.closest(outside))).length
        """, outside);
}
