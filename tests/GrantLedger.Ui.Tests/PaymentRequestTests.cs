using Microsoft.Playwright;

namespace GrantLedger.Ui.Tests;

/// <summary>
/// A grantee asks for a payment on its grant page; finance finds it in its work queue and the payment-request queue,
/// pays it from the grant page (the form prefilled with the request) or declines it with a reason the grantee reads.
/// </summary>
[Collection(BrowserCollection.Name)]
public class PaymentRequestTests(BrowserHost host)
{
    private const string Slc = "c3f618db-0995-0c1f-4a90-5f600de26e81";
    private const string Wwb = "a8c292a1-a24e-56e3-c6e0-fd3a785502aa";

    [Fact]
    public async Task finance_pays_the_seeded_request_from_its_queue_with_another_amount_than_asked()
    {
        var finance = await host.SignedIn("finance@ecaro.example");
        await Assertions.Expect(finance.Locator("#queue-payment-requests").GetByRole(AriaRole.Link, new() { Name = "Snow Leopard Conservancy: 28,000.00 EUR asked for tranche 2" }))
            .ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex($"^/grants/{Slc}#request-"));

        await finance.GotoAsync("/payment-requests");
        var queued = finance.Locator("#payment-requests tr", new() { HasText = "Snow Leopard Conservancy" });
        await Assertions.Expect(queued).ToContainTextAsync("invoice-tranche-2.pdf");
        await queued.GetByRole(AriaRole.Link, new() { Name = "Pay this request…" }).ClickAsync();

        Assert.Contains($"/grants/{Slc}#request-", finance.Url);
        var row = finance.Locator("#payment-requests tr", new() { HasText = "Tranche 2, due now" });
        var amount = row.GetByLabel("Amount to pay (EUR", new() { Exact = false });
        await Assertions.Expect(amount).ToBeVisibleAsync();
        await Assertions.Expect(amount).ToHaveValueAsync("28000.00");
        // A small amount: the grant's recent payments add up for four eyes, and other tests pay this grant too.
        await amount.FillAsync("100.00");
        await row.GetByLabel("Date the bank paid it").FillAsync("2021-02-05");
        await row.GetByLabel("The bank's reference for this payment").FillAsync("ECARO-UI-REQUEST");
        await row.GetByRole(AriaRole.Button, new() { Name = "Record disbursement" }).ClickAsync();

        // Recorded, or held for a second person when other tests' payments on this grant add up to the threshold.
        await Assertions.Expect(finance.GetByRole(AriaRole.Status)).ToContainTextAsync("The disbursement was recorded");
        var settled = finance.Locator("#payment-requests tr", new() { HasText = "Tranche 2, due now" });
        await Assertions.Expect(settled).ToContainTextAsync("paid 100.00 EUR");
        await Assertions.Expect(settled).ToContainTextAsync("28,000.00");
        await Assertions.Expect(settled.GetByRole(AriaRole.Button, new() { Name = "Record disbursement" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task a_grantee_asks_for_a_payment_and_reads_the_reason_finance_declined_it_for()
    {
        var grantee = await host.SignedIn("grantee@wwb.example");
        await grantee.GotoAsync($"/grants/{Wwb}");
        await grantee.Disclose("Request a payment");
        await grantee.GetByLabel("Amount to request (EUR)").FillAsync("1000.00");
        await grantee.GetByLabel("Note for ECARO finance").FillAsync("UI test: ranger salaries for March");
        await grantee.GetByLabel("Supporting files", new() { Exact = false }).SetInputFilesAsync(new FilePayload
        {
            Name = "payroll-march.pdf", MimeType = "application/pdf", Buffer = "%PDF-1.4\n% payroll\n%%EOF\n"u8.ToArray(),
        });
        await grantee.GetByRole(AriaRole.Button, new() { Name = "Send the request" }).ClickAsync();
        await Assertions.Expect(grantee.GetByRole(AriaRole.Status)).ToContainTextAsync("Your payment request was sent");
        await Assertions.Expect(grantee.Locator("#payment-requests tr", new() { HasText = "UI test: ranger salaries" })).ToContainTextAsync("open");

        var finance = await host.SignedIn("finance@ecaro.example");
        await finance.GotoAsync("/payment-requests");
        var queued = finance.Locator("#payment-requests tr", new() { HasText = "UI test: ranger salaries" });
        await queued.Disclose("Decline");
        await queued.GetByLabel("Reason to decline", new() { Exact = false }).FillAsync("Please attach the signed payroll first.");
        await queued.GetByRole(AriaRole.Button, new() { Name = "Decline request" }).ClickAsync();
        await Assertions.Expect(finance.GetByRole(AriaRole.Status)).ToContainTextAsync("The payment request was declined");
        await Assertions.Expect(finance.Locator("#payment-requests tr", new() { HasText = "UI test: ranger salaries" })).ToHaveCountAsync(0);

        await grantee.ReloadAsync();
        await Assertions.Expect(grantee.Locator("#payment-requests tr", new() { HasText = "UI test: ranger salaries" }))
            .ToContainTextAsync("Declined: Please attach the signed payroll first.");
    }
}
