using GrantLedger.Api.Organisations;
using GrantLedger.Api.Audit;
using GrantLedger.Api.Currencies;
using GrantLedger.Api.Database;
using GrantLedger.Api.Grants;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Milestones;
using GrantLedger.Api.Notifications;
using GrantLedger.Api.Programmes;
using GrantLedger.Api.Reports;
using JasperFx;
using Weasel.Core;
using JasperFx.Events;
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
    /// <summary>The configured connection string; unless it says otherwise, with Npgsql's automatic preparation on: the
    /// statements a command runs are prepared once per connection and kept across pooled uses (the pool's reset keeps
    /// prepared statements). Measured as a lever row of <c>scripts/bench.sh --levers</c> (docs/benchmarks.md, ADR 0019):
    /// +31% payments and +31% grant reads at 16 clients once the hold lookup no longer dominated; it was off for a while
    /// after a protocol error under load that the double dispose of a reader (fixed in 6979e3e) explains.</summary>
    public static string GrantLedgerConnectionString(this IConfiguration configuration)
    {
        var configured = configuration.GetConnectionString("GrantLedger")
            ?? throw new InvalidOperationException("ConnectionStrings:GrantLedger is not configured.");
        if (configured.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase) || configured.Contains("AutoPrepare", StringComparison.OrdinalIgnoreCase))
        {
            return configured;
        }

        return new NpgsqlConnectionStringBuilder(configured) { MaxAutoPrepare = AutoPreparedStatements, AutoPrepareMinUsages = 2 }.ConnectionString;
    }

    /// <summary>Statements Npgsql prepares per connection: more than the app's hot statements (a payment runs about twenty).</summary>
    public const int AutoPreparedStatements = 64;

    public static WebApplicationBuilder AddGrantLedgerMarten(this WebApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GrantLedgerConnectionString();
        var schema = builder.Configuration["GrantLedger:SchemaName"] ?? "grantledger";

        // The application connects as the runtime role, which cannot change the schema: `db-apply`, run as the owner,
        // creates and updates it (Database/DatabaseRoles.cs). The one exception, in Development only, is an explicit
        // owner connection that applies it at start. The guard runs before anything else starts.
        var database = builder.Configuration.GetSection("GrantLedger:Database");
        builder.Services.Configure<DatabaseOptions>(database);
        var applyOnStart = builder.Environment.IsDevelopment() && database.GetValue<bool>("AllowOwnerConnection");
        builder.Services.AddHostedService<DatabaseGuard>();
        // Grantees named by free text become organisations bound by id (ADR 0014); idempotent, after the guard.
        builder.Services.AddHostedService<OrganisationMigrationService>();
        // Payments recorded before ADR 0018 get their documents, and grant snapshots settle; idempotent, after the guard.
        builder.Services.AddHostedService<Grants.SettledPaymentsMigrationService>();

        // For our own SQL (health, reports); NodaTime types map to PostgreSQL date/time types.
        builder.Services.AddSingleton(_ =>
            new NpgsqlDataSourceBuilder(connectionString).UseNodaTime().Build());

        builder.Services.AddMarten(opts =>
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

            // Telemetry (Operations/TelemetryConfiguration.cs): a span per session's connection use, and counters of events appended.
            opts.OpenTelemetry.TrackConnections = JasperFx.OpenTelemetry.TrackLevel.Normal;
            opts.OpenTelemetry.TrackEventCounters();

            // Each feature's documents, projections, indexes and tables, registered next to the feature (the inline
            // projections in the order they have always had: programme, grant, FX rate table).
            opts.AddProgrammes()
                .AddGrants()
                .AddOrganisations()
                .AddCurrencies()
                .AddIdentity()
                .AddNotifications()
                .AddMilestones()
                .AddAudit()
                .AddReports()
                .AddProgrammeDashboard();

            // The schema is applied by `db-apply` as the owner (see docs/operations.md), never by the runtime role.
            opts.AutoCreateSchemaObjects = applyOnStart ? AutoCreate.CreateOrUpdate : AutoCreate.None;
        })
        .UseLightweightSessions()
        // Wolverine's inbox, outbox and scheduled messages live in the same database and schema as the events.
        .IntegrateWithWolverine(w => w.MessageStorageSchemaName = schema);

        builder.Services.AddSingleton<IConfigureMarten, RecordedTimeFromClock>();
        // The audit chainer's hosted service, after Marten's, as before (hosted services start in registration order).
        builder.Services.AddAudit(builder.Configuration);
        builder.Services.AddProgrammeDashboard();
        // The report checkpoint writer follows the chain's head, so it starts after the chainer.
        builder.Services.AddReportCheckpoints(builder.Configuration);
        builder.Services.AddScoped<Pages.WorkQueue>();
        return builder;
    }
}
