using GrantLedger.Api.Configuration;
using GrantLedger.Api.Database;
using GrantLedger.Api.Operations;
using JasperFx;
using NodaTime;

var app = GrantLedgerApp.Build(args);

// Production means production (docs/operations.md, "Production settings"): no demo users, no published passwords,
// keys that survive a restart. One line and exit code 1, before anything touches the database.
if (ProductionGuard.Refusal(app.Configuration, app.Environment, serving: args is not ["db-apply", ..]) is { } refusal)
{
    await Console.Error.WriteLineAsync(refusal);
    return 1;
}

// `db-apply`, run as the schema owner: Marten's and Wolverine's schema, the append-only triggers and the runtime
// role's grants (Database/DatabaseRoles.cs). Everything else goes to JasperFx's commands (the default runs the app).
if (args is ["db-apply", ..])
{
    return await DatabaseRoles.RunCommand(app.Services);
}

app.UseGrantLedgerHttp();

// JasperFx's command line only when a command is named (`codegen write`, scripts/codegen.sh): its command search prints
// plain lines to the console, which on every start would break Production's one-JSON-object-per-line logs.
if (args.Length > 0)
{
    return await app.RunJasperFxCommands(args);
}

await app.RunAsync();
return 0;

/// <summary>Entry point; public so integration tests can host the application.</summary>
public partial class Program;

namespace GrantLedger.Api.Configuration
{
    /// <summary>The application's composition, shared by the entry point and by tests that apply the schema.</summary>
    public static class GrantLedgerApp
    {
        public static WebApplication Build(string[] args)
        {
            var builder = WebApplication.CreateBuilder(args);

            builder.AddGrantLedgerClock(SystemClock.Instance);
            builder.AddGrantLedgerJson();
            builder.AddGrantLedgerMarten();
            builder.AddGrantLedgerWolverine();
            builder.AddGrantLedgerIdentity();
            builder.AddGrantLedgerHttp();
            builder.AddGrantLedgerLocalization();
            builder.AddGrantLedgerTelemetry();

            return builder.Build();
        }
    }
}
