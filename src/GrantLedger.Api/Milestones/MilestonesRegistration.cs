using Marten;

namespace GrantLedger.Api.Milestones;

public static class MilestonesRegistration
{
    /// <summary>The evidence files' table, in the store's schema.</summary>
    public static StoreOptions AddMilestones(this StoreOptions opts)
    {
        opts.Storage.ExtendedSchemaObjects.Add(EvidenceStore.Table(opts.DatabaseSchemaName));
        return opts;
    }

    /// <summary>Deadline and reminder settings (<c>GrantLedger:Milestones</c>).</summary>
    public static IServiceCollection AddMilestones(this IServiceCollection services, IConfiguration configuration) =>
        services.Configure<MilestoneOptions>(configuration.GetSection("GrantLedger:Milestones"));
}
