using Microsoft.Playwright;

namespace GrantLedger.Ui.Tests;

/// <summary>Issue #19 items 4 and 5 in the browser: a payment the bank returned, and the programme's books.</summary>
[Collection(BrowserCollection.Name)]
public class MoneyBackAndBooksTests(BrowserHost host)
{
    private const string WwbName = "Wildlife Without Borders, with the Institute of Zoology of Kazakhstan";
    private const string Programme = "/programmes/5a83f8c3-204d-42b4-0e08-51609e37565e";

    [Fact]
    public async Task the_grant_page_shows_a_returned_payment_and_refuses_a_return_beyond_the_payment_at_its_form()
    {
        var finance = await host.SignedIn("finance@ecaro.example");
        await finance.GotoAsync("/grants");
        await finance.GetByRole(AriaRole.Link, new() { Name = WwbName }).ClickAsync();

        await Assertions.Expect(finance.Locator("#disbursements tr", new() { HasText = "ECARO-2020-0511" }))
            .ToContainTextAsync("Beneficiary account closed");
        var paid = finance.Locator("#disbursements tr", new() { HasText = "ECARO-2020-0425" });
        await paid.Disclose("Record a return from the bank");
        await paid.GetByLabel("Amount that came back").FillAsync("12000.01");
        await paid.GetByLabel("Date the money came back").FillAsync("2021-02-01");
        await paid.GetByLabel("Bank's reason").FillAsync("Sanctions screening");
        await paid.GetByRole(AriaRole.Button, new() { Name = "Record the return" }).ClickAsync();

        paid = finance.Locator("#disbursements tr", new() { HasText = "ECARO-2020-0425" });
        await Assertions.Expect(paid.Locator("form.return .error")).ToContainTextAsync("cannot return");
        await Assertions.Expect(paid.GetByLabel("Bank's reason")).ToHaveValueAsync("Sanctions screening");
        await Assertions.Expect(paid).Not.ToContainTextAsync("returned");
    }

    [Fact]
    public async Task finance_closes_a_month_and_asks_to_reopen_it_and_another_approver_reopens_it()
    {
        var finance = await host.SignedIn("finance@ecaro.example");
        await finance.GotoAsync(Programme);
        await Assertions.Expect(finance.Locator("#closed-months")).ToContainTextAsync("2020-04, 2020-05");

        await finance.Disclose("Close a month");
        await finance.GetByLabel("Month (yyyy-MM)").FillAsync("2020-05");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Close the month" }).ClickAsync();
        await Assertions.Expect(finance.Locator("#close-month .error")).ToContainTextAsync("already closed");

        await finance.GetByLabel("Month (yyyy-MM)").FillAsync("2020-07");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Close the month" }).ClickAsync();
        await Assertions.Expect(finance.GetByRole(AriaRole.Status)).ToContainTextAsync("The month was closed");
        await Assertions.Expect(finance.Locator("#closed-months")).ToContainTextAsync("2020-07");

        await finance.Disclose("Ask to reopen");
        await finance.GetByLabel("Month", new() { Exact = true }).SelectOptionAsync("2020-07");
        await finance.Locator("#reopenReason").FillAsync("A bank statement for July arrived late (UI test)");
        await finance.GetByRole(AriaRole.Button, new() { Name = "Ask to reopen" }).ClickAsync();
        await Assertions.Expect(finance.GetByRole(AriaRole.Status)).ToContainTextAsync("The request to reopen the month was recorded");

        var approver = await host.SignedIn("approver@ecaro.example");
        await approver.GotoAsync("/approvals");
        var request = approver.Locator("#reopenings tr", new() { HasText = "arrived late (UI test)" });
        await request.GetByRole(AriaRole.Button, new() { Name = "Reopen" }).ClickAsync();
        await Assertions.Expect(approver.GetByRole(AriaRole.Status)).ToContainTextAsync("The month was reopened");

        await finance.GotoAsync(Programme);
        await Assertions.Expect(finance.Locator("#closed-months")).Not.ToContainTextAsync("2020-07");
    }
}
