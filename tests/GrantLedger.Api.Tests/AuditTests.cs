using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace GrantLedger.Api.Tests;

[Collection(LedgerCollection.Name)]
public class AuditTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private readonly Ledger _ledger = new(host);

    [Fact]
    public async Task the_audit_trail_shows_who_did_what_when_and_why_for_one_grant()
    {
        var grantId = await _ledger.GrantOf(1_000m);
        var paid = await _ledger.Disburse(grantId, 100m);
        await host.Post($"/api/grants/{grantId}/disbursements/{paid}/reversal", new { reason = "Duplicate of ECARO-TEST-1" }, user: "approver");

        var trail = await host.Get($"/api/audit?grantId={grantId}", user: "auditor");

        Assert.Equal(200, trail.Status);
        var items = trail.Json["items"]!.AsArray();
        Assert.Equal(["grant_committed", "grant_awarded", "disbursement_recorded", "disbursement_reversed"],
            items.Select(i => i!.Text("eventType")));
        var reversal = items[3]!;
        Assert.Equal("approver@test.example", reversal.Text("actor"));
        Assert.Equal("Duplicate of ECARO-TEST-1", reversal.Text("reason"));
        Assert.Contains("approver", reversal.Text("role"));
        Assert.False(string.IsNullOrEmpty(reversal.Text("correlationId")));
        Assert.Equal(100m, reversal["data"]!["amount"]!.Decimal("amount"));
    }

    [Fact]
    public async Task the_audit_trail_filters_by_actor_and_period_and_pages()
    {
        var grantId = await _ledger.GrantOf(1_000m);
        for (var i = 0; i < 3; i++)
        {
            await _ledger.TryDisburse(grantId, 10m, user: "approver2");
        }

        var byActor = await host.Get($"/api/audit?grantId={grantId}&actor=approver2@test.example&pageSize=2", user: "auditor");
        var page2 = await host.Get($"/api/audit?grantId={grantId}&actor=approver2@test.example&pageSize=2&page=2", user: "auditor");
        var future = await host.Get($"/api/audit?grantId={grantId}&from=2999-01-01", user: "auditor");
        var past = await host.Get($"/api/audit?grantId={grantId}&to=2000-01-01T00:00:00Z", user: "auditor");
        var malformed = await host.Get("/api/audit?from=yesterday", user: "auditor");

        Assert.Equal(3, byActor.Json["total"]!.GetValue<long>());
        Assert.Equal(2, byActor.Json["items"]!.AsArray().Count);
        Assert.Single(page2.Json["items"]!.AsArray());
        Assert.Empty(future.Json["items"]!.AsArray());
        Assert.Empty(past.Json["items"]!.AsArray());
        Assert.Equal(400, malformed.Status);
    }

    [Fact]
    public async Task the_application_itself_cannot_update_or_delete_a_committed_event()
    {
        await _ledger.GrantOf(1_000m);
        var dataSource = host.Host.Services.GetRequiredService<NpgsqlDataSource>();

        foreach (var sql in new[]
        {
            $"update {LedgerHost.Schema}.mt_events set data = '{{}}' where seq_id = (select max(seq_id) from {LedgerHost.Schema}.mt_events)",
            $"delete from {LedgerHost.Schema}.mt_events where seq_id = (select max(seq_id) from {LedgerHost.Schema}.mt_events)",
            $"truncate {LedgerHost.Schema}.mt_events cascade",
        })
        {
            await using var command = dataSource.CreateCommand(sql);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
            // The runtime role has no such privilege; were it granted by mistake, the trigger would still refuse.
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }
    }

    [Fact]
    public async Task the_audit_chain_verifies_once_the_events_are_chained()
    {
        await _ledger.GrantOf(1_000m);

        var verification = await LedgerHost.Eventually(() => host.Get("/api/audit/verification", user: "auditor"),
            r => r.Json["pendingEvents"]!.GetValue<long>() == 0);

        Assert.True(verification.Json["valid"]!.GetValue<bool>(), verification.ToString());
        Assert.True(verification.Json["checkedEvents"]!.GetValue<long>() > 0);
        Assert.Null(verification.Json["firstBrokenSequence"]);
    }
}
