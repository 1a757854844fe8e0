using Marten;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace GrantLedger.Api.Tests;

/// <summary>Its own schema and hosts: the scheduled deadline check must survive the application stopping.</summary>
public class RestartTests
{
    [Fact]
    public async Task the_overdue_check_fires_after_the_host_restarts()
    {
        const string schema = "grantledger_restart";
        var deadline = Instant.FromUtc(2021, 3, 31, 18, 0);
        Guid grantId, milestoneId;

        await using (var first = await LedgerHost.StartEmpty(schema, new FakeClock(deadline - Duration.FromSeconds(5))))
        {
            var store = first.Services.GetRequiredService<IDocumentStore>();
            var ledger = new Ledger(await LedgerHost.Wrap(first));
            grantId = await ledger.GrantOf(60_000m);
            milestoneId = await ledger.PlanMilestone(grantId, "2021-03-31");

            await using var session = store.QuerySession();
            var scheduled = await session.QueryAsync<int>($"select count(*)::int from {schema}.wolverine_incoming_envelopes where status = 'Scheduled'");
            Assert.True(scheduled.Single() >= 1, "the deadline check should be stored in PostgreSQL");
        }

        await using var second = await LedgerHost.Start(schema, new FakeClock(deadline + Duration.FromHours(1)));
        var restarted = new Ledger(await LedgerHost.Wrap(second));

        var milestone = await LedgerHost.Eventually(() => restarted.Milestone(grantId, milestoneId), m => m["overdue"]!.GetValue<bool>());

        Assert.True(milestone["overdue"]!.GetValue<bool>());
    }
}
