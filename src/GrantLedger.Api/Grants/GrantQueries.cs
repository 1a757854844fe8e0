using GrantLedger.Api.Configuration;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using Marten.Services.BatchQuerying;

namespace GrantLedger.Api.Grants;

/// <summary>
/// Reads that depend on a grant, added to a batch that also loads the grant: each finds what it needs through the
/// grant's own row in SQL, so the whole batch is one round trip (Marten's LINQ cannot say "the row this row names").
/// </summary>
public static class GrantQueries
{
    private static readonly string ProgrammeId = MartenNames.Member(nameof(Grant.ProgrammeId));
    private static readonly string OrganisationId = MartenNames.Member(nameof(Grant.OrganisationId));

    /// <summary>The programme the grant was awarded from; null for an unknown grant.</summary>
    public static async Task<Programme?> ProgrammeOfGrant(this IBatchedQuery batch, Guid grantId)
    {
        var grants = batch.Parent.DocumentStore.DocumentTable<Grant>();
        return (await batch.Query<Programme>(
            $"where id = (select (g.data ->> '{ProgrammeId}')::uuid from {grants} g where g.id = ?)", grantId)).SingleOrDefault();
    }

    /// <summary>Every grant of the grant's organisation, the grant included (a hold on one holds them all). Grouped by the
    /// organisation's id, never its name: two organisations may share a name.</summary>
    public static Task<IReadOnlyList<Grant>> GranteesGrants(this IBatchedQuery batch, Guid grantId)
    {
        // The same expression as the index on the organisation (GrantsRegistration), so the lookup uses it.
        var grants = batch.Parent.DocumentStore.DocumentTable<Grant>();
        return batch.Query<Grant>($"where CAST(data ->> '{OrganisationId}' as uuid) = (select CAST(g.data ->> '{OrganisationId}' as uuid) from {grants} g where g.id = ?)", grantId);
    }

    /// <summary>The organisation the grant is awarded to (where its payments may go); null for an unknown or unbound grant.</summary>
    public static async Task<GrantLedger.Domain.Organisations.Organisation?> OrganisationOfGrant(this IBatchedQuery batch, Guid grantId)
    {
        var grants = batch.Parent.DocumentStore.DocumentTable<Grant>();
        return (await batch.Query<GrantLedger.Domain.Organisations.Organisation>(
            $"where id = (select (g.data ->> '{OrganisationId}')::uuid from {grants} g where g.id = ?)", grantId)).SingleOrDefault();
    }
}
