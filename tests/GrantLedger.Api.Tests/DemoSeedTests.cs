using GrantLedger.Api.Demo;
using GrantLedger.Api.Programmes;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GrantLedger.Api.Tests;

[Collection(LedgerCollection.Name)]
public class DemoSeedTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    [Fact]
    public async Task the_demo_is_seeded_once_with_the_sos_central_asia_programme_and_three_grants()
    {
        var seeder = new DemoSeeder(host.Host.Services.GetRequiredService<IServiceScopeFactory>(), Options.Create(new DemoOptions { Seed = true }),
            host.Host.Services.GetRequiredService<IHostEnvironment>(), NullLogger<DemoSeeder>.Instance);

        await seeder.StartAsync(CancellationToken.None);
        await seeder.StartAsync(CancellationToken.None);

        await using var session = host.Store.QuerySession();
        var code = await session.LoadAsync<ProgrammeCode>("SOS-CA-1");
        Assert.NotNull(code);
        var list = await host.Get("/api/programmes");
        Assert.Single(list.Json.AsArray(), p => p!.Text("code") == "SOS-CA-1");

        var programme = await new Ledger(host).Programme(code.ProgrammeId);
        Assert.Equal(220_000m, programme.Decimal("allocation"));
        Assert.Equal(210_000m, programme.Decimal("committed"));
        Assert.Equal(10_000m, programme.Decimal("uncommitted"));
        Assert.Equal("Asia/Bishkek", programme.Text("timeZone"));
        var grants = programme["grants"]!.AsArray().Select(g => g!.Text("grantee")).ToList();
        Assert.Equal(3, grants.Count);
        Assert.Contains("Snow Leopard Trust", grants);
        Assert.Contains("Snow Leopard Conservancy", grants);
        Assert.Contains(grants, g => g.StartsWith("Wildlife Without Borders"));
        // The payment keyed in error was reversed, so only real payments count.
        Assert.Equal(104_000m, programme.Decimal("disbursed"));
    }
}
