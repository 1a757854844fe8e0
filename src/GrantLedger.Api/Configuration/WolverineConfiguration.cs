using GrantLedger.Api.Demo;
using GrantLedger.Api.Milestones;
using GrantLedger.Api.Notifications;
using JasperFx;
using JasperFx.CodeGeneration;
using NodaTime;
using Wolverine;
using Wolverine.ErrorHandling;
using Wolverine.Http;
using Wolverine.RuntimeCompilation;

namespace GrantLedger.Api.Configuration;

public static class WolverineConfiguration
{
    public static WebApplicationBuilder AddGrantLedgerWolverine(this WebApplicationBuilder builder)
    {
        builder.Services.AddMilestones(builder.Configuration);
        builder.Services.AddNotifications(builder.Configuration);

        var pollingMs = builder.Configuration.GetValue("GrantLedger:Scheduling:PollingMilliseconds", 5000);
        builder.Host.UseWolverine(opts =>
        {
            // Production loads the handlers' code generated ahead of time (Internal/Generated, `scripts/codegen.sh`; test.sh fails
            // when it is stale); everywhere else it is generated at start, so a new handler needs no step (docs/operations.md).
            opts.UseRuntimeCompilation();
            opts.CodeGeneration.TypeLoadMode = builder.Configuration.GetValue("GrantLedger:CodeGeneration:Static", builder.Environment.IsProduction())
                ? TypeLoadMode.Static
                : TypeLoadMode.Dynamic;

            // Its tables are created by `db-apply` as the schema owner; the runtime role cannot (Database/DatabaseRoles.cs).
            opts.AutoBuildMessageStorageOnStartup = builder.Environment.IsDevelopment() &&
                builder.Configuration.GetValue<bool>("GrantLedger:Database:AllowOwnerConnection") ? AutoCreate.CreateOrUpdate : AutoCreate.None;

            // Scheduled deadline checks and reminders are stored in PostgreSQL, so they fire after a restart.
            opts.Policies.UseDurableLocalQueues();
            opts.Durability.ScheduledJobPollingTime = TimeSpan.FromMilliseconds(pollingMs);
            opts.Durability.ScheduledJobFirstExecution = TimeSpan.FromMilliseconds(Math.Min(pollingMs, 1000));

            // Several nodes: Wolverine elects a leader, which assigns the durability agent (scheduled messages, inbox
            // and outbox recovery) to one node. A node that dies without saying so keeps its agents until its health
            // check is stale; Wolverine's defaults (10 s checks, 1 min) leave deadlines unchecked that long.
            var cluster = builder.Configuration.GetSection("GrantLedger:Cluster");
            var (healthCheck, stale) = (cluster.GetValue("HealthCheckSeconds", 5), cluster.GetValue("StaleNodeSeconds", 20));
            if (healthCheck < 1 || stale < 3 * healthCheck)
            {
                // Fewer than three missed reports would move a live but slow node's agents (a GC pause, a busy database).
                throw new InvalidOperationException(
                    "GrantLedger:Cluster:StaleNodeSeconds must be at least three times HealthCheckSeconds (and that at least 1).");
            }

            opts.Durability.HealthCheckPollingTime = TimeSpan.FromSeconds(healthCheck);
            opts.Durability.StaleNodeTimeout = TimeSpan.FromSeconds(stale);

            // One door for every write: commands from the API and the web UI alike run through their handler, in a
            // transaction that also carries their outgoing messages (the outbox); who and why is stamped in one place.
            opts.Policies.AutoApplyTransactions();
            opts.Policies.AddMiddleware(typeof(Http.StampCommandMetadata), chain => chain.MessageType.IsAssignableTo(typeof(Http.ILedgerCommand)));

            // An SMTP server that is down or busy: the e-mail is tried again later, durably (a scheduled envelope survives a
            // restart), with growing waits; after the last the message goes to the dead letters and its delivery shows the error.
            var mail = builder.Configuration.GetSection(MailOptions.Section).Get<MailOptions>() ?? new MailOptions();
            opts.OnException<MailServerUnavailableException>().ScheduleRetry([.. mail.Retries]);

            // A handler that lost an optimistic-concurrency race retries on fresh state.
            opts.OnException<ConcurrencyException>().RetryWithCooldown(
                TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500));
        });
        builder.Services.AddWolverineHttp();

        // After Wolverine's hosted service, so the seeder starts once Wolverine has (it schedules through the outbox).
        builder.Services.AddDemo(builder.Configuration);
        return builder;
    }
}
