using NodaTime.Testing;

namespace GrantLedger.Api.Tests;

/// <summary>Its own schema: this test breaks the chain on purpose.</summary>
public class AuditTamperTests
{
    [Fact]
    public async Task a_row_altered_directly_in_the_database_is_caught_and_named()
    {
        const string schema = "grantledger_tamper";
        await using var alba = await LedgerHost.StartEmpty(schema, new FakeClock(LedgerHost.StartOfTime));
        var host = await LedgerHost.Wrap(alba);
        var ledger = new Ledger(host);
        var grantId = await ledger.GrantOf(80_000m);
        var paid = await ledger.Disburse(grantId, 32_000m);
        await ledger.Disburse(grantId, 100m);
        var before = await LedgerHost.Eventually(() => host.Get("/api/audit/verification", user: "auditor"),
            r => r.Json["pendingEvents"]!.GetValue<long>() == 0);
        Assert.True(before.Json["valid"]!.GetValue<bool>());

        // A superuser turns the guard off and changes what was paid: 32,000 becomes 3,200.
        var trail = await host.Get($"/api/audit?grantId={grantId}", user: "auditor");
        var tampered = trail.Json["items"]!.AsArray().Single(i => i!["data"]!["disbursementId"]?.GetValue<string>() == paid.ToString())!["sequence"]!.GetValue<long>();
        await LedgerHost.AsSuperuser(
            $"begin; alter table {schema}.mt_events disable trigger user; " +
            $"update {schema}.mt_events set data = jsonb_set(data, '{{amount,amount}}', '3200.00') where seq_id = {tampered}; " +
            $"alter table {schema}.mt_events enable trigger user; commit;");

        var after = await host.Get("/api/audit/verification", user: "auditor");

        Assert.False(after.Json["valid"]!.GetValue<bool>());
        Assert.Equal(tampered, after.Json["firstBrokenSequence"]!.GetValue<long>());
        Assert.Contains("changed", after.Json.Text("problem"));
    }
}
