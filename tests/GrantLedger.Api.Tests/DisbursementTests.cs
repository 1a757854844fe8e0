using System.Collections.Concurrent;
using System.Text;
using GrantLedger.Domain.Grants;
using Marten;

namespace GrantLedger.Api.Tests;

[Collection(LedgerCollection.Name)]
public class DisbursementTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private readonly Ledger _ledger = new(host);

    [Fact]
    public async Task a_recorded_disbursement_shows_on_the_grant_straight_away()
    {
        var grantId = await _ledger.GrantOf(80_000m);

        var reply = await _ledger.TryDisburse(grantId, 32_000m);

        Assert.Equal(201, reply.Status);
        Assert.Equal("recorded", reply.Json.Text("status"));
        Assert.Equal(2, reply.Json["version"]!.GetValue<long>());
        var grant = await _ledger.Grant(grantId);
        Assert.Equal(32_000m, grant.Decimal("disbursed"));
        Assert.Equal(48_000m, grant.Decimal("remaining"));
        var payment = Assert.Single(grant["disbursements"]!.AsArray())!;
        Assert.Equal(reply.Id.ToString(), payment.Text("id"));
        Assert.Equal("ECARO-TEST-1", payment.Text("reference"));
        Assert.Equal("recorded", payment.Text("status"));
        Assert.False(payment["reversed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task a_retry_with_the_same_idempotency_key_returns_the_first_answer_and_pays_once()
    {
        var grantId = await _ledger.GrantOf(80_000m);

        var first = await _ledger.TryDisburse(grantId, 32_000m, key: "pay-slt-1");
        var retry = await _ledger.TryDisburse(grantId, 32_000m, key: "pay-slt-1");

        Assert.Equal(201, first.Status);
        Assert.Equal(201, retry.Status);
        Assert.Equal(first.Id, retry.Id);
        Assert.Equal("true", retry.Headers["Idempotent-Replayed"]);
        var grant = await _ledger.Grant(grantId);
        Assert.Single(grant["disbursements"]!.AsArray());
        Assert.Equal(32_000m, grant.Decimal("disbursed"));
    }

    [Fact]
    public async Task simultaneous_retries_with_one_key_pay_exactly_once()
    {
        var grantId = await _ledger.GrantOf(80_000m);

        var replies = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _ledger.TryDisburse(grantId, 1_000m, key: "double-click")));

        var ok = replies.Where(r => r.Status == 201).ToList();
        Assert.NotEmpty(ok);
        Assert.All(replies, r => Assert.Contains(r.Status, new[] { 201, 409 }));
        Assert.Single(ok.Select(r => r.Id).Distinct());
        Assert.Equal(1_000m, (await _ledger.Grant(grantId)).Decimal("disbursed"));
    }

    [Fact]
    public async Task concurrent_payments_each_record_their_own_requests_actor_and_correlation_id()
    {
        var grants = new List<Guid>();
        for (var i = 0; i < 8; i++)
        {
            grants.Add(await _ledger.GrantOf(1_000m));
        }

        var correlation = Guid.NewGuid().ToString("N")[..8];
        var replies = await Task.WhenAll(grants.Select((grant, i) => host.Post($"/api/grants/{grant}/disbursements",
            new { amount = 100m + i, valueDate = "2020-05-04", reference = "CONCURRENT-1" },
            new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString(), ["X-Correlation-Id"] = $"{correlation}-{i}" },
            user: i % 2 == 0 ? "finance" : "approver")));

        Assert.All(replies, r => Assert.Equal(201, r.Status));
        for (var i = 0; i < grants.Count; i++)
        {
            Assert.Equal(100m + i, (await _ledger.Grant(grants[i])).Decimal("disbursed"));
            var trail = (await host.Get($"/api/audit?grantId={grants[i]}", user: "auditor")).Json["items"]!.AsArray();
            var payment = Assert.Single(trail, e => e!.Text("eventType") == "disbursement_recorded")!;
            Assert.Equal($"{correlation}-{i}", payment.Text("correlationId"));
            Assert.Equal(i % 2 == 0 ? "finance@test.example" : "approver@test.example", payment.Text("actor"));
        }
    }

    [Fact]
    public async Task reusing_an_idempotency_key_for_a_different_payment_is_refused()
    {
        var grantId = await _ledger.GrantOf(80_000m);
        await _ledger.TryDisburse(grantId, 1_000m, key: "k-1");

        var reply = await _ledger.TryDisburse(grantId, 2_000m, key: "k-1");

        Assert.Equal(422, reply.Status);
        Assert.Equal("idempotency-key-reused", reply.Code);
        Assert.Equal(1_000m, (await _ledger.Grant(grantId)).Decimal("disbursed"));
    }

    [Fact]
    public async Task twenty_parallel_payments_racing_for_the_last_euros_never_overspend()
    {
        var grantId = await _ledger.GrantOf(1_000m);
        await _ledger.Disburse(grantId, 700m);

        var replies = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _ledger.TryDisburse(grantId, 100m)));

        Assert.All(replies, r => Assert.Contains(r.Status, new[] { 201, 409, 422 }));
        var paid = replies.Count(r => r.Status == 201);
        Assert.InRange(paid, 1, 3);
        Assert.Contains(replies, r => r.Code is "version-conflict" or "grant-exceeded");
        var grant = await _ledger.Grant(grantId);
        Assert.Equal(700m + paid * 100m, grant.Decimal("disbursed"));
        Assert.True(grant.Decimal("remaining") >= 0m);
    }

    [Fact]
    public async Task payments_keep_arriving_until_the_grant_is_exhausted_and_never_beyond()
    {
        var grantId = await _ledger.GrantOf(1_000m);
        var accepted = new ConcurrentBag<decimal>();

        // Clients retry lost races (409) with the same key, as a real client would.
        await Parallel.ForEachAsync(Enumerable.Range(0, 20), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var key = $"client-{i}";
            for (var attempt = 0; attempt < 100; attempt++)
            {
                var reply = await _ledger.TryDisburse(grantId, 100m, key: key);
                if (reply.Status == 201) { accepted.Add(100m); return; }
                if (reply.Status == 422) { return; }
            }

            throw new Xunit.Sdk.XunitException($"Client {i} still lost the race (409) after 100 attempts.");
        });

        var grant = await _ledger.Grant(grantId);
        Assert.Equal(1_000m, accepted.Sum());
        Assert.Equal(1_000m, grant.Decimal("disbursed"));
        Assert.Equal(0m, grant.Decimal("remaining"));
        Assert.Equal(10, grant["disbursements"]!.AsArray().Count);
    }

    [Fact]
    public async Task paying_more_than_remains_is_refused()
    {
        var grantId = await _ledger.GrantOf(1_000m);

        var reply = await _ledger.TryDisburse(grantId, 1_000.01m);

        Assert.Equal(422, reply.Status);
        Assert.Equal("grant-exceeded", reply.Code);
        Assert.Contains("1000.00 EUR", reply.Json.Text("detail"));
    }

    [Theory]
    [InlineData("2020-03-31")]
    [InlineData("2021-10-01")]
    public async Task a_value_date_outside_the_window_is_refused(string valueDate)
    {
        var grantId = await _ledger.GrantOf(1_000m);

        var reply = await _ledger.TryDisburse(grantId, 10m, valueDate: valueDate);

        Assert.Equal(422, reply.Status);
        Assert.Equal("outside-window", reply.Code);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-10")]
    [InlineData("10.001")]
    public async Task invalid_amounts_are_refused(string amount)
    {
        var grantId = await _ledger.GrantOf(1_000m);

        var reply = await _ledger.TryDisburse(grantId, decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(422, reply.Status);
        Assert.Equal("invalid-amount", reply.Code);
        Assert.Equal(0m, (await _ledger.Grant(grantId)).Decimal("disbursed"));
    }

    [Fact]
    public async Task a_payment_in_another_currency_is_refused()
    {
        var grantId = await _ledger.GrantOf(1_000m);

        var reply = await host.Post($"/api/grants/{grantId}/disbursements",
            new { amount = 10m, currency = "KGS", valueDate = "2020-05-04", reference = "R" },
            new Dictionary<string, string> { ["Idempotency-Key"] = "kgs" });

        Assert.Equal(422, reply.Status);
        Assert.Equal("currency-mismatch", reply.Code);
    }

    [Fact]
    public async Task a_stale_expected_version_is_a_409_and_records_nothing()
    {
        var grantId = await _ledger.GrantOf(1_000m);
        await _ledger.Disburse(grantId, 10m);

        var reply = await _ledger.TryDisburse(grantId, 10m, expectedVersion: 1);

        Assert.Equal(409, reply.Status);
        Assert.Equal("version-conflict", reply.Code);
        Assert.Equal(10m, (await _ledger.Grant(grantId)).Decimal("disbursed"));
    }

    [Fact]
    public async Task the_current_expected_version_is_accepted()
    {
        var grantId = await _ledger.GrantOf(1_000m);

        var reply = await _ledger.TryDisburse(grantId, 10m, expectedVersion: 1);

        Assert.Equal(201, reply.Status);
    }

    [Fact]
    public async Task a_reversal_restores_the_remaining_amount_and_keeps_the_original()
    {
        var grantId = await _ledger.GrantOf(70_000m);
        var paid = await _ledger.Disburse(grantId, 28_000m);

        var reply = await _ledger.TryReverse(grantId, paid, "Duplicate payment: already paid under ECARO-2020-0418");

        Assert.Equal(201, reply.Status);
        Assert.Equal(3, reply.Json["version"]!.GetValue<long>());
        var grant = await _ledger.Grant(grantId);
        Assert.Equal(0m, grant.Decimal("disbursed"));
        Assert.Equal(70_000m, grant.Decimal("remaining"));
        var original = Assert.Single(grant["disbursements"]!.AsArray())!;
        Assert.True(original["reversed"]!.GetValue<bool>());
        Assert.Equal("reversed", original.Text("status"));
        Assert.Equal("Duplicate payment: already paid under ECARO-2020-0418", original.Text("reversalReason"));
    }

    [Fact]
    public async Task a_disbursement_cannot_be_reversed_twice()
    {
        var grantId = await _ledger.GrantOf(1_000m);
        var paid = await _ledger.Disburse(grantId, 100m);
        await _ledger.TryReverse(grantId, paid);

        var again = await _ledger.TryReverse(grantId, paid);

        Assert.Equal(422, again.Status);
        Assert.Equal("already-reversed", again.Code);
    }

    [Fact]
    public async Task reversing_an_unknown_disbursement_or_on_an_unknown_grant_is_404()
    {
        var grantId = await _ledger.GrantOf(1_000m);

        var unknownDisbursement = await _ledger.TryReverse(grantId, Guid.NewGuid());
        var unknownGrant = await _ledger.TryReverse(Guid.NewGuid(), Guid.NewGuid());
        var unknownGrantPayment = await _ledger.TryDisburse(Guid.NewGuid(), 10m);

        Assert.Equal(404, unknownDisbursement.Status);
        Assert.Equal("disbursement-not-found", unknownDisbursement.Code);
        Assert.Equal(404, unknownGrant.Status);
        Assert.Equal(404, unknownGrantPayment.Status);
    }

    [Fact]
    public async Task a_receipt_records_the_bank_statement_reference_and_the_grant_shows_it_but_not_an_overlong_one()
    {
        var grantId = await _ledger.GrantOf(80_000m);
        var paid = await _ledger.Disburse(grantId, 32_000m);
        var grantee = await host.GranteeUser((await _ledger.Grant(grantId)).Text("grantee"));
        var url = $"/api/grants/{grantId}/disbursements/{paid}/receipt";

        var tooLong = await host.Post(url, new { amount = 2_724_000m, currency = "KGS", bankReference = new string('7', 101) }, user: grantee);
        await using (var session = host.Store.QuerySession())
        {
            Assert.DoesNotContain((await session.Events.FetchStreamAsync(grantId)).Select(e => e.Data), e => e is DisbursementReceived);
        }

        Assert.Equal(400, tooLong.Status);
        Assert.NotNull(tooLong.Json["errors"]?["bankReference"]);
        Assert.Null((await _ledger.Grant(grantId))["disbursements"]![0]!["receipt"]);

        var receipt = await host.Post(url, new { amount = 2_724_000m, currency = "KGS", bankReference = "  KICB-2020-05-06-0042 " }, user: grantee);

        Assert.Equal(201, receipt.Status);
        await using (var session = host.Store.QuerySession())
        {
            var received = (await session.Events.FetchStreamAsync(grantId)).Select(e => e.Data).OfType<DisbursementReceived>().Single();
            Assert.Equal((paid, new Domain.Money(2_724_000m, "KGS"), "KICB-2020-05-06-0042"), (received.DisbursementId, received.Received, received.BankReference));
        }

        var shown = (await _ledger.Grant(grantId))["disbursements"]![0]!["receipt"]!;
        Assert.Equal((2_724_000m, "KGS", "KICB-2020-05-06-0042"), (shown.Decimal("amount"), shown.Text("currency"), shown.Text("bankReference")));
        var one = (await host.Get($"/api/grants/{grantId}/disbursements/{paid}")).Json["receipt"]!;
        Assert.Equal("KICB-2020-05-06-0042", one.Text("bankReference"));
    }

    [Fact]
    public async Task a_receipt_recorded_before_the_bank_reference_existed_still_reads_without_one()
    {
        var disbursementId = Guid.NewGuid();
        var old = $$$"""{"grantId":"{{{Guid.NewGuid()}}}","disbursementId":"{{{disbursementId}}}","received":{"amount":2724000.00,"currency":"KGS"}}""";

        var received = host.Store.Options.Serializer().FromJson<DisbursementReceived>(new MemoryStream(Encoding.UTF8.GetBytes(old)));

        Assert.Equal((disbursementId, new Domain.Money(2_724_000m, "KGS"), (string?)null), (received.DisbursementId, received.Received, received.BankReference));
    }
}
