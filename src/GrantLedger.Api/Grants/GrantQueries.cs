using GrantLedger.Api.Configuration;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using Marten;
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
    private static readonly string Grantee = MartenNames.Member(nameof(Grant.Grantee));

    /// <summary>The programme the grant was awarded from; null for an unknown grant.</summary>
    public static async Task<Programme?> ProgrammeOfGrant(this IBatchedQuery batch, Guid grantId)
    {
        var grants = batch.Parent.DocumentStore.DocumentTable<Grant>();
        return (await batch.Query<Programme>(
            $"where id = (select (g.data ->> '{ProgrammeId}')::uuid from {grants} g where g.id = ?)", grantId)).SingleOrDefault();
    }

    /// <summary>The grants of the grant's organisation that could hold its payments (a hold on one holds them all): those
    /// with a milestone whose deadline was missed (<see cref="GranteeHold"/> decides which are still overdue). Grouped by
    /// the organisation's id, never its name: two organisations may share a name. A payment reads these few rows, not
    /// every grant of the organisation (16 clients paying into 160 grants of one organisation deserialised all 160 on
    /// each payment: bench.sh, 2026-12-02). The grant itself may be missing: <see cref="GranteeHold.Of(Grant, IEnumerable{Grant})"/>.</summary>
    public static Task<IReadOnlyList<Grant>> GrantsThatMayHold(this IBatchedQuery batch, Guid grantId)
    {
        // The same expression as the index on the organisation (GrantsRegistration), so the lookup uses it.
        var grants = batch.Parent.DocumentStore.DocumentTable<Grant>();
        return batch.Query<Grant>($"where CAST(data ->> '{OrganisationId}' as uuid) = (select CAST(g.data ->> '{OrganisationId}' as uuid) from {grants} g where g.id = ?) and {MayHold}", grantId);
    }

    /// <summary><see cref="GrantsThatMayHold(IBatchedQuery, Guid)"/> for a grant already read: by organisation, or by the
    /// grantee's name for a grant bound to none.</summary>
    public static async Task<IReadOnlyList<Grant>> GrantsThatMayHold(this IQuerySession session, Grant grant) =>
        grant.OrganisationId is { } organisation
            ? await session.QueryAsync<Grant>($"where CAST(data ->> '{OrganisationId}' as uuid) = ? and {MayHold}", organisation)
            : await session.QueryAsync<Grant>($"where data ->> '{Grantee}' = ? and {MayHold}", grant.Grantee);

    /// <summary>A grant with a milestone whose deadline was missed: the duplicated column (GrantsRegistration), read
    /// without opening the snapshot; a snapshot stored before the column existed (null) is read and decided on.</summary>
    private const string MayHold = $"{MissedDeadlineColumn} is not false";

    /// <summary>Marten's column for the duplicated <see cref="Grant.HasMissedDeadline"/>.</summary>
    private const string MissedDeadlineColumn = "has_missed_deadline";

    /// <summary>db-apply: fills the column for snapshots stored before it existed, from their milestones (idempotent).</summary>
    public static string BackfillMissedDeadlinesSql(IDocumentStore store) =>
        $"update {store.DocumentTable<Grant>()} set {MissedDeadlineColumn} = coalesce(data -> '{MartenNames.Member(nameof(Grant.Milestones))}' @> " +
        $"'[{{\"{MartenNames.Member(nameof(GrantLedger.Domain.Milestones.Milestone.DeadlineMissed))}\": true}}]', false) where {MissedDeadlineColumn} is null";

    /// <summary>The organisation the grant is awarded to (where its payments may go); null for an unknown or unbound grant.</summary>
    public static async Task<GrantLedger.Domain.Organisations.Organisation?> OrganisationOfGrant(this IBatchedQuery batch, Guid grantId)
    {
        var grants = batch.Parent.DocumentStore.DocumentTable<Grant>();
        return (await batch.Query<GrantLedger.Domain.Organisations.Organisation>(
            $"where id = (select (g.data ->> '{OrganisationId}')::uuid from {grants} g where g.id = ?)", grantId)).SingleOrDefault();
    }
}
