using Marten;
using Microsoft.Extensions.Options;

namespace GrantLedger.Api.Audit;

public static class AuditRegistration
{
    /// <summary>The hash chain's, the signed checkpoints' and the trail marks' tables, in the store's schema.</summary>
    public static StoreOptions AddAudit(this StoreOptions opts)
    {
        opts.Storage.ExtendedSchemaObjects.Add(AuditChain.Table(opts.DatabaseSchemaName));
        opts.Storage.ExtendedSchemaObjects.Add(AuditCheckpoints.Table(opts.DatabaseSchemaName));
        opts.Storage.ExtendedSchemaObjects.Add(AuditTrailMarks.Table(opts.DatabaseSchemaName));
        return opts;
    }

    /// <summary>
    /// Settings (<c>GrantLedger:Audit</c>), the checkpoint signing key, the checkpointer, the verifier, and the chainer,
    /// which runs as a hosted service.
    /// </summary>
    public static IServiceCollection AddAudit(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuditOptions>().Bind(configuration.GetSection("GrantLedger:Audit"))
            .Validate(o => o.CheckpointEveryEvents >= 1 && o.CheckpointEveryMinutes > 0 && o.TrailMarkEveryEvents >= 1,
                "GrantLedger:Audit checkpoint and trail mark intervals must be positive.").ValidateOnStart();
        services.AddSingleton(sp => AuditSigningKey.Load(sp.GetRequiredService<IOptions<AuditOptions>>().Value,
            sp.GetRequiredService<IHostEnvironment>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger<AuditSigningKey>()));
        services.AddSingleton<AuditCheckpointer>();
        services.AddSingleton<LastChainVerification>();
        services.AddSingleton<ChainVerifier>();
        services.AddSingleton<AuditChainer>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditChainer>());
        return services;
    }
}
