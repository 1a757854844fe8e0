using GrantLedger.Api.Demo;
using GrantLedger.Api.Organisations;
using GrantLedger.Domain;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Organisations;
using GrantLedger.Domain.Programmes;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace GrantLedger.Api.Tests;

/// <summary>Its own schema: a demo seeded by an earlier version (grantees by name), started again by run.sh.</summary>
public class DemoUpgradeTests
{
    [Fact]
    public async Task a_demo_seeded_before_organisations_keeps_one_organisation_per_grantee_and_gets_its_accounts()
    {
        const string schema = "grantledger_demo_upgrade";
        await using var alba = await LedgerHost.StartEmpty(schema, new FakeClock(LedgerHost.StartOfTime));
        var store = alba.Services.GetRequiredService<IDocumentStore>();
        var programme = Guid.NewGuid();
        var grant = Guid.NewGuid();
        var eur = new Money(80_000m, "EUR");
        await using (var session = store.LightweightSession())
        {
            session.Events.StartStream<Programme>(programme, new ProgrammeOpened(programme, "SOS-OLD", "An older demo", "EUR", new Money(220_000m, "EUR"),
                new LocalDate(2020, 4, 1), new LocalDate(2021, 9, 30), "Asia/Bishkek"));
            session.Events.Append(programme, new GrantCommitted(programme, grant, "Snow Leopard Trust", eur));
            session.Events.StartStream<Grant>(grant, new GrantAwarded(grant, programme, "Snow Leopard Trust", ["KG"], "Herders", eur,
                new LocalDate(2020, 4, 1), new LocalDate(2021, 9, 30), "Asia/Bishkek"));
            await session.SaveChangesAsync();
        }

        // Start-up order: the migration binds the old grant by its name, then the demo seed runs.
        await OrganisationMigration.RunAsync(store, CancellationToken.None);
        await DemoOrganisations.SeedAsync(store, new Dictionary<string, string>(), CancellationToken.None);
        await DemoOrganisations.SeedAsync(store, new Dictionary<string, string>(), CancellationToken.None);

        await using var query = store.QuerySession();
        var organisations = await query.Query<Organisation>().ToListAsync();
        Assert.Equal(["Snow Leopard Conservancy", "Snow Leopard Trust", "Wildlife Without Borders, with the Institute of Zoology of Kazakhstan"],
            organisations.Select(o => o.ShortName).Order(StringComparer.Ordinal));
        Assert.All(organisations, o => Assert.Single(o.Accounts, a => a.Status == BankAccountStatus.Approved));
        var trust = organisations.Single(o => o.ShortName == "Snow Leopard Trust");
        Assert.Equal(trust.Id, (await query.LoadAsync<Grant>(grant))!.OrganisationId);
    }
}
