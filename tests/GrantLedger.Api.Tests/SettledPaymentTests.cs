using GrantLedger.Api.Grants;
using GrantLedger.Domain.Grants;
using NodaTime;

namespace GrantLedger.Api.Tests;

/// <summary>
/// The stored grant snapshot holds only the last year's payments one by one and settles older ones into sums (ADR
/// 0018, issue 2-7/8). Users must not notice: old payments are listed, found, received, returned and reversed as
/// before, the totals stay right, and reconciliation agrees with the events.
/// </summary>
[Collection(LedgerCollection.Name)]
public class SettledPaymentTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private readonly Ledger _ledger = new(host);

    private async Task<Grant> Snapshot(Guid grantId)
    {
        await using var session = host.Store.QuerySession();
        return (await session.LoadAsync<Grant>(grantId))!;
    }

    [Fact]
    public async Task payments_older_than_a_year_leave_the_snapshot_yet_are_listed_received_returned_and_reversed_as_before()
    {
        var grantId = await _ledger.GrantOf(80_000m);
        var first = await _ledger.Disburse(grantId, 1_000m);
        var second = await _ledger.Disburse(grantId, 2_000m);
        host.Clock.Advance(Duration.FromDays(400));
        var third = (await _ledger.TryDisburse(grantId, 3_000m, valueDate: "2021-06-10")).Id;

        var snapshot = await Snapshot(grantId);
        Assert.Equal((2, 1), (snapshot.Settled.Count, snapshot.Disbursements.Count));
        var details = await _ledger.Grant(grantId);
        Assert.Equal([first, second, third], details["disbursements"]!.AsArray().Select(d => Guid.Parse(d!.Text("id"))));
        Assert.Equal((6_000m, 74_000m), (details.Decimal("disbursed"), details.Decimal("remaining")));
        Assert.Equal(200, (await host.Get($"/api/grants/{grantId}/disbursements/{first}")).Status);

        // A grantee confirms an old payment; the bank returns another; finance reverses the first.
        var grantee = await host.GranteeUser(details.Text("grantee"));
        var receipt = await host.Post($"/api/grants/{grantId}/disbursements/{first}/receipt",
            new { amount = 85_000m, currency = "KGS", bankReference = "KICB-OLD-1" }, user: grantee);
        var returned = await host.Post($"/api/grants/{grantId}/disbursements/{second}/return",
            new { amount = 1_990m, valueDate = "2021-06-12", bankReason = "Account closed", bankReference = "RTN-OLD" });
        var reversed = await _ledger.TryReverse(grantId, first, "Paid to the wrong grant");

        Assert.True((receipt.Status, returned.Status, reversed.Status) == (201, 201, 201), $"{receipt} {returned} {reversed}");
        details = await _ledger.Grant(grantId);
        var rows = details["disbursements"]!.AsArray();
        Assert.Equal(("reversed", "returned", "recorded"), (rows[0]!.Text("status"), rows[1]!.Text("status"), rows[2]!.Text("status")));
        Assert.Equal("KICB-OLD-1", rows[0]!["receipt"]!.Text("bankReference"));
        // 3,000 paid now, and 10.00 of the returned payment the bank kept.
        Assert.Equal((3_010m, 76_990m), (details.Decimal("disbursed"), details.Decimal("remaining")));
        snapshot = await Snapshot(grantId);
        Assert.Equal((2, 1), (snapshot.Settled.Count, snapshot.Disbursements.Count)); // recalled, changed, settled again
        Assert.Equal(3_010m, snapshot.Disbursed.Amount);

        var reconciliation = await host.Get("/api/admin/reconciliation", user: "auditor");
        Assert.True(reconciliation.Json["reconciled"]!.GetValue<bool>(), reconciliation.ToString());
    }

    [Fact]
    public async Task a_settled_payment_is_still_refused_what_it_was_refused_before()
    {
        var grantId = await _ledger.GrantOf(80_000m);
        var old = await _ledger.Disburse(grantId, 1_000m);
        Assert.Equal(201, (await _ledger.TryReverse(grantId, old)).Status);
        host.Clock.Advance(Duration.FromDays(400));
        await _ledger.TryDisburse(grantId, 500m, valueDate: "2021-06-10");
        Assert.Equal(1, (await Snapshot(grantId)).Settled.Count);

        var again = await _ledger.TryReverse(grantId, old);
        var unknown = await _ledger.TryReverse(grantId, Guid.NewGuid());

        Assert.Equal((422, "already-reversed"), (again.Status, again.Code));
        Assert.Equal(404, unknown.Status);
        Assert.Equal(500m, (await _ledger.Grant(grantId)).Decimal("disbursed"));
    }

    [Fact]
    public async Task a_payment_of_another_grant_is_not_found_through_this_one()
    {
        var mine = await _ledger.GrantOf(80_000m);
        var theirs = await _ledger.GrantOf(80_000m, "Another grantee");
        var payment = await _ledger.Disburse(theirs, 1_000m);

        Assert.Equal(404, (await host.Get($"/api/grants/{mine}/disbursements/{payment}")).Status);
        Assert.Equal(404, (await _ledger.TryReverse(mine, payment)).Status);
    }

    [Fact]
    public async Task a_ledger_recorded_before_payment_documents_gets_them_at_start_and_its_snapshots_settle()
    {
        var grantId = await _ledger.GrantOf(80_000m);
        var old = await _ledger.Disburse(grantId, 1_000m);
        host.Clock.Advance(Duration.FromDays(400));
        var recent = (await _ledger.TryDisburse(grantId, 2_000m, valueDate: "2021-06-10")).Id;
        // As an older version left it: no payment documents, and a snapshot holding every payment.
        await using (var session = host.Store.LightweightSession())
        {
            var events = await session.Events.FetchStreamAsync(grantId);
            session.DeleteWhere<GrantPayment>(p => p.GrantId == grantId);
            session.Store(Grant.Replay(events.Select(e => e.Data)).Full! with { Version = events[^1].Version });
            await session.SaveChangesAsync();
        }

        Assert.Equal(0, (await Snapshot(grantId)).Settled.Count);
        var written = await SettledPaymentsMigration.RunAsync(host.Store, CancellationToken.None);
        var again = await SettledPaymentsMigration.RunAsync(host.Store, CancellationToken.None);

        Assert.True(written >= 2, $"wrote {written}");
        Assert.Equal(0, again);
        Assert.Equal((1, 1), ((await Snapshot(grantId)).Settled.Count, (await Snapshot(grantId)).Disbursements.Count));
        var listed = (await _ledger.Grant(grantId))["disbursements"]!.AsArray().Select(d => Guid.Parse(d!.Text("id")));
        Assert.Equal([old, recent], listed);
        var reconciliation = await host.Get("/api/admin/reconciliation", user: "auditor");
        Assert.True(reconciliation.Json["reconciled"]!.GetValue<bool>(), reconciliation.ToString());
    }
}
