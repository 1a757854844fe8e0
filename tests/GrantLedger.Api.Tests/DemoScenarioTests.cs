using Marten;
using GrantLedger.Api.Demo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GrantLedger.Api.Tests;

/// <summary>What a new user of the SOS Central Asia demo should find, as the issues' "done when" describe it.</summary>
[Collection(LedgerCollection.Name)]
public class DemoScenarioTests(LedgerHost host) : FromStartOfTime(host.Clock)
{

    private async Task<(Guid Slt, Guid Slc, Guid Wwb)> Demo()
    {
        await new DemoSeeder(host.Host.Services.GetRequiredService<IServiceScopeFactory>(),
            Options.Create(new DemoOptions { Seed = true, Password = "snowleopard" }),
            host.Host.Services.GetRequiredService<IHostEnvironment>(), NullLogger<DemoSeeder>.Instance).StartAsync(CancellationToken.None);
        var grants = (await host.Get("/api/grants")).Json.AsArray();
        Guid Of(string grantee) => Guid.Parse(grants.Single(g => g!.Text("grantee") == grantee)!.Text("id"));
        return (Of("Snow Leopard Trust"), Of("Snow Leopard Conservancy"), Of("Wildlife Without Borders, with the Institute of Zoology of Kazakhstan"));
    }

    [Fact]
    public async Task the_demo_budget_vs_actual_values_each_accepted_expense_at_its_month_rate()
    {
        var (slt, _, _) = await Demo();

        var entries = (await host.Get($"/api/grants/{slt}/expenditure-reports")).Json.AsArray().SelectMany(r => r!["entries"]!.AsArray()).ToList();
        var budget = await host.Get($"/api/grants/{slt}/budget", user: "auditor");

        // The seed's amounts over its donor rates (units per EUR) of the month each was paid, to the cent.
        Assert.Equal(new Dictionary<string, decimal>
        {
            ["Coordinator salaries April-June"] = 7_122.75m,                   // 620,000 KGS / 87.0450 (2020-06)
            ["Predator-proof corrals, Ak-Shyirak (12 corrals)"] = 11_015.38m,  // 980,000 KGS / 88.9665 (2020-08)
            ["Camera traps (20 units)"] = 5_671.94m,                           // 6,200 USD (2020-05)
            ["Fuel and vehicle hire, Naryn"] = 1_612.41m,                      // 145,000 KGS (2020-09)
            ["Coordinator salaries October-December"] = 6_895.83m,             // 640,000 KGS (2020-12)
            ["Corral materials, second village"] = 4_433.60m,                  // 420,000 KGS (2021-02)
        }, entries.Where(e => e!.Text("status") == "accepted").ToDictionary(e => e!.Text("description"), e => e!.Decimal("eurAtDonorRate")));
        Assert.Equal(36_751.91m, budget.Json["totals"].Decimal("spentAtDonorRate"));
        Assert.Equal(1_773.17m, budget.Json["totals"].Decimal("fxDifference"));
        Assert.Contains(entries, e => e!.Text("status") == "rejected");
        Assert.Equal(64_000m, budget.Json.Decimal("disbursed"));
    }

    [Fact]
    public async Task on_the_demo_the_final_tranche_is_refused_until_enough_spending_is_accepted()
    {
        // Confirming the final report changes the demo, so this test has a demo of its own.
        await using var copy = await DemoCopy.Seed("grantledger_demo_copy");
        var ledger = new Ledger(copy.Host);
        var slt = Guid.Parse((await copy.Host.Get("/api/grants")).Json.AsArray().Single(g => g!.Text("grantee") == "Snow Leopard Trust")!.Text("id"));
        var final = (await copy.Host.Get($"/api/grants/{slt}/milestones")).Json.AsArray().Single(m => m!.Text("kind") == "final")!;
        Assert.Equal("submitted", final.Text("status"));
        Assert.Equal(201, (await copy.Host.Send(HttpMethod.Post, $"/api/grants/{slt}/milestones/{final.Text("id")}/confirmation")).Status);

        var tranche3 = await ledger.Tranche(slt, 3);
        var refused = await ledger.TryDisburse(slt, 16_000m, trancheId: tranche3, valueDate: "2021-09-30");

        // 36,751.91 EUR accepted of the 64,000.00 received is 57%, short of the 70% a further tranche needs.
        Assert.Equal(422, refused.Status);
        Assert.Equal("insufficient-reported-spend", refused.Code);
    }

    [Fact]
    public async Task on_the_demo_a_reallocation_above_a_quarter_is_refused()
    {
        var (_, slc, _) = await Demo();
        var lines = (await host.Get($"/api/grants/{slc}/budget")).Json["lines"]!.AsArray();
        Guid Line(string code) => Guid.Parse(lines.Single(l => l!.Text("code") == code)!.Text("id"));

        var revision = await host.Post($"/api/grants/{slc}/budget/revisions", new
        {
            reason = "Move travel money to the gatherings",
            changes = new[] { new { lineId = Line("T1"), amount = 6_000m }, new { lineId = Line("C1"), amount = 25_500m } },
        });

        Assert.Equal(422, revision.Status);
        Assert.Equal("reallocation-cap-exceeded", revision.Code);
    }

    [Fact]
    public async Task on_the_demo_the_wwb_grantee_sees_only_its_grant_and_is_on_hold()
    {
        var (slt, _, wwb) = await Demo();
        var token = await host.Post("/api/auth/token", new { email = "grantee@wwb.example", password = "snowleopard" }, user: null);
        var headers = new Dictionary<string, string> { ["Authorization"] = "Bearer " + token.Json.Text("accessToken") };

        var mine = await host.Send(HttpMethod.Get, "/api/grants", headers: headers, user: null);
        var theirs = await host.Send(HttpMethod.Get, $"/api/grants/{slt}", headers: headers, user: null);

        var only = Assert.Single(mine.Json.AsArray())!;
        Assert.Equal(wwb.ToString(), only.Text("id"));
        Assert.True(only["onHold"]!.GetValue<bool>());
        Assert.Equal(404, theirs.Status);
    }

    [Fact]
    public async Task on_the_demo_the_snow_leopard_trusts_bishkek_office_reads_russian_and_sees_its_grant()
    {
        var (slt, _, _) = await Demo();
        await using var session = host.Store.QuerySession();
        var user = await session.Query<Identity.UserAccount>().SingleAsync(u => u.Email == "bishkek@snowleopard.example");
        var token = await host.Post("/api/auth/token", new { email = "bishkek@snowleopard.example", password = "snowleopard" }, user: null);
        var headers = new Dictionary<string, string> { ["Authorization"] = "Bearer " + token.Json.Text("accessToken") };

        var mine = await host.Send(HttpMethod.Get, "/api/grants", headers: headers, user: null);

        Assert.Equal(Identity.Languages.Russian, user.Language);
        Assert.Equal("Snow Leopard Trust", user.GranteeOrganisation);
        Assert.Equal(slt.ToString(), Assert.Single(mine.Json.AsArray())!.Text("id"));
    }
}
