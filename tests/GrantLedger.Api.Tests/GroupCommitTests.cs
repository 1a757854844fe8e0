using System.Text.Json.Nodes;
using Alba;
using Microsoft.Extensions.DependencyInjection;
using NodaTime.Testing;

namespace GrantLedger.Api.Tests;

/// <summary>
/// With group commit on (<c>GrantLedger:Disbursements:GroupCommit</c>; off by default, ADR 0008) a payment keeps every
/// guarantee it has without it: each event its own request's actor and correlation id, exactly once under retries,
/// no overspend, 409 for a stale version. A host of its own, in its own schema.
/// </summary>
public class GroupCommitTests : IAsyncLifetime
{
    private IAlbaHost _alba = null!;
    private LedgerHost _host = null!;
    private Ledger _ledger = null!;

    public async Task InitializeAsync()
    {
        _alba = await LedgerHost.StartEmpty("grantledger_groupcommit", new FakeClock(LedgerHost.StartOfTime),
            new Dictionary<string, string> { ["GrantLedger:Disbursements:GroupCommit"] = "true" });
        _host = await LedgerHost.Wrap(_alba);
        _ledger = new Ledger(_host);
    }

    public async Task DisposeAsync() => await _alba.DisposeAsync();

    [Fact]
    public async Task concurrent_payments_to_different_grants_are_each_recorded_once_under_their_own_request()
    {
        var grants = new List<Guid>();
        for (var i = 0; i < 8; i++)
        {
            grants.Add(await _ledger.GrantOf(1_000m));
        }

        var replies = await Task.WhenAll(grants.Select((grant, i) => Pay(grant, 100m + i, user: i % 2 == 0 ? "finance" : "approver",
            correlationId: $"group-{i}")));

        Assert.All(replies, r => Assert.Equal(201, r.Status));
        for (var i = 0; i < grants.Count; i++)
        {
            Assert.Equal(100m + i, (await _ledger.Grant(grants[i])).Decimal("disbursed"));
            var trail = (await _host.Get($"/api/audit?grantId={grants[i]}", user: "auditor")).Json["items"]!.AsArray();
            var payment = Assert.Single(trail, e => e!["eventType"]!.GetValue<string>() == "disbursement_recorded")!;
            Assert.Equal($"group-{i}", payment["correlationId"]!.GetValue<string>());
            Assert.Equal(i % 2 == 0 ? "finance@test.example" : "approver@test.example", payment["actor"]!.GetValue<string>());
        }

        Assert.True(await Reconciled());
        // The point of the test: some of these payments were committed together, in one transaction.
        Assert.True(_alba.Services.GetRequiredService<GrantLedger.Api.Grants.GroupCommitter>().Statistics.LargestGroup > 1);
    }

    [Fact]
    public async Task retries_of_one_key_arriving_together_pay_once_and_all_get_the_first_answer()
    {
        var grant = await _ledger.GrantOf(1_000m);
        var key = Guid.NewGuid().ToString();

        var replies = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => _ledger.TryDisburse(grant, 250m, key: key)));

        Assert.All(replies, r => Assert.Equal(201, r.Status));
        Assert.Single(replies.Select(r => r.Id).Distinct());
        var details = await _ledger.Grant(grant);
        Assert.Equal(250m, details.Decimal("disbursed"));
        Assert.Single(details["disbursements"]!.AsArray());
    }

    [Fact]
    public async Task racing_for_a_grants_last_euros_never_overspends()
    {
        var grant = await _ledger.GrantOf(500m);
        var acknowledged = 0;

        // A client retries a lost race (409), as a real one would, but not for ever: 12 racers for 5 payments settle
        // in a dozen rounds at most.
        const int attempts = 50;
        var statuses = await Task.WhenAll(Enumerable.Range(0, 12).Select(async racer =>
        {
            for (var attempt = 1; attempt <= attempts; attempt++)
            {
                var reply = await _ledger.TryDisburse(grant, 100m);
                if (reply.Status == 201)
                {
                    Interlocked.Increment(ref acknowledged);
                }

                if (reply.Status != 409)
                {
                    return reply.Status;
                }
            }

            throw new Xunit.Sdk.XunitException($"Racer {racer} still lost the race (409) after {attempts} attempts.");
        }));

        Assert.All(statuses, s => Assert.Contains(s, new[] { 201, 422 }));
        var details = await _ledger.Grant(grant);
        Assert.Equal(500m, details.Decimal("disbursed"));
        Assert.Equal(5, acknowledged);
        Assert.Equal(5, details["disbursements"]!.AsArray().Count);
        Assert.True(await Reconciled());
    }

    [Fact]
    public async Task a_stale_expected_version_is_a_409_and_records_nothing()
    {
        var grant = await _ledger.GrantOf(1_000m);
        var seen = (await _ledger.Grant(grant))["version"]!.GetValue<long>();
        await _ledger.Disburse(grant, 100m);

        var stale = await _ledger.TryDisburse(grant, 100m, expectedVersion: seen);

        Assert.Equal(409, stale.Status);
        Assert.Equal("version-conflict", stale.Code);
        Assert.Equal(100m, (await _ledger.Grant(grant)).Decimal("disbursed"));
    }

    [Fact]
    public async Task a_payment_reaching_a_stopping_node_is_a_503_and_records_nothing()
    {
        var grant = await _ledger.GrantOf(1_000m);
        await _alba.Services.GetRequiredService<GrantLedger.Api.Grants.GroupCommitter>().StopAsync(CancellationToken.None);

        var reply = await _ledger.TryDisburse(grant, 100m);

        Assert.Equal(503, reply.Status);
        Assert.Equal("shutting-down", reply.Code);
        Assert.Equal(0m, (await _ledger.Grant(grant)).Decimal("disbursed"));
    }

    private Task<Reply> Pay(Guid grant, decimal amount, string user, string correlationId) =>
        _host.Post($"/api/grants/{grant}/disbursements", new { amount, valueDate = "2020-05-04", reference = "GROUP-1" },
            new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString(), ["X-Correlation-Id"] = correlationId }, user);

    private async Task<bool> Reconciled() =>
        (await _host.Get("/api/admin/reconciliation", user: "auditor")).Json["reconciled"]!.GetValue<bool>();
}
