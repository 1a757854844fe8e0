using JasperFx.Events.Projections;
using Marten;

namespace GrantLedger.Api.Programmes;

public static class ProgrammesRegistration
{
    /// <summary>The programme snapshot, kept inline, and the code index that makes a programme code unique.</summary>
    public static StoreOptions AddProgrammes(this StoreOptions opts)
    {
        // Write models double as inline read models: a GET right after a POST sees the change, and writes load a
        // snapshot instead of replaying the stream.
        opts.Projections.Add<ProgrammeProjection>(ProjectionLifecycle.Inline);
        opts.Schema.For<ProgrammeCode>().Identity(c => c.Code);
        return opts;
    }

    /// <summary>The programme dashboard's lines table (<see cref="ProgrammeDashboardLines"/>), a working table of the app.</summary>
    public static StoreOptions AddProgrammeDashboard(this StoreOptions opts)
    {
        opts.Storage.ExtendedSchemaObjects.Add(ProgrammeDashboardLines.Table(opts.DatabaseSchemaName));
        return opts;
    }

    /// <summary>The dashboard lines and the hosted service that keeps them caught up.</summary>
    public static IServiceCollection AddProgrammeDashboard(this IServiceCollection services)
    {
        services.AddSingleton<ProgrammeDashboardLines>();
        services.AddHostedService<ProgrammeDashboardKeeper>();
        return services;
    }
}
