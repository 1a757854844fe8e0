using NodaTime;

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

    // The attacks on four eyes the issue names: split a payment, raise the threshold out of reach, award or reverse alone.

    [Fact]
    public async Task a_payment_split_in_two_below_the_threshold_still_waits_for_a_second_person()
    {
        var grantId = await GrantWithThreshold();
        await _ledger.TryDisburse(grantId, 9_999.99m, user: "approver");

        var second = await _ledger.TryDisburse(grantId, 9_999.99m, user: "approver");
        var own = await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/disbursements/{second.Id}/approval", user: "approver");

        Assert.Equal("awaiting-approval", second.Json.Text("status"));
        Assert.Equal("cumulative-window", second.Json.Text("rule"));
        Assert.Equal(422, own.Status);
        Assert.Equal("same-person-approval", own.Code);
        Assert.Equal("cumulative-window", own.Json.Text("rule"));
        var grant = await _ledger.Grant(grantId);
        Assert.Equal(9_999.99m, grant.Decimal("disbursed"));
        Assert.Equal(9_999.99m, grant.Decimal("reserved"));
        Assert.Equal("cumulative-window", grant["disbursements"]![1]!.Text("approvalRule"));
    }

    [Fact]
    public async Task a_single_payment_at_the_threshold_names_the_single_payment_rule()
    {
        var grantId = await GrantWithThreshold();

        var reply = await _ledger.TryDisburse(grantId, 10_000m);

        Assert.Equal("single-payment", reply.Json.Text("rule"));
    }

    [Fact]
    public async Task once_the_window_has_passed_a_payment_below_the_threshold_is_recorded_at_once()
    {
        var grantId = await GrantWithThreshold();
        await _ledger.TryDisburse(grantId, 9_999.99m);
        host.Clock.Advance(Duration.FromDays(30));

        var later = await _ledger.TryDisburse(grantId, 9_999.99m);

        Assert.Equal("recorded", later.Json.Text("status"));
        Assert.Equal(19_999.98m, (await _ledger.Grant(grantId)).Decimal("disbursed"));
    }

    [Theory]
    [InlineData("1000000000000", "approval-threshold-above-allocation")]
    [InlineData("220000.01", "approval-threshold-above-allocation")]
    [InlineData("0", "invalid-approval-threshold")]
    [InlineData("9999.999", "invalid-approval-threshold")]
    public async Task a_programme_cannot_be_opened_with_a_threshold_that_switches_four_eyes_off(string threshold, string code)
    {
        var programmeCode = "FE-" + Guid.NewGuid().ToString("N")[..10];

        var reply = await host.Send(HttpMethod.Post, "/api/programmes",
            $$"""{"code":"{{programmeCode}}","name":"Out of reach","currency":"EUR","allocation":220000,"windowStart":"2020-04-01","windowEnd":"2021-09-30","approvalThreshold":{{threshold}}}""");

        Assert.Equal(422, reply.Status);
        Assert.Equal(code, reply.Code);
        Assert.DoesNotContain((await host.Get("/api/programmes")).Json.AsArray(), p => p!.Text("code") == programmeCode);
    }

    [Fact]
    public async Task a_window_of_years_is_refused_too()
    {
        var reply = await host.Post("/api/programmes", new
        {
            code = "FE-" + Guid.NewGuid().ToString("N")[..10], name = "Long window", currency = "EUR", allocation = 220_000m,
            windowStart = "2020-04-01", windowEnd = "2021-09-30", approvalThreshold = 10_000m, approvalWindowDays = 3650,
        });

        Assert.Equal(422, reply.Status);
        Assert.Equal("invalid-approval-window", reply.Code);
    }

    [Fact]
    public async Task the_threshold_changes_only_when_someone_other_than_the_proposer_approves()
    {
        var programmeId = await _ledger.OpenProgramme(approvalThreshold: 10_000m);

        var outOfReach = await host.Post($"/api/programmes/{programmeId}/approval-rules", new { approvalThreshold = 1e12m, reason = "No more approvals" }, user: "approver");
        var proposed = await host.Post($"/api/programmes/{programmeId}/approval-rules", new { approvalThreshold = 50_000m, windowDays = 7, reason = "Donor raised the limit" }, user: "approver");
        var pending = await _ledger.Programme(programmeId);
        var own = await host.Send(HttpMethod.Post, $"/api/programmes/{programmeId}/approval-rules/{proposed.Id}/approval", user: "approver");
        var financeOnly = await host.Send(HttpMethod.Post, $"/api/programmes/{programmeId}/approval-rules/{proposed.Id}/approval", user: "finance");
        var other = await host.Send(HttpMethod.Post, $"/api/programmes/{programmeId}/approval-rules/{proposed.Id}/approval", user: "approver2");

        Assert.Equal("approval-threshold-above-allocation", outOfReach.Code);
        Assert.Equal(201, proposed.Status);
        Assert.Equal("approval-rule-change", proposed.Json.Text("rule"));
        Assert.Equal(10_000m, pending.Decimal("approvalThreshold"));
        Assert.Equal(422, own.Status);
        Assert.Equal("same-person-approval", own.Code);
        Assert.Equal("approval-rule-change", own.Json.Text("rule"));
        Assert.Equal(403, financeOnly.Status);
        Assert.Equal(201, other.Status);
        var programme = await _ledger.Programme(programmeId);
        Assert.Equal(50_000m, programme.Decimal("approvalThreshold"));
        Assert.Equal(7, programme["approvalWindowDays"]!.GetValue<int>());
        Assert.Equal("approved", programme["approvalRuleChanges"]![0]!.Text("status"));
        var grantId = await _ledger.Award(programmeId, 49_999.99m);
        Assert.Equal("recorded", (await _ledger.TryDisburse(grantId, 15_000m)).Json.Text("status"));
    }

    [Fact]
    public async Task a_rejected_rule_change_leaves_the_threshold_as_it_was()
    {
        var programmeId = await _ledger.OpenProgramme(approvalThreshold: 10_000m);
        var proposed = await host.Post($"/api/programmes/{programmeId}/approval-rules", new { approvalThreshold = 200_000m, reason = "Fewer approvals" });

        var rejected = await host.Post($"/api/programmes/{programmeId}/approval-rules/{proposed.Id}/rejection", new { reason = "No" }, user: "approver");
        var late = await host.Send(HttpMethod.Post, $"/api/programmes/{programmeId}/approval-rules/{proposed.Id}/approval", user: "approver2");

        Assert.Equal(201, rejected.Status);
        Assert.Equal("not-awaiting-approval", late.Code);
        Assert.Equal(10_000m, (await _ledger.Programme(programmeId)).Decimal("approvalThreshold"));
    }

    [Fact]
    public async Task an_award_at_or_above_the_threshold_cannot_be_paid_until_someone_else_approves_it()
    {
        var programmeId = await _ledger.OpenProgramme(approvalThreshold: 10_000m);
        var award = await host.Post($"/api/programmes/{programmeId}/grants", new
        {
            organisationId = await host.OrganisationNamed("Snow Leopard Trust " + Guid.NewGuid().ToString("N")[..8]), countries = new[] { "KG" }, title = "Conservancies",
            amount = 80_000m, windowStart = "2020-04-01", windowEnd = "2021-09-30",
        }, user: "approver");

        var payment = await _ledger.TryDisburse(award.Id, 100m);
        var own = await host.Send(HttpMethod.Post, $"/api/grants/{award.Id}/award/approval", user: "approver");
        var other = await host.Send(HttpMethod.Post, $"/api/grants/{award.Id}/award/approval", user: "approver2");

        Assert.Equal("awaiting-approval", award.Json.Text("status"));
        Assert.Equal("award", award.Json.Text("rule"));
        Assert.Equal(422, payment.Status);
        Assert.Equal("award-awaiting-approval", payment.Code);
        Assert.Equal("award", payment.Json.Text("rule"));
        Assert.Equal("same-person-approval", own.Code);
        Assert.Equal("award", own.Json.Text("rule"));
        Assert.Equal(201, other.Status);
        Assert.Equal("approved", (await _ledger.Grant(award.Id)).Text("awardStatus"));
        Assert.Equal("recorded", (await _ledger.TryDisburse(award.Id, 100m)).Json.Text("status"));
    }

    [Fact]
    public async Task an_award_below_the_threshold_applies_at_once()
    {
        var programmeId = await _ledger.OpenProgramme(approvalThreshold: 10_000m);

        var award = await _ledger.TryAward(programmeId, 9_999.99m);

        Assert.Equal("approved", award.Json.Text("status"));
        Assert.Equal("recorded", (await _ledger.TryDisburse(award.Id, 100m)).Json.Text("status"));
    }

    [Fact]
    public async Task two_pending_awards_cannot_together_oversubscribe_the_allocation()
    {
        var programmeId = await _ledger.OpenProgramme(approvalThreshold: 10_000m);
        await _ledger.TryAward(programmeId, 150_000m);

        var second = await _ledger.TryAward(programmeId, 100_000m);

        Assert.Equal(422, second.Status);
        Assert.Equal("allocation-exceeded", second.Code);
    }

    [Fact]
    public async Task a_rejected_award_releases_the_allocation_and_can_never_be_paid()
    {
        var programmeId = await _ledger.OpenProgramme(approvalThreshold: 10_000m);
        var award = await _ledger.TryAward(programmeId, 150_000m);

        var rejected = await host.Post($"/api/grants/{award.Id}/award/rejection", new { reason = "Grantee not vetted" }, user: "approver");

        Assert.Equal(201, rejected.Status);
        Assert.Equal(220_000m, (await _ledger.Programme(programmeId)).Decimal("uncommitted"));
        Assert.Equal("award-rejected", (await _ledger.TryDisburse(award.Id, 100m)).Code);
        Assert.Equal("rejected", (await _ledger.Grant(award.Id)).Text("awardStatus"));
        var reconciliation = await host.Get("/api/admin/reconciliation", user: "auditor");
        Assert.DoesNotContain(reconciliation.Json["findings"]!.AsArray(), f => f!.ToJsonString().Contains(programmeId.ToString()));
    }

    [Fact]
    public async Task reversing_a_payment_at_or_above_the_threshold_needs_someone_other_than_the_requester()
    {
        var grantId = await GrantWithThreshold();
        var pending = await _ledger.TryDisburse(grantId, 15_000m);
        await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/disbursements/{pending.Id}/approval", user: "approver");

        var requested = await host.Post($"/api/grants/{grantId}/disbursements/{pending.Id}/reversal", new { reason = "Duplicate" }, user: "approver");
        var standing = await _ledger.Grant(grantId);
        var own = await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/disbursements/{pending.Id}/reversal/approval", user: "approver");
        var other = await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/disbursements/{pending.Id}/reversal/approval", user: "approver2");

        Assert.Equal(201, requested.Status);
        Assert.Equal("awaiting-approval", requested.Json.Text("status"));
        Assert.Equal("reversal", requested.Json.Text("rule"));
        Assert.Equal(15_000m, standing.Decimal("disbursed"));
        Assert.Equal("Duplicate", standing["disbursements"]![0]!.Text("requestedReversalReason"));
        Assert.Equal("same-person-approval", own.Code);
        Assert.Equal("reversal", own.Json.Text("rule"));
        Assert.Equal(201, other.Status);
        var grant = await _ledger.Grant(grantId);
        Assert.Equal(0m, grant.Decimal("disbursed"));
        Assert.Equal("reversed", grant["disbursements"]![0]!.Text("status"));
        Assert.Equal("Duplicate", grant["disbursements"]![0]!.Text("reversalReason"));
    }

    [Fact]
    public async Task a_rejected_reversal_leaves_the_payment_standing_and_a_second_request_waits_for_the_first()
    {
        var grantId = await GrantWithThreshold();
        var pending = await _ledger.TryDisburse(grantId, 15_000m);
        await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/disbursements/{pending.Id}/approval", user: "approver");
        await _ledger.TryReverse(grantId, pending.Id);

        var again = await _ledger.TryReverse(grantId, pending.Id);
        var rejected = await host.Post($"/api/grants/{grantId}/disbursements/{pending.Id}/reversal/rejection", new { reason = "Not a duplicate" }, user: "approver");

        Assert.Equal("reversal-pending", again.Code);
        Assert.Equal(201, rejected.Status);
        Assert.Equal(15_000m, (await _ledger.Grant(grantId)).Decimal("disbursed"));
    }

    [Fact]
    public async Task a_reversal_below_the_threshold_applies_at_once()
    {
        var grantId = await GrantWithThreshold();
        var paid = await _ledger.TryDisburse(grantId, 5_000m);

        var reversed = await _ledger.TryReverse(grantId, paid.Id);

        Assert.Equal("reversed", reversed.Json.Text("status"));
        Assert.Equal(0m, (await _ledger.Grant(grantId)).Decimal("disbursed"));
    }
}
