using System.Text;
using System.Text.Json.Nodes;

namespace GrantLedger.Api.Tests;

/// <summary>A grantee asks for its next tranche; finance pays it (the payment links the request) or declines it with a reason.</summary>
[Collection(LedgerCollection.Name)]
public class PaymentRequestTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private readonly Ledger _ledger = new(host);

    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n% invoice for tranche 1\n%%EOF\n");

    /// <summary>80,000 in two tranches of 40,000; the second gated by a mid-term report.</summary>
    private async Task<(Guid Grant, Guid Tranche1, Guid Tranche2, string Grantee)> GrantWithPlan(Guid? programme = null)
    {
        var grant = programme is { } p ? await _ledger.Award(p, 80_000m, tranches: [40_000m, 40_000m]) : await _ledger.GrantOf(80_000m, tranches: [40_000m, 40_000m]);
        var tranche2 = await _ledger.Tranche(grant, 2);
        await _ledger.PlanMilestone(grant, "2020-12-31", tranche2);
        return (grant, await _ledger.Tranche(grant, 1), tranche2, await host.GranteeUser((await _ledger.Grant(grant)).Text("grantee")));
    }

    private Task<Reply> Ask(Guid grant, string user, string amount, Guid? tranche, string note = "Tranche 1 as agreed",
        params (string Name, byte[] Content)[] files)
    {
        var form = new MultipartFormDataContent { { new StringContent(amount), "amount" }, { new StringContent(note), "note" } };
        if (tranche is { } t)
        {
            form.Add(new StringContent(t.ToString()), "trancheId");
        }

        foreach (var (name, content) in files)
        {
            form.Add(new ByteArrayContent(content), "files", name);
        }

        return host.Send(HttpMethod.Post, $"/api/grants/{grant}/payment-requests", user: user, content: form);
    }

    private Task<Reply> Pay(Guid grant, Guid request, decimal amount, Guid? tranche, string? key = null) =>
        host.Post($"/api/grants/{grant}/disbursements",
            new { amount, valueDate = "2020-06-01", reference = "ECARO-REQ-1", trancheId = tranche, paymentRequestId = request },
            new Dictionary<string, string> { ["Idempotency-Key"] = key ?? Guid.NewGuid().ToString() });

    private async Task<JsonNode> RequestOn(Guid grant, Guid request) =>
        (await _ledger.Grant(grant))["paymentRequests"]!.AsArray().Single(r => r!.Text("id") == request.ToString())!;

    [Fact]
    public async Task a_grantee_asks_for_its_tranche_and_finance_pays_another_amount_linking_the_request()
    {
        var (grant, tranche1, _, grantee) = await GrantWithPlan();

        var asked = await Ask(grant, grantee, "30000.00", tranche1, "Tranche 1 as agreed", ("invoice.pdf", Pdf));
        Assert.True(asked.Status == 201, asked.ToString());
        var file = asked.Json["files"]![0]!;
        var queue = await host.Get("/api/payment-requests?status=open");
        Assert.Contains(queue.Json.AsArray(), r => r!["request"]!.Text("id") == asked.Id.ToString());
        Assert.Equal("open", (await RequestOn(grant, asked.Id)).Text("status"));
        using (var download = await host.Download(file.Text("url"), "finance"))
        {
            Assert.Equal(Pdf, await download.Content.ReadAsByteArrayAsync());
        }

        var paid = await Pay(grant, asked.Id, 25_000m, tranche1);
        Assert.True(paid.Status == 201, paid.ToString());

        var request = await RequestOn(grant, asked.Id);
        Assert.Equal(("paid", paid.Id.ToString(), 30_000m, 25_000m),
            (request.Text("status"), request.Text("disbursementId"), request.Decimal("amount"), request.Decimal("paidAmount")));
        var payment = (await _ledger.Grant(grant))["disbursements"]!.AsArray().Single()!;
        Assert.Equal(asked.Id.ToString(), payment.Text("paymentRequestId"));
        var feed = await host.Get($"/api/notifications?grantId={grant}", user: grantee);
        Assert.Contains(feed.Json.AsArray(), n => n!.Text("kind") == "payment-request-paid");
        Assert.DoesNotContain(feed.Json.AsArray(), n => n!.Text("kind") == "payment-requested");
        var staffFeed = await host.Get($"/api/notifications?grantId={grant}");
        Assert.Contains(staffFeed.Json.AsArray(), n => n!.Text("kind") == "payment-requested");
    }

    [Fact]
    public async Task a_request_is_refused_early_with_the_codes_a_payment_would_get_and_only_one_per_tranche_is_open()
    {
        var (grant, tranche1, tranche2, grantee) = await GrantWithPlan();

        Assert.Equal("tranche-locked", (await Ask(grant, grantee, "10000", tranche2)).Code);
        Assert.Equal("tranche-exceeded", (await Ask(grant, grantee, "40000.01", tranche1)).Code);
        Assert.Equal("tranche-required", (await Ask(grant, grantee, "1000", null)).Code);
        Assert.Equal("invalid-amount", (await Ask(grant, grantee, "10.001", tranche1)).Code);
        Assert.Equal(201, (await Ask(grant, grantee, "40000", tranche1)).Status);
        var second = await Ask(grant, grantee, "100", tranche1);
        Assert.Equal((422, "payment-request-open"), (second.Status, second.Code));
        Assert.Single((await _ledger.Grant(grant))["paymentRequests"]!.AsArray());
    }

    [Fact]
    public async Task a_grantee_cannot_ask_on_another_organisations_grant_nor_see_its_requests()
    {
        var (grant, tranche1, _, grantee) = await GrantWithPlan();
        var (otherGrant, otherTranche, _, otherGrantee) = await GrantWithPlan();
        Assert.Equal(201, (await Ask(otherGrant, otherGrantee, "1000", otherTranche)).Status);

        var attack = await Ask(otherGrant, grantee, "1000", otherTranche);

        Assert.Equal(404, attack.Status);
        Assert.Single((await _ledger.Grant(otherGrant))["paymentRequests"]!.AsArray());
        Assert.Equal(201, (await Ask(grant, grantee, "1000", tranche1)).Status);
        var mine = await host.Get("/api/payment-requests", user: grantee);
        Assert.All(mine.Json.AsArray(), r => Assert.Equal(grant.ToString(), r!.Text("grantId")));
        Assert.Single(mine.Json.AsArray());
    }

    [Fact]
    public async Task a_grantee_can_neither_pay_nor_decline_its_own_request()
    {
        var (grant, tranche1, _, grantee) = await GrantWithPlan();
        var asked = await Ask(grant, grantee, "1000", tranche1);

        var pay = await host.Post($"/api/grants/{grant}/disbursements",
            new { amount = 1000m, valueDate = "2020-06-01", reference = "SELF", trancheId = tranche1, paymentRequestId = asked.Id },
            new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() }, grantee);
        var decline = await host.Post($"/api/grants/{grant}/payment-requests/{asked.Id}/decline", new { reason = "never mind" }, user: grantee);

        Assert.Equal((403, 403), (pay.Status, decline.Status));
        Assert.Equal("open", (await RequestOn(grant, asked.Id)).Text("status"));
    }

    [Fact]
    public async Task finance_declines_with_a_reason_the_grantee_reads_and_a_declined_request_cannot_be_paid()
    {
        var (grant, tranche1, _, grantee) = await GrantWithPlan();
        var asked = await Ask(grant, grantee, "20000", tranche1);

        Assert.Equal(400, (await host.Post($"/api/grants/{grant}/payment-requests/{asked.Id}/decline", new { reason = " " })).Status);
        var declined = await host.Post($"/api/grants/{grant}/payment-requests/{asked.Id}/decline", new { reason = "Send the signed invoice first" });
        Assert.True(declined.Status == 200, declined.ToString());

        var seen = (await host.Get("/api/payment-requests?status=declined", user: grantee)).Json.AsArray().Single()!["request"]!;
        Assert.Equal("Send the signed invoice first", seen.Text("declineReason"));
        var feed = await host.Get($"/api/notifications?grantId={grant}", user: grantee);
        Assert.Contains(feed.Json.AsArray(), n => n!.Text("kind") == "payment-request-declined");
        var pay = await Pay(grant, asked.Id, 20_000m, tranche1);
        Assert.Equal((422, "payment-request-declined"), (pay.Status, pay.Code));
        var again = await host.Post($"/api/grants/{grant}/payment-requests/{asked.Id}/decline", new { reason = "twice" });
        Assert.Equal((422, "payment-request-declined"), (again.Status, again.Code));
        Assert.Empty((await _ledger.Grant(grant))["disbursements"]!.AsArray());
    }

    [Fact]
    public async Task a_request_is_paid_once_and_never_with_a_request_of_another_grant()
    {
        var programme = await _ledger.OpenProgramme();
        var (grant, tranche1, _, grantee) = await GrantWithPlan(programme);
        var (otherGrant, otherTranche, _, otherGrantee) = await GrantWithPlan(programme);
        var asked = await Ask(grant, grantee, "10000", tranche1);
        var foreign = await Ask(otherGrant, otherGrantee, "10000", otherTranche);

        var across = await Pay(grant, foreign.Id, 10_000m, tranche1);
        Assert.Equal((422, "payment-request-unknown"), (across.Status, across.Code));
        Assert.Equal(201, (await Pay(grant, asked.Id, 10_000m, tranche1)).Status);
        var twice = await Pay(grant, asked.Id, 10_000m, tranche1);
        Assert.Equal((422, "payment-request-paid"), (twice.Status, twice.Code));
        Assert.Single((await _ledger.Grant(grant))["disbursements"]!.AsArray());
        Assert.Equal("open", (await RequestOn(otherGrant, foreign.Id)).Text("status"));
    }

    [Fact]
    public async Task two_payments_racing_for_one_request_link_it_once()
    {
        var (grant, tranche1, _, grantee) = await GrantWithPlan();
        var asked = await Ask(grant, grantee, "10000", tranche1);

        var replies = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Pay(grant, asked.Id, 5_000m, tranche1)));

        Assert.Single(replies, r => r.Status == 201);
        Assert.All(replies.Where(r => r.Status != 201), r => Assert.True(
            r is { Status: 409 } or { Status: 422, Code: "payment-request-paid" }, r.ToString()));
        var linked = (await _ledger.Grant(grant))["disbursements"]!.AsArray().Where(d => d!["paymentRequestId"]?.GetValue<string>() == asked.Id.ToString());
        Assert.Single(linked);
    }

    [Fact]
    public async Task a_request_paid_over_the_threshold_awaits_approval_and_opens_again_when_the_payment_is_rejected()
    {
        var programme = await _ledger.OpenProgramme(approvalThreshold: 10_000m);
        var (grant, tranche1, _, grantee) = await GrantWithPlan(programme);
        var asked = await Ask(grant, grantee, "15000", tranche1);

        var paid = await Pay(grant, asked.Id, 15_000m, tranche1);
        Assert.Equal((201, "awaiting-approval"), (paid.Status, paid.Json.Text("status")));
        Assert.Equal(("paid", "awaiting-approval"), ((await RequestOn(grant, asked.Id)).Text("status"), (await RequestOn(grant, asked.Id)).Text("paymentStatus")));

        var rejected = await host.Post($"/api/grants/{grant}/disbursements/{paid.Id}/rejection", new { reason = "Wrong account" }, user: "approver");
        Assert.True(rejected.Status == 201, rejected.ToString());

        var reopened = await RequestOn(grant, asked.Id);
        Assert.Equal("open", reopened.Text("status"));
        Assert.Null(reopened["disbursementId"]?.GetValue<string>());
    }

    [Fact]
    public async Task an_oversized_note_or_file_or_a_file_of_another_kind_is_refused_and_nothing_is_recorded()
    {
        var (grant, tranche1, _, grantee) = await GrantWithPlan();

        var longNote = await Ask(grant, grantee, "1000", tranche1, new string('x', 2_001));
        var bigFile = await Ask(grant, grantee, "1000", tranche1, "big", ("big.pdf", [.. "%PDF-1.4\n"u8, .. new byte[LedgerHost.TestMaxEvidenceBytes]]));
        var script = await Ask(grant, grantee, "1000", tranche1, "script", ("invoice.pdf", Encoding.ASCII.GetBytes("<script>alert(1)</script>")));
        var noAmount = await Ask(grant, grantee, "", tranche1);

        Assert.Equal((400, 413, 415, 400), (longNote.Status, bigFile.Status, script.Status, noAmount.Status));
        Assert.Empty((await _ledger.Grant(grant))["paymentRequests"]!.AsArray());
    }

    [Fact]
    public async Task an_unknown_status_filter_is_a_bad_request() =>
        Assert.Equal(400, (await host.Get("/api/payment-requests?status=everything")).Status);
}
