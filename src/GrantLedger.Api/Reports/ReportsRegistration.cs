using Marten;

namespace GrantLedger.Api.Reports;

public static class ReportsRegistration
{
    /// <summary>The generated PDFs' and the report checkpoints' tables, in the store's schema, and the report jobs, found by
    /// PDF hash or model hash.</summary>
    public static StoreOptions AddReports(this StoreOptions opts)
    {
        opts.Storage.ExtendedSchemaObjects.Add(ReportFiles.Table(opts.DatabaseSchemaName));
        opts.Storage.ExtendedSchemaObjects.Add(ReportCheckpoints.Table(opts.DatabaseSchemaName));
        opts.Schema.For<ReportJob>().Index(j => j.PdfSha256).Index(j => j.Hash);
        return opts;
    }

    /// <summary>Settings (<c>GrantLedger:Reports:Checkpoints</c>), the report checkpoints and their writer, a hosted service.</summary>
    public static IServiceCollection AddReportCheckpoints(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ReportCheckpointOptions>().Bind(configuration.GetSection("GrantLedger:Reports:Checkpoints"))
            .Validate(o => o.EveryEvents >= 1 && o.WriteIntervalSeconds >= 0, "GrantLedger:Reports:Checkpoints: EveryEvents must be positive.")
            .ValidateOnStart();
        services.AddSingleton<ReportCheckpoints>();
        services.AddHostedService<ReportCheckpointWriter>();
        return services;
    }
}
