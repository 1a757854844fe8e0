using System.Globalization;
using System.Text;
using CsvHelper;
using GrantLedger.Api.Configuration;
using GrantLedger.Api.Reports;
using GrantLedger.Domain.Grants;
using GrantLedger.Reports.Models;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
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
    public async Task the_api_the_csv_and_the_pdf_list_the_same_events_for_a_grant_and_for_a_programme()
    {
        host.Clock.Reset(Instant.FromUtc(2021, 8, 2, 6, 0));
        var programme = await _ledger.OpenProgramme();
        var grant = await _ledger.Award(programme, 10_000m);
        var other = await _ledger.Award(programme, 5_000m);
        host.Clock.Advance(Duration.FromDays(1));
        var paid = await _ledger.Disburse(grant, 1_000m);
        await _ledger.TryReverse(grant, paid, "Paid twice");
        await _ledger.TryDisburse(other, 500m, user: "approver2");
        // Its record names the grant, but records of reports belong to no trail.
        await GeneratedReport(new { kind = "grantee-statement", grantId = grant });
        host.Clock.Advance(Duration.FromMinutes(5));

        // The grant: its commitment (on the programme stream), its award, the payment and its reversal; not the other
        // grant's commitment, on the same programme stream.
        await AllThreeList(["grant_committed", "grant_awarded", "disbursement_recorded", "disbursement_reversed"],
            $"grantId={grant}", new { kind = "audit-trail", grantId = grant });
        // The programme from the second day: both grants' payments, though their awards (which tie them to the
        // programme) were recorded the day before.
        await AllThreeList(["disbursement_recorded", "disbursement_reversed", "disbursement_recorded"],
            $"programmeId={programme}&from=2021-08-03", new { kind = "audit-trail", programmeId = programme, from = "2021-08-03" });

        var byActor = $"programmeId={programme}&actor=approver2@test.example";
        Assert.Equal(["disbursement_recorded"], (await ApiTrail(byActor)).Select(e => e.Type));
        Assert.Equal(await ApiTrail(byActor), await CsvTrail(byActor));
    }

    [Fact]
    public async Task our_sql_names_json_members_as_martens_own_queries_do()
    {
        await using var session = host.Store.QuerySession();

        var command = session.Query<Grant>().Where(g => g.Grantee == "x").ToCommand(Marten.Linq.FetchType.FetchMany);

        Assert.Contains($"data ->> '{MartenNames.Member(nameof(Grant.Grantee))}'", command.CommandText);
        Assert.EndsWith(".mt_doc_grant", host.Store.DocumentTable<Grant>());
        Assert.EndsWith(".mt_events", host.Store.EventsTable());
    }

    private async Task AllThreeList(string[] expected, string filter, object reportRequest)
    {
        var api = await ApiTrail(filter);
        var model = await GeneratedAuditTrail(reportRequest);

        Assert.Equal(expected, api.Select(e => e.Type));
        Assert.Equal(api, await CsvTrail(filter));
        Assert.Equal(api, model.Events.Select(e => (e.Sequence, e.EventType)).ToList());
    }

    private async Task<List<(long Sequence, string Type)>> ApiTrail(string filter) =>
        (await host.Get($"/api/audit?{filter}&pageSize=500", user: "auditor")).Json["items"]!.AsArray()
        .Select(i => (i!["sequence"]!.GetValue<long>(), i.Text("eventType"))).ToList();

    private async Task<List<(long Sequence, string Type)>> CsvTrail(string filter)
    {
        using var response = await host.Download($"/api/exports/audit-trail.csv?{filter}", "auditor");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        using var reader = new CsvReader(new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8), CultureInfo.InvariantCulture);
        var rows = new List<(long, string)>();
        await reader.ReadAsync();
        reader.ReadHeader();
        while (await reader.ReadAsync())
        {
            rows.Add((long.Parse(reader.GetField("sequence")!, CultureInfo.InvariantCulture), reader.GetField("eventType")!));
        }

        return rows;
    }

    /// <summary>The model the generated audit-trail PDF was rendered from (its hash is the one the report carries).</summary>
    private async Task<AuditTrailModel> GeneratedAuditTrail(object request)
    {
        var job = await GeneratedReport(request);
        await using var session = host.Store.QuerySession();
        var (model, hash, _) = ReportBuilder.Model(ReportScope.Of(job), await ReportBuilder.EventsAsOf(session, job.AsOf, CancellationToken.None));
        Assert.Equal(job.Hash, hash);
        return Assert.IsType<AuditTrailModel>(model);
    }

    private async Task<ReportJob> GeneratedReport(object request)
    {
        var accepted = await host.Post("/api/reports", request, user: "auditor");
        Assert.True(accepted.Status == 202, accepted.ToString());
        var status = await LedgerHost.Eventually(() => host.Get($"/api/reports/{accepted.Id}", user: "auditor"),
            r => r.Json.Text("status") is "ready" or "failed");
        Assert.True(status.Json.Text("status") == "ready", status.ToString());
        await using var session = host.Store.QuerySession();
        return (await session.LoadAsync<ReportJob>(accepted.Id))!;
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

    [Fact]
    public async Task a_ledger_in_another_schema_of_the_database_holding_its_chain_lock_does_not_stop_this_chain()
    {
        // Advisory locks are per database: each schema's chain has its own.
        var schema = host.Store.Options.Events.DatabaseSchemaName;
        Assert.NotEqual(Audit.AuditChainer.LockKeyFor(schema), Audit.AuditChainer.LockKeyFor("another_ledger"));
        // Another ledger (or a stalled node of it) in the same database holds its chain's advisory lock indefinitely.
        await using var other = new NpgsqlConnection(LedgerHost.RuntimeConnectionString);
        await other.OpenAsync();
        await using var stalled = await other.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand($"select pg_advisory_xact_lock({Audit.AuditChainer.LockKeyFor("another_ledger")})", other, stalled))
        {
            await take.ExecuteScalarAsync();
        }

        await _ledger.GrantOf(1_000m);

        var verification = await LedgerHost.Eventually(() => host.Get("/api/audit/verification", user: "auditor"),
            r => r.Json["pendingEvents"]!.GetValue<long>() == 0);
        Assert.True(verification.Json["valid"]!.GetValue<bool>(), verification.ToString());
    }
}
