using System.Net.Http.Json;
using System.Text.Json.Nodes;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Notifications;
using GrantLedger.Api.Organisations;
using GrantLedger.Domain;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Organisations;
using GrantLedger.Domain.Programmes;
using Marten;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace GrantLedger.Api.Tests;

/// <summary>A ledger written before organisations existed (grantees by name) moved onto organisations by id.</summary>
[Collection(LedgerCollection.Name)]
public class OrganisationMigrationTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private readonly Ledger _ledger = new(host);

    /// <summary>A grant as it was recorded before organisations: a name, no organisation id.</summary>
    private async Task<Guid> LegacyGrant(Guid programme, string grantee, decimal amount)
    {
        var id = Guid.NewGuid();
        await using var session = host.Store.LightweightSession();
        session.Events.Append(programme, new GrantCommitted(programme, id, grantee, new Money(amount, "EUR")));
        session.Events.StartStream<Grant>(id, new GrantAwarded(id, programme, grantee, ["KG"], "Legacy grant", new Money(amount, "EUR"),
            new LocalDate(2020, 4, 1), new LocalDate(2021, 9, 30), "Asia/Bishkek"));
        session.Store(new Notification(Guid.NewGuid(), LedgerHost.StartOfTime, NotificationKinds.PaymentRecorded, id, grantee, null, "legacy notice"));
        await session.SaveChangesAsync();
        return id;
    }

    /// <summary>A grantee user as it was created before organisations: bound by name only.</summary>
    private async Task<string> LegacyUser(string grantee)
    {
        var email = $"legacy-{Guid.NewGuid():N}@test.example";
        await using (var session = host.Store.LightweightSession())
        {
            await UserAdministration.Create(session, host.Host.Services.GetRequiredService<IPasswordHasher<UserAccount>>(),
                new CreateUserRequest(email, email, LedgerHost.Password, [Roles.Grantee]));
            await session.SaveChangesAsync();
        }

        await using (var session = host.Store.LightweightSession())
        {
            var user = await session.Query<UserAccount>().SingleAsync(u => u.Email == email);
            session.Store(user with { GranteeOrganisation = grantee });
            await session.SaveChangesAsync();
        }

        return email;
    }

    private async Task<Grant> Snapshot(Guid grant)
    {
        await using var query = host.Store.QuerySession();
        return (await query.LoadAsync<Grant>(grant))!;
    }

    private async Task<JsonNode> GrantsSeenBy(string email)
    {
        using var signIn = await host.Client.PostAsJsonAsync("/api/auth/token", new { email, password = LedgerHost.Password });
        var token = JsonNode.Parse(await signIn.Content.ReadAsStringAsync())!["accessToken"]!.GetValue<string>();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/grants");
        request.Headers.Authorization = new("Bearer", token);
        using var response = await host.Client.SendAsync(request);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    [Fact]
    public async Task grants_and_users_bound_by_name_are_bound_to_one_organisation_per_exact_name_once()
    {
        var programme = await _ledger.OpenProgramme();
        var (name, other) = ("Legacy Trust " + Guid.NewGuid().ToString("N")[..6], "Legacy trust " + Guid.NewGuid().ToString("N")[..6]);
        var first = await LegacyGrant(programme, name, 1_000m);
        var second = await LegacyGrant(programme, name, 2_000m);
        var third = await LegacyGrant(programme, other, 3_000m);
        var user = await LegacyUser(name);
        Assert.Empty((await GrantsSeenBy(user)).AsArray()); // bound by name only: nothing until migrated

        var result = await OrganisationMigration.RunAsync(host.Store, CancellationToken.None);
        var again = await OrganisationMigration.RunAsync(host.Store, CancellationToken.None);

        var (a, b, c) = (await Snapshot(first), await Snapshot(second), await Snapshot(third));
        Assert.NotNull(a.OrganisationId);
        Assert.Equal(a.OrganisationId, b.OrganisationId);
        Assert.NotEqual(a.OrganisationId, c.OrganisationId);
        Assert.Equal(name, a.Grantee); // the award stays as recorded
        Assert.True(result.OrganisationsRegistered >= 2 && result.GrantsLinked >= 3 && result.UsersBound >= 1, result.ToString());
        Assert.True(again.NothingToDo, again.ToString());

        await using var query = host.Store.QuerySession();
        var organisation = await query.LoadAsync<Organisation>(a.OrganisationId!.Value);
        Assert.Equal(name, organisation!.ShortName);
        var linked = (await query.Events.FetchStreamAsync(first)).Select(e => e.Data).OfType<GrantOrganisationLinked>().Single();
        Assert.Equal(a.OrganisationId, linked.OrganisationId);
        var account = await query.Query<UserAccount>().SingleAsync(u => u.Email == user);
        Assert.Equal(a.OrganisationId, account.GranteeOrganisationId);
        Assert.True(await query.Query<Notification>().AnyAsync(n => n.GrantId == first && n.OrganisationId == a.OrganisationId));
        var seen = (await GrantsSeenBy(user)).AsArray().Select(g => g!.Text("id")).Order().ToList();
        Assert.Equal(new[] { first.ToString(), second.ToString() }.Order().ToList(), seen);
    }

    [Fact]
    public async Task a_legacy_grant_is_bound_to_the_one_organisation_that_already_has_its_name()
    {
        var programme = await _ledger.OpenProgramme();
        var name = "Registered First " + Guid.NewGuid().ToString("N")[..6];
        var registered = await host.RegisterOrganisation(name);
        var grant = await LegacyGrant(programme, name, 1_000m);

        await OrganisationMigration.RunAsync(host.Store, CancellationToken.None);

        Assert.Equal(registered, (await Snapshot(grant)).OrganisationId);
        // ...and so it can be paid to the account approved there.
        Assert.Equal(201, (await _ledger.TryDisburse(grant, 10m)).Status);
    }
}
