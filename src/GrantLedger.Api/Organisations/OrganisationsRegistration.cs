using GrantLedger.Domain.Organisations;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Aggregation;

namespace GrantLedger.Api.Organisations;

/// <summary>Keeps the <see cref="Organisation"/> snapshot inline; the domain record does the folding.</summary>
public sealed class OrganisationProjection : SingleStreamProjection<Organisation, Guid>
{
    public OrganisationProjection()
    {
        IncludeType<OrganisationRegistered>();
        IncludeType<OrganisationDetailsChanged>();
        IncludeType<BankAccountProposed>();
        IncludeType<BankAccountApproved>();
        IncludeType<BankAccountRejected>();
        IncludeType<BankAccountRetired>();
    }

    public override Organisation? Evolve(Organisation? snapshot, Guid id, IEvent e) =>
        (e.Data is OrganisationRegistered registered ? Organisation.Start(registered) : snapshot?.Evolve(e.Data)) is { } organisation
            ? organisation with { Version = e.Version }
            : null;
}

public static class OrganisationsRegistration
{
    public static StoreOptions AddOrganisations(this StoreOptions opts)
    {
        opts.Projections.Add<OrganisationProjection>(ProjectionLifecycle.Inline);
        opts.Schema.For<Organisation>().Index(o => o.ShortName);
        return opts;
    }
}
