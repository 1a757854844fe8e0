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
    private static readonly string Grantee = MartenNames.Member(nameof(Grant.Grantee));

    /// <summary>The programme the grant was awarded from; null for an unknown grant.</summary>
    public static async Task<Programme?> ProgrammeOfGrant(this IBatchedQuery batch, Guid grantId)
    {
        var grants = batch.Parent.DocumentStore.DocumentTable<Grant>();
        return (await batch.Query<Programme>(
            $"where id = (select (g.data ->> '{ProgrammeId}')::uuid from {grants} g where g.id = ?)", grantId)).SingleOrDefault();
    }

    /// <summary>Every grant of the grant's grantee, the grant included (a hold on one holds them all).</summary>
    public static Task<IReadOnlyList<Grant>> GranteesGrants(this IBatchedQuery batch, Guid grantId)
    {
        // The same expression as the index on the grantee (MartenConfiguration), so the lookup uses it.
        var grants = batch.Parent.DocumentStore.DocumentTable<Grant>();
        return batch.Query<Grant>($"where data ->> '{Grantee}' = (select g.data ->> '{Grantee}' from {grants} g where g.id = ?)", grantId);
    }
}
