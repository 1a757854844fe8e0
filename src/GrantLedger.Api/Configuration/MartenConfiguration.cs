using GrantLedger.Api.Audit;
using GrantLedger.Api.Currencies;
using GrantLedger.Api.Grants;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Milestones;
using GrantLedger.Api.Notifications;
using GrantLedger.Api.Programmes;
using GrantLedger.Api.Reports;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using JasperFx;
using Weasel.Core;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Npgsql;
using Wolverine.Marten;

namespace GrantLedger.Api.Configuration;

/// <summary>Event timestamps (recorded time) are taken from the injected <see cref="NodaTime.IClock"/>.</summary>
public sealed class RecordedTimeFromClock(NodaTime.IClock clock) : IConfigureMarten
{
    public void Configure(IServiceProvider services, StoreOptions options) =>
        options.Events.TimeProvider = new Identity.ClockTimeProvider(clock);
}

public static class MartenConfiguration
{
    public static string GrantLedgerConnectionString(this IConfiguration configuration) =>
        configuration.GetConnectionString("GrantLedger")
        ?? throw new InvalidOperationException("ConnectionStrings:GrantLedger is not configured.");

    public static WebApplicationBuilder AddGrantLedgerMarten(this WebApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GrantLedgerConnectionString();
        var schema = builder.Configuration["GrantLedger:SchemaName"] ?? "grantledger";

        // For our own SQL (health, reports); NodaTime types map to PostgreSQL date/time types.
        builder.Services.AddSingleton(_ =>
            new NpgsqlDataSourceBuilder(connectionString).UseNodaTime().Build());

        var marten = builder.Services.AddMarten(opts =>
        {
            opts.Connection(connectionString);
            opts.DatabaseSchemaName = schema;
            // Casing here also drives how LINQ queries name JSON members, so it must match the serializer's.
            opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase, o => o.ConfigureGrantLedger());

            // Recorded time comes from the ledger's IClock (see RecordedTimeFromClock), so "as of" reports and the
            // business clock agree, in production and under a test's fake clock.
            opts.Events.AppendMode = EventAppendMode.QuickWithServerTimestamps;
            opts.Events.MetadataConfig.HeadersEnabled = true;
            opts.Events.MetadataConfig.CorrelationIdEnabled = true;
            opts.Events.MetadataConfig.CausationIdEnabled = true;
            opts.Events.MetadataConfig.UserNameEnabled = true;

            // Write models double as inline read models: a GET right after a POST sees the change, and writes
            // load a snapshot instead of replaying the stream.
            opts.Projections.Add<ProgrammeProjection>(ProjectionLifecycle.Inline);
            opts.Projections.Add<GrantProjection>(ProjectionLifecycle.Inline);
            opts.Projections.Add<FxRateTableProjection>(ProjectionLifecycle.Inline);
            // Grantee: every payment looks up the grantee's other grants for holds (pg_stat_statements: half the database time unindexed).
            opts.Schema.For<Grant>().Index(g => g.ProgrammeId).Index(g => g.Grantee);
            opts.Schema.For<ProgrammeCode>().Identity(c => c.Code);
            opts.Schema.For<IdempotencyRecord>();
            opts.Schema.For<UserAccount>().UniqueIndex(u => u.Email);
            opts.Schema.For<Notification>().Index(n => n.GrantId);
            opts.Storage.ExtendedSchemaObjects.Add(EvidenceStore.Table(schema));
            opts.Storage.ExtendedSchemaObjects.Add(AuditChain.Table(schema));
            opts.Storage.ExtendedSchemaObjects.Add(ReportFiles.Table(schema));
            opts.Schema.For<ReportJob>().Index(j => j.PdfSha256).Index(j => j.Hash);

            // Development creates and updates the schema on start; production applies migrations explicitly
            // (`dotnet GrantLedger.Api.dll db-apply` or the SQL from `db-patch`), see docs/architecture.md.
            opts.AutoCreateSchemaObjects = builder.Environment.IsProduction() ? AutoCreate.None : AutoCreate.CreateOrUpdate;
        })
        .UseLightweightSessions()
        // Wolverine's inbox, outbox and scheduled messages live in the same database and schema as the events.
        .IntegrateWithWolverine(w => w.MessageStorageSchemaName = schema);

        if (!builder.Environment.IsProduction())
        {
            marten.ApplyAllDatabaseChangesOnStartup();
        }

        builder.Services.AddSingleton<IConfigureMarten, RecordedTimeFromClock>();
        builder.Services.AddOptions<DisbursementOptions>().Bind(builder.Configuration.GetSection("GrantLedger:Disbursements"))
            .Validate(o => o.MaxGroupSize >= 1, "GrantLedger:Disbursements:MaxGroupSize must be at least 1.").ValidateOnStart();
        builder.Services.AddSingleton<GroupCommitter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<GroupCommitter>());
        builder.Services.AddHostedService<EventImmutability>();
        builder.Services.Configure<AuditOptions>(builder.Configuration.GetSection("GrantLedger:Audit"));
        builder.Services.AddSingleton<AuditChainer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AuditChainer>());
        return builder;
    }
}
