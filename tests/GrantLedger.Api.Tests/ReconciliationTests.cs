using NodaTime.Testing;

namespace GrantLedger.Api.Tests;

[Collection(LedgerCollection.Name)]
public class ReconciliationTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private readonly Ledger _ledger = new(host);

    [Fact]
    public async Task after_payments_reversals_and_pending_approvals_every_stream_replays_to_what_is_stored()
    {
        var programme = await _ledger.OpenProgramme(approvalThreshold: 10_000m);
        var grant = await _ledger.Award(programme, 80_000m);
        await _ledger.Award(programme, 60_000m);
        // Below the threshold together (9,000.00 within the window), so both are recorded at once.
        var paid = await _ledger.Disburse(grant, 4_000m);
        await _ledger.Disburse(grant, 5_000m);
        Assert.Equal(201, (await _ledger.TryReverse(grant, paid)).Status);
        Assert.Equal("awaiting-approval", (await _ledger.TryDisburse(grant, 12_000m)).Json.Text("status"));

        var reply = await host.Get("/api/admin/reconciliation", user: "auditor");

        Assert.Equal(200, reply.Status);
        Assert.True(reply.Json["reconciled"]!.GetValue<bool>(), reply.Json["findings"]!.ToJsonString());
        Assert.Empty(reply.Json["findings"]!.AsArray());
        var mine = reply.Json["programmes"]!.AsArray().Single(p => p.Text("id") == programme.ToString());
        Assert.Equal(220_000m, mine.Decimal("allocation"));
        Assert.Equal(140_000m, mine.Decimal("committed"));
        Assert.Equal(140_000m, mine.Decimal("grantsAwarded"));
        Assert.Equal(5_000m, mine.Decimal("disbursed"));
        Assert.Equal(12_000m, mine.Decimal("reserved"));
        Assert.True(reply.Json["eventsReplayed"]!.GetValue<long>() >= 8);
    }
}

/// <summary>Its own schema: this test corrupts a stored snapshot on purpose.</summary>
public class ReconciliationTamperTests
{
    [Fact]
    public async Task a_snapshot_changed_behind_the_ledgers_back_is_named_and_the_ledger_is_not_reconciled()
    {
        const string schema = "grantledger_reconcile";
        await using var alba = await LedgerHost.StartEmpty(schema, new FakeClock(LedgerHost.StartOfTime));
        var host = await LedgerHost.Wrap(alba);
        var ledger = new Ledger(host);
        var grant = await ledger.GrantOf(80_000m);
        await ledger.Disburse(grant, 32_000m);
        Assert.True((await host.Get("/api/admin/reconciliation", user: "auditor")).Json["reconciled"]!.GetValue<bool>());

        // Someone with database rights raises the award on the stored grant, not through an event.
        await LedgerHost.AsSuperuser($"update {schema}.mt_doc_grant set data = jsonb_set(data, '{{amount,amount}}', '90000.00') where id = '{grant}'");

        var reply = await host.Get("/api/admin/reconciliation", user: "auditor");

        Assert.False(reply.Json["reconciled"]!.GetValue<bool>());
        var finding = Assert.Single(reply.Json["findings"]!.AsArray());
        Assert.Equal(grant.ToString(), finding.Text("streamId"));
        Assert.Equal("grant", finding.Text("kind"));
        Assert.Contains("differs from a replay", finding.Text("problem"));
    }
}
