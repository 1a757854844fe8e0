using Npgsql;

namespace GrantLedger.Api.Configuration;

/// <summary>
/// Production means production: before anything else runs, the application refuses to start in the Production
/// environment with settings that are only fit for a demo — a database password from the local defaults, the demo
/// users or their password, a weak bootstrap administrator password, or keys that would not survive a restart.
/// Outside Production nothing is checked (the demo and the tests use exactly those settings).
/// </summary>
public static class ProductionGuard
{
    /// <summary>The local defaults of scripts/postgres.sh and the old compose file: known to everyone who read them.</summary>
    public static readonly IReadOnlySet<string> DefaultDatabasePasswords = new HashSet<string>(StringComparer.Ordinal)
        { "grantledger", "grantledger_app", "postgres" };

    public const string DemoPassword = "snowleopard";
    public const int MinimumAdminPasswordLength = 12;

    /// <summary>What is wrong for Production, empty when nothing is (or when the environment is not Production).</summary>
    /// <param name="serving">False for <c>db-apply</c>, which needs only its connection: the keys and users are the app's.</param>
    public static IReadOnlyList<string> Problems(IConfiguration configuration, IHostEnvironment environment, bool serving)
    {
        if (!environment.IsProduction())
        {
            return [];
        }

        var problems = new List<string>();
        var connection = configuration.GetConnectionString("GrantLedger");
        if (string.IsNullOrWhiteSpace(connection))
        {
            problems.Add("ConnectionStrings:GrantLedger is not set");
        }
        else
        {
            try
            {
                var password = new NpgsqlConnectionStringBuilder(connection).Password;
                if (password is not null && DefaultDatabasePasswords.Contains(password))
                {
                    problems.Add("the database password in ConnectionStrings:GrantLedger is a published default; set the role's own password");
                }
            }
            catch (ArgumentException)
            {
                problems.Add("ConnectionStrings:GrantLedger is not a valid PostgreSQL connection string");
            }
        }

        if (!serving)
        {
            return problems;
        }

        if (configuration.GetValue<bool>("GrantLedger:Demo:Seed"))
        {
            problems.Add("GrantLedger:Demo:Seed is on: demo users with a published password would be created; demo data is for Development only");
        }

        // The environment variable reaches configuration under its own name (the default host reads every variable).
        var demoPassword = configuration["GRANTLEDGER_DEMO_PASSWORD"];
        if (!string.IsNullOrEmpty(demoPassword))
        {
            problems.Add("GRANTLEDGER_DEMO_PASSWORD is set: the demo password has no place in Production");
        }

        var adminPassword = configuration["GrantLedger:Auth:BootstrapAdminPassword"];
        if (!string.IsNullOrEmpty(adminPassword))
        {
            if (adminPassword == DemoPassword || adminPassword == demoPassword)
            {
                problems.Add("GrantLedger:Auth:BootstrapAdminPassword is the demo password");
            }
            else if (adminPassword.Length < MinimumAdminPasswordLength)
            {
                problems.Add($"GrantLedger:Auth:BootstrapAdminPassword is shorter than {MinimumAdminPasswordLength} characters");
            }
        }

        // A secret in a settings file travels with every copy of the file (images, backups, repositories).
        if (configuration is IConfigurationRoot root && root.Providers.OfType<FileConfigurationProvider>()
                .Any(p => p.TryGet("GrantLedger:Mail:Password", out var secret) && !string.IsNullOrEmpty(secret)))
        {
            problems.Add("GrantLedger:Mail:Password is in a settings file: give it through the environment (GrantLedger__Mail__Password) or a secret store");
        }

        var keys = configuration["GrantLedger:DataProtection:KeysDirectory"];
        if (string.IsNullOrWhiteSpace(keys))
        {
            problems.Add("GrantLedger:DataProtection:KeysDirectory is not set: every token and cookie would die with the process");
        }
        else if (!Directory.Exists(keys))
        {
            problems.Add($"the Data Protection keys directory {keys} (GrantLedger:DataProtection:KeysDirectory) does not exist; mount the persistent, shared directory");
        }

        var signingKey = configuration["GrantLedger:Audit:SigningKeyPath"];
        if (string.IsNullOrWhiteSpace(signingKey))
        {
            problems.Add("GrantLedger:Audit:SigningKeyPath is not set: the audit checkpoint signing key must be a file outside the database");
        }
        else if (!File.Exists(signingKey))
        {
            problems.Add($"the audit signing key {signingKey} (GrantLedger:Audit:SigningKeyPath) does not exist; in Production it is never generated");
        }

        return problems;
    }

    /// <summary>The one line printed before exiting with 1, or null when the application may start.</summary>
    public static string? Refusal(IConfiguration configuration, IHostEnvironment environment, bool serving) =>
        Problems(configuration, environment, serving) is { Count: > 0 } problems
            ? "GrantLedger refuses to start in Production: " + string.Join("; ", problems) + ". See docs/operations.md, \"Production settings\"."
            : null;
}
