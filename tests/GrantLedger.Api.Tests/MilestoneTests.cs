using System.Security.Cryptography;
using System.Text;
using GrantLedger.Api.Milestones;
using GrantLedger.Domain.Grants;
using Marten;
using Npgsql;
using NodaTime;
using Wolverine;
using Wolverine.Tracking;

namespace GrantLedger.Api.Tests;

[Collection(LedgerCollection.Name)]
public class MilestoneTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private readonly Ledger _ledger = new(host);

    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n% mid-term report of the Snow Leopard Trust\n%%EOF\n");
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

    private async Task<(Guid Grant, Guid Milestone, Guid Tranche2)> GatedGrant(string? grantee = null)
    {
        var grantId = await _ledger.GrantOf(80_000m, grantee, tranches: [32_000m, 32_000m, 16_000m]);
        var tranche2 = await _ledger.Tranche(grantId, 2);
        var milestoneId = await _ledger.PlanMilestone(grantId, "2020-12-31", tranche2);
        return (grantId, milestoneId, tranche2);
    }

    [Fact]
    public async Task a_grantee_submission_confirmed_by_finance_opens_the_gated_tranche()
    {
        var (grantId, milestoneId, tranche2) = await GatedGrant();

        var locked = await _ledger.TryDisburse(grantId, 32_000m, trancheId: tranche2);
        Assert.Equal(422, locked.Status);
        Assert.Equal("tranche-locked", locked.Code);

        var submitted = await _ledger.Submit(grantId, milestoneId, "Mid-term report with financial annex", ("midterm.pdf", Pdf, "application/pdf"));
        Assert.Equal(201, submitted.Status);
        var confirmed = await host.Post($"/api/grants/{grantId}/milestones/{milestoneId}/confirmation", new { note = "Accepted by ECARO" });
        Assert.Equal(201, confirmed.Status);

        var paid = await _ledger.TryDisburse(grantId, 32_000m, trancheId: tranche2);
        Assert.Equal(201, paid.Status);
        var grant = await _ledger.Grant(grantId);
        var tranche = grant["tranches"]!.AsArray().Single(t => t!.Text("id") == tranche2.ToString())!;
        Assert.False(tranche["locked"]!.GetValue<bool>());
        Assert.Equal(32_000m, tranche.Decimal("paid"));
        Assert.Equal(tranche2.ToString(), grant["disbursements"]![0]!.Text("trancheId"));
    }

    [Fact]
    public async Task evidence_is_stored_with_its_hash_and_downloads_as_the_same_bytes()
    {
        var (grantId, milestoneId, _) = await GatedGrant();

        var submitted = await _ledger.Submit(grantId, milestoneId, "Report", ("midterm.pdf", Pdf, "application/octet-stream"));

        Assert.Equal(201, submitted.Status);
        var milestone = await _ledger.Milestone(grantId, milestoneId);
        Assert.Equal("submitted", milestone.Text("status"));
        var file = milestone["submissions"]![0]!["files"]![0]!;
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Pdf)), file.Text("sha256"));
        Assert.Equal(Pdf.Length, file["size"]!.GetValue<long>());
        Assert.Equal("application/pdf", file.Text("contentType"));

        using var download = await host.Download(file.Text("url"), await host.GranteeUser((await _ledger.Grant(grantId)).Text("grantee")));
        Assert.Equal(200, (int)download.StatusCode);
        Assert.Equal("application/pdf", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Pdf, await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task the_content_type_comes_from_the_bytes_not_from_the_client()
    {
        var (grantId, milestoneId, _) = await GatedGrant();

        var submitted = await _ledger.Submit(grantId, milestoneId, "Photo", ("camera-trap.pdf", Png, "application/pdf"));

        Assert.Equal(201, submitted.Status);
        Assert.Equal("image/png", submitted.Json["files"]![0]!.Text("contentType"));
    }

    [Theory]
    [InlineData("setup.exe", new byte[] { 0x4D, 0x5A, 0x90, 0x00, 0x03 })]
    [InlineData("report.pdf", new byte[] { 0x4D, 0x5A, 0x90, 0x00, 0x03 })]
    [InlineData("page.html", new byte[] { 0x3C, 0x68, 0x74, 0x6D, 0x6C, 0x3E })]
    public async Task a_file_of_a_refused_type_is_a_415_and_nothing_is_stored(string name, byte[] content)
    {
        var (grantId, milestoneId, _) = await GatedGrant();

        var reply = await _ledger.Submit(grantId, milestoneId, "Report", ("report.pdf", Pdf, "application/pdf"), (name, content, "application/pdf"));

        Assert.Equal(415, reply.Status);
        Assert.Equal("unsupported-evidence-type", reply.Code);
        await AssertNothingStored(grantId, milestoneId);
    }

    [Fact]
    public async Task a_file_over_the_size_limit_is_a_413_and_nothing_is_stored()
    {
        var (grantId, milestoneId, _) = await GatedGrant();
        var large = new byte[LedgerHost.TestMaxEvidenceBytes + 1];
        Pdf.CopyTo(large, 0);

        var reply = await _ledger.Submit(grantId, milestoneId, "Scans", ("scans.pdf", large, "application/pdf"));

        Assert.Equal(413, reply.Status);
        Assert.Equal("evidence-too-large", reply.Code);
        await AssertNothingStored(grantId, milestoneId);
    }

    [Fact]
    public async Task a_submission_must_be_multipart_with_at_least_one_file()
    {
        var (grantId, milestoneId, _) = await GatedGrant();

        var grantee = await host.GranteeUser((await _ledger.Grant(grantId)).Text("grantee"));
        var json = await host.Post($"/api/grants/{grantId}/milestones/{milestoneId}/submission", new { note = "x" }, user: grantee);
        var noFiles = await _ledger.Submit(grantId, milestoneId, "Only a note");

        Assert.Equal(415, json.Status);
        Assert.Equal(422, noFiles.Status);
        Assert.Equal("evidence-required", noFiles.Code);
    }

    [Fact]
    public async Task a_rejected_submission_shows_the_reason_and_can_be_resubmitted()
    {
        var (grantId, milestoneId, _) = await GatedGrant();
        await _ledger.Submit(grantId, milestoneId, "First try", ("midterm.pdf", Pdf, "application/pdf"));

        var rejected = await host.Post($"/api/grants/{grantId}/milestones/{milestoneId}/rejection", new { reason = "The financial annex is missing" });
        var afterRejection = await _ledger.Milestone(grantId, milestoneId);
        var resubmitted = await _ledger.Submit(grantId, milestoneId, "With annex", ("midterm-v2.pdf", Pdf, "application/pdf"));

        Assert.Equal(201, rejected.Status);
        Assert.Equal("rejected", afterRejection.Text("status"));
        Assert.Equal("The financial annex is missing", afterRejection.Text("rejectionReason"));
        Assert.Equal(201, resubmitted.Status);
        var feed = await host.Get($"/api/notifications?grantId={grantId}", user: await host.GranteeUser((await _ledger.Grant(grantId)).Text("grantee")));
        Assert.Contains(feed.Json.AsArray(), n => n!.Text("kind") == "milestone-rejected" && n!.Text("message").Contains("The financial annex is missing"));
        var milestone = await _ledger.Milestone(grantId, milestoneId);
        Assert.Equal("submitted", milestone.Text("status"));
        Assert.Equal(2, milestone["submissions"]!.AsArray().Count);
    }

    [Fact]
    public async Task confirming_needs_a_submission_and_needs_no_body()
    {
        var (grantId, milestoneId, _) = await GatedGrant();

        var early = await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/milestones/{milestoneId}/confirmation");
        await _ledger.Submit(grantId, milestoneId, "Report", ("midterm.pdf", Pdf, "application/pdf"));
        var confirmed = await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/milestones/{milestoneId}/confirmation");

        Assert.Equal(422, early.Status);
        Assert.Equal("milestone-not-submitted", early.Code);
        Assert.Equal(201, confirmed.Status);
        Assert.Equal("confirmed", (await _ledger.Milestone(grantId, milestoneId)).Text("status"));
    }

    [Fact]
    public async Task unknown_milestones_and_files_are_404()
    {
        var (grantId, milestoneId, _) = await GatedGrant();

        var milestone = await host.Send(HttpMethod.Post, $"/api/grants/{grantId}/milestones/{Guid.NewGuid()}/confirmation");
        var file = await host.Get($"/api/grants/{grantId}/milestones/{milestoneId}/files/{Guid.NewGuid()}");
        var grant = await host.Get($"/api/grants/{Guid.NewGuid()}/milestones");

        Assert.Equal(404, milestone.Status);
        Assert.Equal("milestone-not-found", milestone.Code);
        Assert.Equal(404, file.Status);
        Assert.Equal(404, grant.Status);
    }

    [Fact]
    public async Task a_milestone_becomes_overdue_by_itself_when_the_clock_passes_its_deadline_and_the_grantee_is_held()
    {
        var grantee = "Wildlife Without Borders " + Guid.NewGuid().ToString("N")[..6];
        var deadline = Instant.FromUtc(2021, 3, 31, 18, 0); // end of 2021-03-31 in Bishkek
        host.Clock.Reset(deadline - Duration.FromSeconds(1));
        var lateGrant = await _ledger.GrantOf(60_000m, grantee);
        var otherGrant = await _ledger.GrantOf(10_000m, grantee);
        var milestoneId = Guid.Empty;

        // The scheduled check is delivered after a second of real time, while the fake clock has not reached the
        // deadline. Not a sleep: the tracked session ends once that check has run (and scheduled itself again).
        var earlyCheck = await host.Host.TrackActivity(TimeSpan.FromSeconds(30))
            .IgnoreEnvelopes(e => e.Message is MilestoneDeadlineReached other && other.GrantId != lateGrant)
            .WaitForExecutionOf<MilestoneDeadlineReached>()
            .ExecuteAndWaitAsync((IMessageContext _) => PlanMidTerm());

        Assert.Contains(earlyCheck.Executed.MessagesOf<MilestoneDeadlineReached>(), m => m.MilestoneId == milestoneId);
        Assert.False((await _ledger.Milestone(lateGrant, milestoneId))["overdue"]!.GetValue<bool>());

        host.Clock.Reset(deadline + Duration.FromHours(1));
        var milestone = await LedgerHost.Eventually(() => _ledger.Milestone(lateGrant, milestoneId), m => m["overdue"]!.GetValue<bool>());
        Assert.True(milestone["overdue"]!.GetValue<bool>());

        Assert.True((await _ledger.Grant(otherGrant))["onHold"]!.GetValue<bool>());
        var held = await _ledger.TryDisburse(otherGrant, 1_000m, valueDate: "2021-04-01");
        Assert.Equal(422, held.Status);
        Assert.Equal("grantee-on-hold", held.Code);
        Assert.Contains("Mid-term report", held.Json.Text("detail"));

        var overridden = await _ledger.TryDisburse(otherGrant, 1_000m, valueDate: "2021-04-01", overrideReason: "Field season; director approved");
        Assert.Equal(201, overridden.Status);
        await using var session = host.Store.QuerySession();
        var events = await session.Events.FetchStreamAsync(otherGrant);
        var hold = Assert.IsType<HoldOverridden>(events.Single(e => e.Data is HoldOverridden).Data);
        Assert.Equal("Field season; director approved", hold.Reason);
        Assert.Equal([milestoneId], hold.OverdueMilestoneIds);

        var overdue = await host.Get("/api/milestones?status=overdue");
        Assert.Contains(overdue.Json.AsArray(), m => m!.Text("milestoneId") == milestoneId.ToString());
        var feed = await host.Get($"/api/notifications?grantId={lateGrant}");
        Assert.Contains(feed.Json.AsArray(), n => n!.Text("kind") == "milestone-overdue");

        async Task PlanMidTerm() => milestoneId = await _ledger.PlanMilestone(lateGrant, "2021-03-31", title: "Mid-term report");
    }

    /// <summary>A payment reads only the grants that can hold it (a column beside each snapshot). A snapshot stored before
    /// that column existed still holds the organisation, and db-apply fills the column from its milestones.</summary>
    [Fact]
    public async Task a_grant_stored_before_the_hold_column_still_holds_and_db_apply_fills_it()
    {
        var deadline = Instant.FromUtc(2021, 2, 28, 18, 0);
        host.Clock.Reset(deadline + Duration.FromDays(2));
        var grantee = "Snow Leopard Conservancy " + Guid.NewGuid().ToString("N")[..6];
        var lateGrant = await _ledger.GrantOf(60_000m, grantee);
        var otherGrant = await _ledger.GrantOf(10_000m, grantee);
        var milestoneId = await _ledger.PlanMilestone(lateGrant, "2021-02-28");
        await LedgerHost.Eventually(() => _ledger.Milestone(lateGrant, milestoneId), m => m["overdue"]!.GetValue<bool>());

        async Task<bool?[]> Column(bool forget = false)
        {
            await using var connection = new NpgsqlConnection(LedgerHost.OwnerConnectionString);
            await connection.OpenAsync();
            var grants = new NpgsqlParameter { Value = new[] { lateGrant, otherGrant } };
            if (forget)
            {
                await using var update = new NpgsqlCommand($"update {LedgerHost.Schema}.mt_doc_grant set has_missed_deadline = null where id = any($1)", connection);
                update.Parameters.Add(grants.Clone());
                await update.ExecuteNonQueryAsync();
            }

            await using var command = new NpgsqlCommand($"select has_missed_deadline from {LedgerHost.Schema}.mt_doc_grant where id = any($1) " +
                "order by array_position($1, id)", connection);
            command.Parameters.Add(grants);
            var values = new List<bool?>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                values.Add(reader.IsDBNull(0) ? null : reader.GetBoolean(0));
            }

            return [.. values];
        }

        Assert.Equal([true, false], await Column());
        Assert.Equal([null, null], await Column(forget: true));

        Assert.Equal("grantee-on-hold", (await _ledger.TryDisburse(otherGrant, 100m, valueDate: "2021-03-02")).Code);
        Assert.True((await _ledger.Grant(otherGrant))["onHold"]!.GetValue<bool>());

        await LedgerHost.ApplySchemaNow(LedgerHost.Schema);
        Assert.Equal([true, false], await Column());
        Assert.Equal("grantee-on-hold", (await _ledger.TryDisburse(otherGrant, 100m, valueDate: "2021-03-02")).Code);
    }

    [Fact]
    public async Task a_late_submission_lifts_the_hold()
    {
        var deadline = Instant.FromUtc(2021, 2, 28, 18, 0);
        host.Clock.Reset(deadline + Duration.FromDays(2));
        var grantId = await _ledger.GrantOf(60_000m);
        var milestoneId = await _ledger.PlanMilestone(grantId, "2021-02-28");
        await LedgerHost.Eventually(() => _ledger.Milestone(grantId, milestoneId), m => m["overdue"]!.GetValue<bool>());
        Assert.Equal("grantee-on-hold", (await _ledger.TryDisburse(grantId, 100m, valueDate: "2021-03-02")).Code);

        await _ledger.Submit(grantId, milestoneId, "Late, sorry", ("midterm.pdf", Pdf, "application/pdf"));

        Assert.Equal(201, (await _ledger.TryDisburse(grantId, 100m, valueDate: "2021-03-02")).Status);
    }

    [Fact]
    public async Task a_reminder_reaches_the_feed_before_the_deadline()
    {
        var deadline = Instant.FromUtc(2021, 5, 31, 18, 0);
        host.Clock.Reset(deadline - Duration.FromDays(14) - Duration.FromSeconds(1));
        var grantId = await _ledger.GrantOf(10_000m);
        var milestoneId = await _ledger.PlanMilestone(grantId, "2021-05-31", title: "Inception report");

        var feed = await LedgerHost.Eventually(() => host.Get($"/api/notifications?grantId={grantId}"),
            r => r.Json.AsArray().Any(n => n!.Text("kind") == "milestone-reminder"));

        var reminder = feed.Json.AsArray().Single(n => n!.Text("kind") == "milestone-reminder")!;
        Assert.Equal(milestoneId.ToString(), reminder.Text("milestoneId"));
        Assert.Contains("2021-05-31", reminder.Text("message"));
        host.Clock.Advance(Duration.FromMinutes(1));
        var dueSoon = await host.Get("/api/milestones?status=due-soon");
        Assert.Contains(dueSoon.Json.AsArray(), m => m!.Text("milestoneId") == milestoneId.ToString());
    }

    [Fact]
    public async Task an_unknown_milestone_filter_is_a_400()
    {
        var reply = await host.Get("/api/milestones?status=late");

        Assert.Equal(400, reply.Status);
        Assert.Equal("malformed-request", reply.Code);
    }

    private async Task AssertNothingStored(Guid grantId, Guid milestoneId)
    {
        var milestone = await _ledger.Milestone(grantId, milestoneId);
        Assert.Equal("planned", milestone.Text("status"));
        Assert.Empty(milestone["submissions"]!.AsArray());
        await using var session = host.Store.QuerySession();
        var stored = await session.QueryAsync<int>($"select count(*)::int from {LedgerHost.Schema}.evidence_files where owner_id = ?", milestoneId);
        Assert.Equal(0, stored.Single());
    }
}
