using GrantLedger.Api.Configuration;
using GrantLedger.Api.Notifications;
using GrantLedger.Api.Programmes;
using GrantLedger.Domain.Programmes;
using Marten;
using Npgsql;

namespace GrantLedger.Api.Tests;

/// <summary>Money the bank sent back (issue 19, item 4) and closed months of the books (item 5, ADR 0015).</summary>
[Collection(LedgerCollection.Name)]
public class ReturnsAndPeriodsTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private readonly Ledger _ledger = new(host);

    private Task<Reply> Return(Guid grant, Guid payment, decimal amount, string valueDate = "2020-05-20", string? key = null, string user = "finance",
        string reason = "Beneficiary account closed") =>
        host.Post($"/api/grants/{grant}/disbursements/{payment}/return", new { amount, valueDate, bankReason = reason, bankReference = "RTN-1" },
            key is null ? null : new Dictionary<string, string> { ["Idempotency-Key"] = key }, user);

    private Task<Reply> Close(Guid programme, string month, string user = "finance") =>
        host.Post($"/api/programmes/{programme}/periods/{month}/close", new { note = "Month-end" }, user: user);

    private async Task<(Guid Programme, Guid Grant, Guid Payment)> Paid(decimal amount = 5_000m)
    {
        var programme = await _ledger.OpenProgramme();
        var grant = await _ledger.Award(programme, 80_000m);
        return (programme, grant, await _ledger.Disburse(grant, amount));
    }

    [Fact]
    public async Task a_partial_return_restores_what_came_back_and_shows_the_payment_as_returned()
    {
        var (_, grant, payment) = await Paid();

        var returned = await Return(grant, payment, 4_990m);

        Assert.True(returned.Status == 201, returned.ToString());
        var details = (await host.Get($"/api/grants/{grant}")).Json;
        // 80,000 awarded, 5,000 paid, 4,990 came back: 10.00 of bank charges stay paid.
        Assert.Equal(10m, details["disbursed"]!.GetValue<decimal>());
        Assert.Equal(79_990m, details["remaining"]!.GetValue<decimal>());
        var row = details["disbursements"]![0]!;
        Assert.Equal("returned", row["status"]!.GetValue<string>());
        Assert.False(row["reversed"]!.GetValue<bool>());
        Assert.Equal("Beneficiary account closed", row["return"]!["bankReason"]!.GetValue<string>());
        Assert.Equal("2020-05-20", row["return"]!["valueDate"]!.GetValue<string>());
    }

    [Fact]
    public async Task the_ledger_csv_shows_a_return_as_its_own_negative_entry_not_a_reversal()
    {
        var (_, grant, payment) = await Paid();
        Assert.Equal(201, (await Return(grant, payment, 5_000m)).Status);

        using var response = await host.Download($"/api/exports/ledger-entries.csv?grantId={grant}", "finance");
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(3, lines.Length);
        Assert.Contains(",disbursement,", lines[1]);
        Assert.Contains(",return,", lines[2]);
        Assert.Contains(",2020-05-20,", lines[2]);
        Assert.Contains(",-5000.00,", lines[2]);
        Assert.DoesNotContain(lines, l => l.Contains(",reversal,"));
    }

    [Fact]
    public async Task a_second_return_of_the_same_payment_is_refused_and_a_replayed_key_returns_once()
    {
        var (_, grant, payment) = await Paid();
        var first = await Return(grant, payment, 1_000m, key: "bank-return-1");
        var replay = await Return(grant, payment, 1_000m, key: "bank-return-1");
        var again = await Return(grant, payment, 1_000m);

        Assert.Equal(201, first.Status);
        Assert.True(replay.Status == 201 && replay.Headers.ContainsKey("Idempotent-Replayed"), replay.ToString());
        Assert.Equal((422, "payment-not-returnable"), (again.Status, again.Code));
        Assert.Equal(76_000m, (await host.Get($"/api/grants/{grant}")).Json["remaining"]!.GetValue<decimal>());
    }

    [Theory]
    [InlineData(5_000.01, "2020-05-20", "return-exceeds-payment")]
    [InlineData(100, "2020-05-03", "return-before-payment")]
    [InlineData(0, "2020-05-20", "invalid-amount")]
    [InlineData(10.001, "2020-05-20", "invalid-amount")]
    public async Task a_return_beyond_the_payment_or_before_it_is_refused_and_changes_nothing(decimal amount, string valueDate, string code)
    {
        var (_, grant, payment) = await Paid();

        var refused = await Return(grant, payment, amount, valueDate);

        Assert.Equal((422, code), (refused.Status, refused.Code));
        Assert.Equal(75_000m, (await host.Get($"/api/grants/{grant}")).Json["remaining"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task a_returned_payment_can_no_longer_be_reversed_and_a_reversed_one_cannot_be_returned()
    {
        var (_, grant, payment) = await Paid();
        var other = await _ledger.Disburse(grant, 2_000m);
        Assert.Equal(201, (await Return(grant, payment, 5_000m)).Status);
        Assert.Equal(201, (await _ledger.TryReverse(grant, other)).Status);

        var reverse = await _ledger.TryReverse(grant, payment);
        var returnReversed = await Return(grant, other, 2_000m);

        Assert.Equal((422, "payment-returned"), (reverse.Status, reverse.Code));
        Assert.Equal((422, "payment-not-returnable"), (returnReversed.Status, returnReversed.Code));
    }

    [Fact]
    public async Task a_payment_awaiting_approval_cannot_be_returned()
    {
        var programme = await _ledger.OpenProgramme(approvalThreshold: 10_000m);
        var bigGrant = await _ledger.Award(programme, 50_000m);
        var held = await _ledger.TryDisburse(bigGrant, 20_000m);
        Assert.Equal("awaiting-approval", held.Json.Text("status"));

        var refused = await Return(bigGrant, held.Id, 20_000m);

        Assert.Equal((422, "payment-not-returnable"), (refused.Status, refused.Code));
    }

    [Theory]
    [InlineData("auditor")]
    [InlineData("admin")]
    public async Task only_finance_records_a_return_or_closes_a_month(string user)
    {
        var (programme, grant, payment) = await Paid();

        Assert.Equal(403, (await Return(grant, payment, 5_000m, user: user)).Status);
        Assert.Equal(403, (await Close(programme, "2020-04", user)).Status);
        Assert.Equal(75_000m, (await host.Get($"/api/grants/{grant}")).Json["remaining"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task a_grantee_cannot_return_its_own_payment_or_close_a_month()
    {
        var programme = await _ledger.OpenProgramme();
        var organisation = "Return Org " + Guid.NewGuid().ToString("N")[..6];
        var grant = await _ledger.Award(programme, 80_000m, organisation);
        var payment = await _ledger.Disburse(grant, 5_000m);
        var grantee = await host.GranteeUser(organisation);

        Assert.Equal(403, (await Return(grant, payment, 5_000m, user: grantee)).Status);
        Assert.Equal(403, (await Close(programme, "2020-04", grantee)).Status);
    }

    [Fact]
    public async Task the_grantee_is_told_the_bank_returned_a_payment()
    {
        var (_, grant, payment) = await Paid();

        Assert.Equal(201, (await Return(grant, payment, 5_000m)).Status);

        await using var session = host.Store.QuerySession();
        var notice = Assert.Single(await session.Query<Notification>()
            .Where(n => n.GrantId == grant && n.Kind == NotificationKinds.PaymentReturned).ToListAsync());
        Assert.Contains("Beneficiary account closed", notice.Message);
        Assert.Equal(NotificationAudience.Grantee, notice.Audience);
    }

    [Fact]
    public async Task returns_keep_the_ledger_reconciled()
    {
        var (_, grant, payment) = await Paid();
        Assert.Equal(201, (await Return(grant, payment, 4_000m)).Status);

        var report = await host.Get("/api/admin/reconciliation", user: "auditor");

        Assert.True(report.Json["reconciled"]!.GetValue<bool>(), report.Json["findings"]!.ToJsonString());
    }

    [Fact]
    public async Task a_payment_back_dated_into_a_closed_month_is_refused_and_changes_nothing()
    {
        var programme = await _ledger.OpenProgramme();
        var grant = await _ledger.Award(programme, 80_000m);
        Assert.Equal(201, (await Close(programme, "2020-05")).Status);

        var backDated = await _ledger.TryDisburse(grant, 1_000m, valueDate: "2020-05-31");
        var inJune = await _ledger.TryDisburse(grant, 1_000m, valueDate: "2020-06-01");

        Assert.Equal((422, "period-closed"), (backDated.Status, backDated.Code));
        Assert.Equal(201, inJune.Status);
        Assert.Single((await host.Get($"/api/grants/{grant}")).Json["disbursements"]!.AsArray());
    }

    [Fact]
    public async Task a_return_dated_in_a_closed_month_is_refused_and_a_reversal_is_booked_today_in_an_open_month()
    {
        var (programme, grant, payment) = await Paid();
        Assert.Equal(201, (await Close(programme, "2020-05")).Status);

        var returnInMay = await Return(grant, payment, 5_000m, "2020-05-20");
        var reversal = await _ledger.TryReverse(grant, payment);

        Assert.Equal((422, "period-closed"), (returnInMay.Status, returnInMay.Code));
        Assert.Equal(201, reversal.Status);
    }

    [Fact]
    public async Task approving_a_payment_dated_in_a_month_closed_meanwhile_is_refused()
    {
        var programme = await _ledger.OpenProgramme(approvalThreshold: 10_000m);
        var grant = await _ledger.Award(programme, 50_000m);
        var held = await _ledger.TryDisburse(grant, 20_000m);
        Assert.Equal("awaiting-approval", held.Json.Text("status"));
        Assert.Equal(201, (await Close(programme, "2020-05")).Status);

        var approved = await host.Send(HttpMethod.Post, $"/api/grants/{grant}/disbursements/{held.Id}/approval", user: "approver");

        Assert.Equal((422, "period-closed"), (approved.Status, approved.Code));
        Assert.Equal("awaiting-approval", (await host.Get($"/api/grants/{grant}")).Json["disbursements"]![0]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task a_month_that_has_not_ended_or_is_already_closed_cannot_be_closed()
    {
        var programme = await _ledger.OpenProgramme();
        Assert.Equal(201, (await Close(programme, "2020-04")).Status);

        var again = await Close(programme, "2020-04");
        var current = await Close(programme, "2020-06");
        var future = await Close(programme, "2020-09");
        var malformed = await Close(programme, "2020-13");

        Assert.Equal((422, "period-already-closed"), (again.Status, again.Code));
        Assert.Equal((422, "period-not-ended"), (current.Status, current.Code));
        Assert.Equal((422, "period-not-ended"), (future.Status, future.Code));
        Assert.Equal(400, malformed.Status);
    }

    [Fact]
    public async Task reopening_a_month_takes_a_second_person_and_then_payments_are_accepted_again()
    {
        var programme = await _ledger.OpenProgramme();
        var grant = await _ledger.Award(programme, 80_000m);
        Assert.Equal(201, (await Close(programme, "2020-05")).Status);
        var asked = await host.Post($"/api/programmes/{programme}/periods/2020-05/reopen", new { reason = "Bank statement arrived late" }, user: "approver");
        Assert.True(asked.Status == 201, asked.ToString());
        var request = asked.Json.Text("requestId");

        var listed = (await host.Get($"/api/programmes/{programme}/periods", user: "auditor")).Json;
        var own = await host.Send(HttpMethod.Post, $"/api/programmes/{programme}/periods/reopenings/{request}/approval", "{}", user: "approver");
        var stillClosed = await _ledger.TryDisburse(grant, 1_000m, valueDate: "2020-05-31");
        var second = await host.Send(HttpMethod.Post, $"/api/programmes/{programme}/periods/reopenings/{request}/approval", "{}", user: "approver2");
        var paid = await _ledger.TryDisburse(grant, 1_000m, valueDate: "2020-05-31");

        Assert.Equal("2020-05", listed["closed"]![0]!.GetValue<string>());
        Assert.Equal("awaiting-approval", listed["reopenings"]![0]!["status"]!.GetValue<string>());
        Assert.Equal((422, "same-person-approval"), (own.Status, own.Code));
        Assert.Equal((422, "period-closed"), (stillClosed.Status, stillClosed.Code));
        Assert.Equal(201, second.Status);
        Assert.Equal(201, paid.Status);
        Assert.Empty((await host.Get($"/api/programmes/{programme}/periods")).Json["closed"]!.AsArray());
    }

    [Fact]
    public async Task a_rejected_reopening_leaves_the_month_closed()
    {
        var programme = await _ledger.OpenProgramme();
        Assert.Equal(201, (await Close(programme, "2020-05")).Status);
        var asked = await host.Post($"/api/programmes/{programme}/periods/2020-05/reopen", new { reason = "Late statement" });
        var rejected = await host.Post($"/api/programmes/{programme}/periods/reopenings/{asked.Json.Text("requestId")}/rejection",
            new { reason = "Book it in June" }, user: "approver");

        Assert.Equal(201, rejected.Status);
        var periods = (await host.Get($"/api/programmes/{programme}/periods")).Json;
        Assert.Equal("2020-05", periods["closed"]![0]!.GetValue<string>());
        Assert.Equal("rejected", periods["reopenings"]![0]!["status"]!.GetValue<string>());
    }

    /// <summary>
    /// The race of ADR 0015, made deterministic: a payment has read the programme with May open and is committing while
    /// the close of May holds the programme's period lock (as <c>ClosePeriodHandler</c> takes it) and writes its row; the
    /// close commits first. The payment must not land in May.
    /// </summary>
    [Fact]
    public async Task a_payment_in_flight_while_its_month_is_closed_does_not_land_in_the_closed_month()
    {
        var programme = await _ledger.OpenProgramme();
        var grant = await _ledger.Award(programme, 80_000m);
        var table = host.Store.DocumentTable<Programme>();
        var member = MartenNames.Member(nameof(Programme.ClosedMonthList));

        await using var closer = new NpgsqlConnection(LedgerHost.RuntimeConnectionString);
        await closer.OpenAsync();
        await using var closing = await closer.BeginTransactionAsync();
        await using (var lockPeriods = new NpgsqlCommand($"select pg_advisory_xact_lock({PeriodGuard.LockKey(programme)})", closer, closing))
        {
            await lockPeriods.ExecuteScalarAsync();
        }

        var payment = _ledger.TryDisburse(grant, 1_000m, valueDate: "2020-05-15");
        await LedgerHost.Eventually(async () =>
        {
            await using var probe = new NpgsqlConnection(LedgerHost.RuntimeConnectionString);
            await probe.OpenAsync();
            await using var waiting = new NpgsqlCommand("select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'", probe);
            return (long)(await waiting.ExecuteScalarAsync())!;
        }, waiting => waiting > 0);

        // What the close's inline snapshot writes, committed while the payment waits.
        await using (var close = new NpgsqlCommand(
            $"update {table} set data = jsonb_set(data, '{{{member}}}', '[\"2020-05\"]'::jsonb) where id = @id", closer, closing))
        {
            close.Parameters.AddWithValue("id", programme);
            await close.ExecuteNonQueryAsync();
        }

        await closing.CommitAsync();
        var refused = await payment;

        // The snapshot was written behind the events' back: put it back, then close May for real (reconciliation stays clean).
        await using (var restore = new NpgsqlCommand($"update {table} set data = data - '{member}' where id = @id", closer))
        {
            restore.Parameters.AddWithValue("id", programme);
            await restore.ExecuteNonQueryAsync();
        }

        Assert.Equal(201, (await Close(programme, "2020-05")).Status);
        Assert.Equal((422, "period-closed"), (refused.Status, refused.Code));
        Assert.Empty((await host.Get($"/api/grants/{grant}")).Json["disbursements"]!.AsArray());
    }
}
