using System.Text.Json;
using GrantLedger.Api.Demo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GrantLedger.Api.Tests;

/// <summary>What a new user of the SOS Central Asia demo should find, as the issues' "done when" describe it.</summary>
[Collection(LedgerCollection.Name)]
public class DemoScenarioTests(LedgerHost host)
{
    private readonly Ledger _ledger = new(host);

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
        var rates = (await host.Get("/api/fx-rates")).Json.AsArray();
        decimal Rate(string currency, string month) => rates.Single(r => r!.Text("currency") == currency && r.Text("month") == month)!.Decimal("unitsPerEur");

        var entries = (await host.Get($"/api/grants/{slt}/expenditure-reports")).Json.AsArray().SelectMany(r => r!["entries"]!.AsArray()).ToList();
        var corrals = entries.Single(e => e!.Text("description").StartsWith("Predator-proof corrals"))!;
        var accepted = entries.Where(e => e!.Text("status") == "accepted")
            .Sum(e => Math.Round(e!.Decimal("amount") / (e.Text("currency") == "EUR" ? 1m : Rate(e.Text("currency"), e.Text("date")[..7])), 2, MidpointRounding.AwayFromZero));
        var budget = JsonDocument.Parse((await host.Get($"/api/grants/{slt}/budget", user: "auditor")).Json.ToJsonString()).RootElement;

        Assert.Equal(Math.Round(980_000m / Rate("KGS", "2020-08"), 2, MidpointRounding.AwayFromZero), corrals.Decimal("eurAtDonorRate"));
        Assert.Equal(accepted, budget.GetProperty("totals").GetProperty("spentAtDonorRate").GetDecimal());
        Assert.NotEqual(0m, budget.GetProperty("totals").GetProperty("fxDifference").GetDecimal());
        Assert.Contains(entries, e => e!.Text("status") == "rejected");
        Assert.Equal(64_000m, budget.GetProperty("disbursed").GetDecimal());
    }

    [Fact]
    public async Task on_the_demo_the_final_tranche_is_refused_until_enough_spending_is_accepted()
    {
        var (slt, _, _) = await Demo();
        var final = (await host.Get($"/api/grants/{slt}/milestones")).Json.AsArray().Single(m => m!.Text("kind") == "final")!;
        if (final.Text("status") == "submitted")
        {
            await host.Send(HttpMethod.Post, $"/api/grants/{slt}/milestones/{final.Text("id")}/confirmation");
        }

        var tranche3 = await _ledger.Tranche(slt, 3);
        var refused = await _ledger.TryDisburse(slt, 16_000m, trancheId: tranche3, valueDate: "2021-09-30");

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
}
