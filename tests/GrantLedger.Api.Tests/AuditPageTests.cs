using Alba;
using GrantLedger.Api.Audit;
using Microsoft.Extensions.DependencyInjection;
using NodaTime.Testing;

namespace GrantLedger.Api.Tests;

/// <summary>
/// The audit page no longer recomputes the whole chain on every view: it checks what the newest signed checkpoint does
/// not cover, shows the last whole-chain verification with its time, and recomputes the whole chain on a button. Each
/// test has a schema of its own (some tamper with history as a superuser would).
/// </summary>
public class AuditPageTests
{
    private sealed record Scene(IAlbaHost Alba, LedgerHost Host, Ledger Ledger, string Schema) : IAsyncDisposable
    {
        public ChainVerifier Verifier => Alba.Services.GetRequiredService<ChainVerifier>();

        public async Task<long> Chained() =>
            (await LedgerHost.Eventually(() => Host.Get("/api/audit/verification", user: "auditor"),
                r => r.Json["pendingEvents"]!.GetValue<long>() == 0)).Json["checkedEvents"]!.GetValue<long>();

        public async Task<SignedCheckpoint> ChainedAndSigned()
        {
            await Chained();
            return (await Alba.Services.GetRequiredService<AuditCheckpointer>().SignHeadAsync("test", CancellationToken.None))!;
        }

        public async Task<string> Page(string url = "/audit")
        {
            var result = await Alba.Scenario(s =>
            {
                s.Get.Url(url);
                s.WithBearerToken(Host.Token("auditor").GetAwaiter().GetResult());
            });
            return await result.ReadAsTextAsync();
        }

        public ValueTask DisposeAsync() => Alba.DisposeAsync();
    }

    private static async Task<Scene> Start(string schema, int trailMarkEvery = 1000)
    {
        // Checkpoints only when a test signs one.
        var alba = await LedgerHost.StartEmpty(schema, new FakeClock(LedgerHost.StartOfTime), new Dictionary<string, string>
        {
            ["GrantLedger:Audit:CheckpointEveryEvents"] = "1000000",
            ["GrantLedger:Audit:CheckpointEveryMinutes"] = "1440",
            ["GrantLedger:Audit:TrailMarkEveryEvents"] = trailMarkEvery.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var host = await LedgerHost.Wrap(alba);
        return new Scene(alba, host, new Ledger(host), schema);
    }

    [Fact]
    public async Task a_view_reads_only_the_events_after_the_newest_signed_checkpoint()
    {
        await using var scene = await Start("grantledger_auditpage_rows");
        var grant = await scene.Ledger.GrantOf(80_000m);
        for (var i = 0; i < 10; i++)
        {
            await scene.Ledger.Disburse(grant, 100m);
        }

        var signed = await scene.ChainedAndSigned();
        await scene.Ledger.Disburse(grant, 100m);
        await scene.Ledger.Disburse(grant, 100m);
        var all = await scene.Chained();

        var tail = await scene.Verifier.VerifyTailAsync(CancellationToken.None);
        var full = await scene.Verifier.VerifyAsync(CancellationToken.None);
        var page = await scene.Page();

        Assert.True(tail.Valid, tail.Problem);
        Assert.Equal(signed.Sequence, tail.From!.Sequence);
        Assert.Equal(full.HeadSequence - signed.Sequence + 1, tail.CheckedEvents); // the checkpoint's own event and those after it
        Assert.True(tail.ReadEvents <= tail.CheckedEvents + 1, $"read {tail.ReadEvents} rows for {tail.CheckedEvents} events");
        Assert.True(all >= 3 * tail.ReadEvents, $"the view read {tail.ReadEvents} of {all} events");
        Assert.Equal(all, full.CheckedEvents);
        Assert.Contains("Audit chain verified: the events up to " + signed.Sequence, page);
        Assert.Contains("Last signed checkpoint: event " + signed.Sequence, page);
    }

    /// <summary>A payment of 32,000 before the newest signed checkpoint and one more after it; the first one's id.</summary>
    private static async Task<Guid> PaidThenSignedThenPaidAgain(Scene scene)
    {
        var grant = await scene.Ledger.GrantOf(80_000m);
        var paid = await scene.Ledger.Disburse(grant, 32_000m);
        await scene.Ledger.Disburse(grant, 100m);
        await scene.ChainedAndSigned();
        await scene.Ledger.Disburse(grant, 100m);
        await scene.Chained();
        return paid;
    }

    /// <summary>The superuser rewrites a payment's amount in place, past the append-only trigger.</summary>
    private static Task RewriteAmount(string schema, Guid paid, string amount) =>
        LedgerHost.AsSuperuser(
            $"set session_replication_role = replica; " +
            $"update {schema}.mt_events set data = jsonb_set(data, '{{amount,amount}}', '{amount}') where data ->> 'disbursementId' = '{paid}';");

    [Fact]
    public async Task a_view_catches_a_rewrite_before_the_checkpoint_that_recomputed_every_link()
    {
        const string schema = "grantledger_auditpage_rewrite";
        await using var scene = await Start(schema);
        var paid = await PaidThenSignedThenPaidAgain(scene);

        await RewriteAmount(schema, paid, "3200.00");
        await CheckpointTests.RecomputeEveryLink(schema);

        var tail = await scene.Verifier.VerifyTailAsync(CancellationToken.None);

        Assert.False(tail.Valid);
        Assert.Contains("rewritten", tail.Problem);
        Assert.Contains("Audit chain broken", await scene.Page());
    }

    [Fact]
    public async Task a_view_catches_an_event_changed_after_the_checkpoint()
    {
        const string schema = "grantledger_auditpage_after";
        await using var scene = await Start(schema);
        var grant = await scene.Ledger.GrantOf(80_000m);
        await scene.ChainedAndSigned();
        var paid = await scene.Ledger.Disburse(grant, 5_000m);
        await scene.Chained();

        await RewriteAmount(schema, paid, "500.00");

        var tail = await scene.Verifier.VerifyTailAsync(CancellationToken.None);

        Assert.False(tail.Valid);
        Assert.Contains("changed after it was recorded", tail.Problem);
    }

    /// <summary>
    /// What a view does not see: an event before the checkpoint edited without recomputing any link. The whole-chain
    /// recomputation (the page's button, or GET /api/audit/verification) finds it, and every view shows that result.
    /// </summary>
    [Fact]
    public async Task the_whole_chain_recomputed_on_the_button_finds_what_a_view_does_not_and_every_view_then_shows_it()
    {
        const string schema = "grantledger_auditpage_full";
        await using var scene = await Start(schema);
        var paid = await PaidThenSignedThenPaidAgain(scene);
        await RewriteAmount(schema, paid, "3200.00");
        Assert.True((await scene.Verifier.VerifyTailAsync(CancellationToken.None)).Valid);

        // An auditor in a browser: signs in, opens the page, presses "Recompute the whole chain now".
        var email = LedgerHost.Staff["auditor"].Email;
        var signIn = await BrowserSignIn.SignIn(scene.Alba, email, LedgerHost.Password, _ => { });
        var auth = BrowserSignIn.Cookie(signIn, "grantledger").Split(';')[0];
        var form = await scene.Alba.Scenario(s =>
        {
            s.WithRequestHeader("Cookie", auth);
            s.Get.Url("/audit");
        });
        var html = await form.ReadAsTextAsync();
        Assert.DoesNotContain("Audit chain broken", html);
        var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        var antiforgery = form.Context.Response.Headers.SetCookie.Select(c => c!).Single(c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal)).Split(';')[0];
        await scene.Alba.Scenario(s =>
        {
            s.WithRequestHeader("Cookie", $"{auth}; {antiforgery}");
            s.Post.FormData(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["page"] = "1" }).ToUrl("/audit").QueryString("handler", "verify");
            s.StatusCodeShouldBe(302);
        });

        var after = await scene.Page();

        Assert.Contains("Audit chain broken at event", after);
        Assert.Contains("found when the whole chain was recomputed", after);
        Assert.Contains("Whole chain last recomputed", after);
    }

    /// <summary>
    /// The whole trail's total and its pages come from the chainer's trail marks (one every 3 sequence numbers here, the
    /// first ones made in one pass over what was already chained) plus the events after them; they must list exactly what
    /// reading the trail whole lists, the record of a generated report left out, at any page size, and the page asked for
    /// in the audit page's address is the page shown.
    /// </summary>
    [Fact]
    public async Task the_whole_trail_paged_from_the_trail_marks_lists_what_reading_it_whole_lists()
    {
        const string schema = "grantledger_auditpage_marks";
        await using var scene = await Start(schema, trailMarkEvery: 3);
        var grant = await scene.Ledger.GrantOf(80_000m);
        for (var i = 0; i < 5; i++)
        {
            await scene.Ledger.Disburse(grant, 100m);
        }

        await scene.Ledger.GenerateReport(new { kind = "grantee-statement", grantId = grant });
        for (var i = 0; i < 4; i++)
        {
            await scene.Ledger.Disburse(grant, 100m);
        }

        await scene.Chained();
        var store = scene.Alba.Services.GetRequiredService<Marten.IDocumentStore>();
        var dataSource = scene.Alba.Services.GetRequiredService<Npgsql.NpgsqlDataSource>();
        var whole = new List<long>();
        await foreach (var entry in new AuditTrailQuery().Read(store, dataSource, CancellationToken.None))
        {
            whole.Add(entry.Sequence);
        }

        var marks = (long)(await dataSource.CreateCommand($"select count(*) from {schema}.{AuditTrailMarks.TableName}").ExecuteScalarAsync())!;
        Assert.True(marks >= 3, $"{marks} trail marks");
        Assert.True(whole.Count >= 14, $"{whole.Count} events in the trail");
        foreach (var size in new[] { 1, 2, 5, 500 })
        {
            for (var page = 1; page <= whole.Count / size + 2; page++)
            {
                var answer = (await scene.Host.Get($"/api/audit?page={page}&pageSize={size}", user: "auditor")).Json;
                Assert.Equal(whole.Count, answer["total"]!.GetValue<long>());
                Assert.Equal(whole.Skip((page - 1) * size).Take(size), answer["items"]!.AsArray().Select(e => e!["sequence"]!.GetValue<long>()));
                Assert.DoesNotContain(answer["items"]!.AsArray(), e => e!["eventType"]!.GetValue<string>() == "report_generated");
            }
        }

        var second = await scene.Page("/audit?page=2");
        Assert.Contains($"Page 2 of {(whole.Count + 49) / 50} ({whole.Count} events)", second);
    }
}
