namespace GrantLedger.Api.Tests;

[Collection(LedgerCollection.Name)]
public class FourEyesTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private readonly Ledger _ledger = new(host);

    private async Task<Guid> GrantWithThreshold(decimal amount = 80_000m) =>
        await _ledger.Award(await _ledger.OpenProgramme(approvalThreshold: 10_000m), amount);

    [Fact]
    public async Task a_payment_at_or_above_the_threshold_waits_for_a_second_person()
    {
        var grantId = await GrantWithThreshold();

        var reply = await _ledger.TryDisburse(grantId, 15_000m);

        Assert.Equal(201, reply.Status);
        Assert.Equal("awaiting-approval", reply.Json.Text("status"));
        var grant = await _ledger.Grant(grantId);
        Assert.Equal(0m, grant.Decimal("disbursed"));
        Assert.Equal(15_000m, grant.Decimal("reserved"));
        Assert.Equal(65_000m, grant.Decimal("remaining"));
        Assert.Equal("awaiting-approval", grant["disbursements"]![0]!.Text("status"));
    }

    [Fact]
    public async Task below_the_threshold_a_payment_is_recorded_at_once()
    {
        var grantId = await GrantWithThreshold();

        var reply = await _ledger.TryDisburse(grantId, 9_999.99m);

        Assert.Equal("recorded", reply.Json.Text("status"));
        Assert.Equal(9_999.99m, (await _ledger.Grant(grantId)).Decimal("disbursed"));
    }

    [Fact]
    public async Task the_recorder_cannot_approve_their_own_payment_but_another_approver_can()
    {
        var grantId = await GrantWithThreshold();
        var pending = await _ledger.TryDisburse(grantId, 15_000m, user: "approver");

        var own = await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/disbursements/{pending.Id}/approval", user: "approver");
        var other = await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/disbursements/{pending.Id}/approval", user: "approver2");

        Assert.Equal(422, own.Status);
        Assert.Equal("same-person-approval", own.Code);
        Assert.Equal(201, other.Status);
        var grant = await _ledger.Grant(grantId);
        Assert.Equal(15_000m, grant.Decimal("disbursed"));
        Assert.Equal(0m, grant.Decimal("reserved"));
        Assert.Equal("recorded", grant["disbursements"]![0]!.Text("status"));
    }

    [Fact]
    public async Task a_finance_user_without_the_approver_role_cannot_approve()
    {
        var grantId = await GrantWithThreshold();
        var pending = await _ledger.TryDisburse(grantId, 15_000m, user: "approver");

        var reply = await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/disbursements/{pending.Id}/approval", user: "finance");

        Assert.Equal(403, reply.Status);
        Assert.Equal(0m, (await _ledger.Grant(grantId)).Decimal("disbursed"));
    }

    [Fact]
    public async Task a_rejected_payment_releases_its_reservation()
    {
        var grantId = await GrantWithThreshold();
        var pending = await _ledger.TryDisburse(grantId, 15_000m);

        var rejected = await host.Post($"/api/grants/{grantId}/disbursements/{pending.Id}/rejection", new { reason = "Bank details not verified" }, user: "approver");
        var again = await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/disbursements/{pending.Id}/approval", user: "approver");

        Assert.Equal(201, rejected.Status);
        Assert.Equal("not-awaiting-approval", again.Code);
        var grant = await _ledger.Grant(grantId);
        Assert.Equal(80_000m, grant.Decimal("remaining"));
        Assert.Equal("rejected", grant["disbursements"]![0]!.Text("status"));
        Assert.Equal("Bank details not verified", grant["disbursements"]![0]!.Text("rejectionReason"));
    }

    [Fact]
    public async Task two_pending_payments_can_never_overspend()
    {
        var grantId = await GrantWithThreshold(amount: 20_000m);
        await _ledger.TryDisburse(grantId, 15_000m);

        var second = await _ledger.TryDisburse(grantId, 15_000m);

        Assert.Equal(422, second.Status);
        Assert.Equal("grant-exceeded", second.Code);
    }

    [Fact]
    public async Task a_payment_awaiting_approval_cannot_be_reversed()
    {
        var grantId = await GrantWithThreshold();
        var pending = await _ledger.TryDisburse(grantId, 15_000m);

        var reply = await _ledger.TryReverse(grantId, pending.Id);

        Assert.Equal(422, reply.Status);
        Assert.Equal("not-disbursed", reply.Code);
    }
}
