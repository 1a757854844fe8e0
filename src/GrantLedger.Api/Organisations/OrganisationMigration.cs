using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Notifications;
using GrantLedger.Api.Reports;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Organisations;
using Marten;

namespace GrantLedger.Api.Organisations;

/// <summary>What one run of the migration did.</summary>
public sealed record OrganisationMigrationResult(int OrganisationsRegistered, int GrantsLinked, int UsersBound, int DocumentsUpdated)
{
    public bool NothingToDo => OrganisationsRegistered + GrantsLinked + UsersBound + DocumentsUpdated == 0;
}

/// <summary>
/// Moves a ledger whose grantees were free-text names onto organisations (ADR 0014), at start-up, after the schema:
/// the recorded events stay as they are; for each grant without an organisation the organisation its exact grantee name
/// denotes is reused (when exactly one organisation has that short name) or registered, and <see cref="GrantOrganisationLinked"/>
/// is appended to the grant. Grantee users bound by name get the id (and a new security stamp: their sessions carried
/// the name and must sign in again); notifications and report jobs get the organisation of their grant. Idempotent: a
/// second run finds nothing unbound. Two nodes racing append at the grant's version, so one of them loses and finds
/// nothing on the next start.
/// </summary>
public static class OrganisationMigration
{
    public const string Actor = "ledger";
    public const string CorrelationId = "organisation-migration";

    public static async Task<OrganisationMigrationResult> RunAsync(IDocumentStore store, CancellationToken cancellation)
    {
        await using var session = store.LightweightSession();
        session.RecordedBy(new RequestMetadata(Actor, CorrelationId), "Grantees are bound to organisations by id, not by name (ADR 0014)");

        var unbound = await session.Query<Grant>().Where(g => g.OrganisationId == null).ToListAsync(cancellation);
        var users = (await session.Query<UserAccount>().Where(u => u.GranteeOrganisationId == null && u.GranteeOrganisation != null)
            .ToListAsync(cancellation)).Where(u => u.Roles.Contains(Roles.Grantee)).ToList();
        var notifications = await session.Query<Notification>().Where(n => n.OrganisationId == null && n.GrantId != Guid.Empty).ToListAsync(cancellation);
        var jobs = await session.Query<ReportJob>().Where(j => j.OrganisationId == null && j.GrantId != null && j.Grantee != null).ToListAsync(cancellation);
        if (unbound.Count == 0 && users.Count == 0 && notifications.Count == 0 && jobs.Count == 0)
        {
            return new(0, 0, 0, 0);
        }

        var organisations = await session.Query<Organisation>().ToListAsync(cancellation);
        var byName = organisations.GroupBy(o => o.ShortName, StringComparer.Ordinal)
            .Where(g => g.Count() == 1).ToDictionary(g => g.Key, g => g.Single().Id, StringComparer.Ordinal);
        var (registered, linked) = (0, 0);
        var organisationOfGrant = new Dictionary<Guid, Guid>();
        foreach (var grants in unbound.GroupBy(g => g.Grantee, StringComparer.Ordinal))
        {
            if (!byName.TryGetValue(grants.Key, out var organisationId))
            {
                organisationId = Guid.NewGuid();
                var countries = grants.SelectMany(g => g.Countries).Distinct().Order().ToList();
                session.Events.StartStream<Organisation>(organisationId, OrganisationDecisions.Register(organisationId,
                    new OrganisationDetails(grants.Key, grants.Key, countries, null, null, null, []), Actor));
                byName[grants.Key] = organisationId;
                registered++;
            }

            foreach (var grant in grants)
            {
                session.Events.Append(grant.Id, grant.Version + 1, new GrantOrganisationLinked(grant.Id, organisationId, grant.Grantee, Actor));
                organisationOfGrant[grant.Id] = organisationId;
                linked++;
            }
        }

        var bound = 0;
        foreach (var user in users)
        {
            if (byName.TryGetValue(user.GranteeOrganisation!, out var organisationId))
            {
                var changed = user with { GranteeOrganisationId = organisationId, SecurityStamp = UserAccount.NewStamp() };
                session.Store(changed);
                session.Events.Append(user.Id, new UserRolesChanged(user.Id, user.Roles, user.GranteeOrganisation, "bound to the organisation by id (migration)",
                    organisationId));
                bound++;
            }
        }

        var documents = 0;
        async Task<Guid?> OrganisationOf(Guid grantId) =>
            organisationOfGrant.TryGetValue(grantId, out var known) ? known
            : (await session.LoadAsync<Grant>(grantId, cancellation))?.OrganisationId is { } id ? organisationOfGrant[grantId] = id : null;

        foreach (var notification in notifications)
        {
            if (await OrganisationOf(notification.GrantId) is { } organisationId)
            {
                session.Store(notification with { OrganisationId = organisationId });
                documents++;
            }
        }

        foreach (var job in jobs)
        {
            if (await OrganisationOf(job.GrantId!.Value) is { } organisationId)
            {
                session.Store(job with { OrganisationId = organisationId });
                documents++;
            }
        }

        await session.SaveChangesAsync(cancellation);
        return new(registered, linked, bound, documents);
    }
}

/// <summary>Runs <see cref="OrganisationMigration"/> at start (after the database guard checked the schema).</summary>
public sealed class OrganisationMigrationService(IDocumentStore store, ILogger<OrganisationMigrationService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var result = await OrganisationMigration.RunAsync(store, cancellationToken);
        if (!result.NothingToDo)
        {
            logger.LogWarning("Organisation migration: registered {Organisations} organisations, linked {Grants} grants, bound {Users} grantee users by id, updated {Documents} documents",
                result.OrganisationsRegistered, result.GrantsLinked, result.UsersBound, result.DocumentsUpdated);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
