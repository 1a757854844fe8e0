using GrantLedger.Domain.Grants;
using JasperFx.Events.Projections;
using Marten;

namespace GrantLedger.Api.Grants;

public static class GrantsRegistration
{
    /// <summary>The grant snapshot and its payments' documents, kept inline (as the programme's), its indexes, and the idempotency records of payments.</summary>
    public static StoreOptions AddGrants(this StoreOptions opts)
    {
        opts.Projections.Add<GrantProjection>(ProjectionLifecycle.Inline);
        // One document per payment (ADR 0018), listed per grant in the order recorded.
        opts.Projections.Add(new GrantPaymentProjection(), ProjectionLifecycle.Inline);
        opts.Schema.For<GrantPayment>().Index(p => p.GrantId);
        // Organisation: every payment looks up the organisation's other grants for holds (pg_stat_statements: half the
        // database time unindexed). The grantee name stays indexed for the start-up migration of grants awarded by name.
        opts.Schema.For<Grant>().Index(g => g.ProgrammeId).Index(g => g.Grantee).Index(g => g.OrganisationId);
        // Holds: the few grants of an organisation that can hold it, found without opening each snapshot (GrantQueries).
        // Nullable: a snapshot stored before the column existed has none and is read (and decided on) as before.
        opts.Schema.For<Grant>().Duplicate(g => g.HasMissedDeadline, pgType: "boolean", notNull: false);
        opts.Schema.For<IdempotencyRecord>();
        return opts;
    }
}
