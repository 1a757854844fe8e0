using System.Security.Cryptography;
using System.Text;
using Alba;
using GrantLedger.Api.Audit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NodaTime.Testing;

namespace GrantLedger.Api.Tests;

/// <summary>
/// An attacker with full write access to the database (a superuser) rewrites history and recomputes every link, or
/// deletes the newest events with their links. Signed checkpoints, whose key is not in the database, catch both.
/// Each test has a schema of its own: they break the chain on purpose.
/// </summary>
public class CheckpointTests
{
    private sealed record Scene(IAlbaHost Alba, LedgerHost Host, Ledger Ledger, string Schema) : IAsyncDisposable
    {
        public AuditCheckpointer Checkpointer => Alba.Services.GetRequiredService<AuditCheckpointer>();

        public async Task<Reply> Verification() => await Host.Get("/api/audit/verification", user: "auditor");

        /// <summary>Waits until every committed event is chained, then signs the head as a report would.</summary>
        public async Task<SignedCheckpoint> ChainedAndSigned()
        {
            var chained = await LedgerHost.Eventually(Verification, r => r.Json["pendingEvents"]!.GetValue<long>() == 0);
            Assert.Equal(0, chained.Json["pendingEvents"]!.GetValue<long>());
            return (await Checkpointer.SignHeadAsync("test", CancellationToken.None))!;
        }

        public ValueTask DisposeAsync() => Alba.DisposeAsync();
    }

    private static async Task<Scene> Start(string schema, Dictionary<string, string>? settings = null)
    {
        // The chainer's own checkpoints are kept out of the way (a day apart), so each test decides when one is signed.
        var alba = await LedgerHost.StartEmpty(schema, new FakeClock(LedgerHost.StartOfTime), new Dictionary<string, string>
        {
            ["GrantLedger:Audit:CheckpointEveryEvents"] = "1000000",
            ["GrantLedger:Audit:CheckpointEveryMinutes"] = "1440",
        }.Concat(settings ?? []).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Last().Value));
        var host = await LedgerHost.Wrap(alba);
        return new Scene(alba, host, new Ledger(host), schema);
    }

    /// <summary>What the attacker does after rewriting events: recomputes every stored link from the events as they are now.</summary>
    internal static async Task RecomputeEveryLink(string schema)
    {
        await using var connection = new NpgsqlConnection(LedgerHost.AdminConnectionString);
        await connection.OpenAsync();
        var rows = new List<(long Sequence, string Canonical)>();
        await using (var read = new NpgsqlCommand($"select e.seq_id, {AuditChain.CanonicalSql("e")} from {schema}.mt_events e order by e.seq_id", connection))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetInt64(0), reader.GetString(1)));
            }
        }

        var link = AuditChain.Genesis;
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("set session_replication_role = replica"));
        foreach (var (sequence, canonical) in rows)
        {
            link = AuditChain.Link(link, canonical);
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"update {schema}.audit_chain set link = '{link}' where seq_id = {sequence}"));
        }

        await batch.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task a_rewrite_with_every_link_recomputed_is_caught_by_the_signed_checkpoint()
    {
        const string schema = "grantledger_cp_rewrite";
        await using var scene = await Start(schema);
        var grant = await scene.Ledger.GrantOf(80_000m);
        var paid = await scene.Ledger.Disburse(grant, 32_000m);
        await scene.Ledger.Disburse(grant, 100m);
        var signed = await scene.ChainedAndSigned();
        var before = await scene.Verification();
        Assert.True(before.Json["valid"]!.GetValue<bool>(), before.ToString());
        Assert.Equal(signed.Sequence, before.Json["lastSignedHead"]!["sequence"]!.GetValue<long>());

        // 32,000 becomes 3,200, and every link after it is recomputed: the unsigned chain alone would look intact.
        await LedgerHost.AsSuperuser(
            $"set session_replication_role = replica; " +
            $"update {schema}.mt_events set data = jsonb_set(data, '{{amount,amount}}', '3200.00') where data ->> 'disbursementId' = '{paid}';");
        await RecomputeEveryLink(schema);

        var after = await scene.Verification();

        Assert.False(after.Json["valid"]!.GetValue<bool>(), after.ToString());
        Assert.False(after.Json["checkpointsValid"]!.GetValue<bool>());
        Assert.Contains("rewritten", after.Json.Text("problem"));
    }

    [Fact]
    public async Task deleting_the_newest_events_and_their_links_past_a_checkpoint_is_caught()
    {
        const string schema = "grantledger_cp_delete";
        await using var scene = await Start(schema);
        var grant = await scene.Ledger.GrantOf(80_000m);
        await scene.Ledger.Disburse(grant, 5_000m);
        var signed = await scene.ChainedAndSigned();

        // The last payment disappears, with its link: the chain that is left is intact up to its new end.
        await LedgerHost.AsSuperuser(
            $"set session_replication_role = replica; " +
            $"delete from {schema}.audit_chain where seq_id > {signed.Sequence - 2}; delete from {schema}.mt_events where seq_id > {signed.Sequence - 2};");

        var after = await scene.Verification();

        Assert.False(after.Json["valid"]!.GetValue<bool>(), after.ToString());
        Assert.Contains("deleted", after.Json.Text("problem"));
    }

    [Fact]
    public async Task deleting_the_checkpoints_too_is_caught_by_the_journal_outside_the_database()
    {
        const string schema = "grantledger_cp_journal";
        await using var scene = await Start(schema);
        var grant = await scene.Ledger.GrantOf(80_000m);
        await scene.Ledger.Disburse(grant, 5_000m);
        var signed = await scene.ChainedAndSigned();
        Assert.Contains(await scene.Checkpointer.ReadJournal(CancellationToken.None), c => c.Sequence == signed.Sequence);

        await LedgerHost.AsSuperuser(
            $"set session_replication_role = replica; delete from {schema}.audit_checkpoints; " +
            $"delete from {schema}.audit_chain where seq_id > {signed.Sequence - 2}; delete from {schema}.mt_events where seq_id > {signed.Sequence - 2};");

        var after = await scene.Verification();

        Assert.False(after.Json["valid"]!.GetValue<bool>(), after.ToString());
        Assert.Contains("in the journal but no longer in the database", after.Json.Text("problem"));
    }

    [Fact]
    public async Task a_checkpoint_inserted_with_a_made_up_signature_is_caught()
    {
        const string schema = "grantledger_cp_forged";
        await using var scene = await Start(schema);
        await scene.Ledger.GrantOf(80_000m);
        var signed = await scene.ChainedAndSigned();
        using var attackerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = Convert.ToBase64String(attackerKey.SignData(Encoding.UTF8.GetBytes(signed.Payload), HashAlgorithmName.SHA256));

        await LedgerHost.AsSuperuser(
            $"set session_replication_role = replica; update {schema}.audit_checkpoints set signature = '{forged}' where seq_id = {signed.Sequence};");

        var after = await scene.Verification();

        Assert.False(after.Json["valid"]!.GetValue<bool>(), after.ToString());
        Assert.Contains("signature", after.Json.Text("problem"));
    }

    [Fact]
    public async Task an_auditor_verifies_a_checkpoint_with_the_published_public_key_alone()
    {
        const string schema = "grantledger_cp_public";
        await using var scene = await Start(schema);
        await scene.Ledger.GrantOf(80_000m);
        await scene.ChainedAndSigned();

        var published = (await scene.Host.Get("/api/audit/public-key", user: "auditor")).Json;
        var checkpoint = (await scene.Host.Get("/api/audit/checkpoints", user: "auditor")).Json.AsArray()[0]!;
        using var publicKey = ECDsa.Create();
        publicKey.ImportFromPem(published.Text("publicKeyPem"));
        var payload = $"grantledger-audit-checkpoint/v1\n{checkpoint["sequence"]}\n{checkpoint.Text("link")}\n{checkpoint.Text("signedAt")}";

        Assert.Equal(published.Text("keyId"), checkpoint.Text("keyId"));
        Assert.True(publicKey.VerifyData(Encoding.UTF8.GetBytes(payload), Convert.FromBase64String(checkpoint.Text("signature")), HashAlgorithmName.SHA256));
        Assert.False(publicKey.VerifyData(Encoding.UTF8.GetBytes(payload + "0"), Convert.FromBase64String(checkpoint.Text("signature")), HashAlgorithmName.SHA256));
    }

    [Fact]
    public async Task the_chainer_signs_a_checkpoint_by_itself_every_n_events()
    {
        const string schema = "grantledger_cp_interval";
        await using var scene = await Start(schema, new() { ["GrantLedger:Audit:CheckpointEveryEvents"] = "3" });
        var grant = await scene.Ledger.GrantOf(80_000m);
        for (var i = 0; i < 4; i++)
        {
            await scene.Ledger.Disburse(grant, 100m);
        }

        var verification = await LedgerHost.Eventually(scene.Verification,
            r => r.Json["pendingEvents"]!.GetValue<long>() == 0 && r.Json["checkpoints"]!.GetValue<int>() >= 2 &&
                 r.Json["eventsAfterLastCheckpoint"]!.GetValue<long>() < 3);

        Assert.True(verification.Json["valid"]!.GetValue<bool>(), verification.ToString());
        Assert.True(verification.Json["checkpoints"]!.GetValue<int>() >= 2, verification.ToString());
        Assert.True(verification.Json["eventsAfterLastCheckpoint"]!.GetValue<long>() < 3, verification.ToString());
        var reasons = (await scene.Host.Get("/api/audit/checkpoints", user: "auditor")).Json.AsArray().Select(c => c!.Text("reason")).ToList();
        Assert.Contains("first", reasons);
        Assert.Contains("interval", reasons);
    }
}
