namespace GrantLedger.Api.Tests;

[Collection(LedgerCollection.Name)]
public class TrancheTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private readonly Ledger _ledger = new(host);

    [Fact]
    public async Task a_grant_awarded_with_a_tranche_plan_shows_its_tranches()
    {
        var grantId = await _ledger.GrantOf(80_000m, tranches: [32_000m, 32_000m, 16_000m]);

        var grant = await _ledger.Grant(grantId);

        Assert.Equal(80_000m, grant.Decimal("planned"));
        Assert.Equal([1, 2, 3], grant["tranches"]!.AsArray().Select(t => t!["number"]!.GetValue<int>()));
        Assert.Equal(4, grant["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task tranches_beyond_the_grant_amount_are_refused()
    {
        var grantId = await _ledger.GrantOf(80_000m, tranches: [40_000m, 40_000m]);

        var reply = await host.Post($"/api/grants/{grantId}/tranches", new { amount = 0.01m });
        var atAward = await _ledger.TryAward(await _ledger.OpenProgramme(), 10_000m, tranches: [5_000m, 5_000.01m]);

        Assert.Equal(422, reply.Status);
        Assert.Equal("tranche-plan-exceeded", reply.Code);
        Assert.Equal(422, atAward.Status);
        Assert.Equal("tranche-plan-exceeded", atAward.Code);
    }

    [Fact]
    public async Task a_grant_with_tranches_refuses_payments_that_name_none_or_overpay_one()
    {
        var grantId = await _ledger.GrantOf(80_000m, tranches: [32_000m, 48_000m]);
        var tranche1 = await _ledger.Tranche(grantId, 1);

        var unnamed = await _ledger.TryDisburse(grantId, 100m);
        var over = await _ledger.TryDisburse(grantId, 32_000.01m, trancheId: tranche1);
        var unknown = await _ledger.TryDisburse(grantId, 100m, trancheId: Guid.NewGuid());

        Assert.Equal("tranche-required", unnamed.Code);
        Assert.Equal("tranche-exceeded", over.Code);
        Assert.Equal("tranche-not-found", unknown.Code);
        Assert.Equal(0m, (await _ledger.Grant(grantId)).Decimal("disbursed"));
    }

    [Fact]
    public async Task reversing_a_tranche_payment_reopens_the_tranche()
    {
        var grantId = await _ledger.GrantOf(80_000m, tranches: [32_000m, 48_000m]);
        var tranche1 = await _ledger.Tranche(grantId, 1);
        var paid = await _ledger.TryDisburse(grantId, 32_000m, trancheId: tranche1);

        await _ledger.TryReverse(grantId, paid.Id, "Wrong beneficiary account");
        var again = await _ledger.TryDisburse(grantId, 32_000m, trancheId: tranche1);

        Assert.Equal(201, again.Status);
    }

    [Fact]
    public async Task an_amendment_restates_the_plan_with_a_reason_and_keeps_paid_tranches()
    {
        var grantId = await _ledger.GrantOf(80_000m, tranches: [32_000m, 48_000m]);
        var tranche1 = await _ledger.Tranche(grantId, 1);
        var tranche2 = await _ledger.Tranche(grantId, 2);
        await _ledger.TryDisburse(grantId, 32_000m, trancheId: tranche1);

        var amended = await host.Send(HttpMethod.Put, $"/api/grants/{grantId}/tranches", System.Text.Json.JsonSerializer.Serialize(new
        {
            reason = "Donor agreed to split the final payment",
            tranches = new object[] { new { id = tranche1, amount = 32_000m }, new { id = tranche2, amount = 32_000m }, new { amount = 16_000m } },
        }));
        var shrinkPaid = await host.Send(HttpMethod.Put, $"/api/grants/{grantId}/tranches", System.Text.Json.JsonSerializer.Serialize(new
        {
            reason = "oops",
            tranches = new object[] { new { id = tranche1, amount = 1_000m } },
        }));

        Assert.Equal(200, amended.Status);
        Assert.Equal(3, amended.Json["tranches"]!.AsArray().Count);
        Assert.Equal(422, shrinkPaid.Status);
        Assert.Equal("tranche-below-paid", shrinkPaid.Code);
        var grant = await _ledger.Grant(grantId);
        Assert.Equal(80_000m, grant.Decimal("planned"));
        Assert.Equal(32_000m, grant["tranches"]![0]!.Decimal("paid"));
    }
}
