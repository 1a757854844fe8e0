using System.Diagnostics;
using GrantLedger.Api.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace GrantLedger.Api.Tests;

/// <summary>
/// Production means production: an operator who deploys with the demo's settings (published database passwords, the
/// demo users and their password, a weak first administrator, keys that die with the process) gets a refusal, not a
/// running ledger anyone can sign in to.
/// </summary>
public sealed class ProductionGuardTests : IDisposable
{
    private readonly string _keys = Directory.CreateTempSubdirectory("grantledger-guard-").FullName;

    private Dictionary<string, string?> Sound() => new()
    {
        ["ConnectionStrings:GrantLedger"] = "Host=db;Database=grantledger;Username=grantledger_app;Password=8c1f-long-own-secret",
        ["GrantLedger:DataProtection:KeysDirectory"] = _keys,
        ["GrantLedger:Audit:SigningKeyPath"] = SigningKey(),
        ["GrantLedger:Auth:BootstrapAdminEmail"] = "admin@example.org",
        ["GrantLedger:Auth:BootstrapAdminPassword"] = "a long passphrase of our own",
    };

    private string SigningKey()
    {
        var path = Path.Combine(_keys, "audit-signing-key.pem");
        File.WriteAllText(path, "key");
        return path;
    }

    [Fact]
    public void sound_production_settings_start()
    {
        Assert.Empty(ProductionGuard.Problems(Configuration(Sound()), Environment("Production"), serving: true));
    }

    [Theory]
    [InlineData("ConnectionStrings:GrantLedger", "Host=db;Database=grantledger;Username=grantledger_app;Password=grantledger_app", "published default")]
    [InlineData("ConnectionStrings:GrantLedger", "Host=db;Database=grantledger;Username=grantledger;Password=grantledger", "published default")]
    [InlineData("ConnectionStrings:GrantLedger", "Host=db;Database=grantledger;Username=postgres;Password=postgres", "published default")]
    [InlineData("GrantLedger:Demo:Seed", "true", "Demo:Seed is on")]
    [InlineData("GRANTLEDGER_DEMO_PASSWORD", "snowleopard", "demo password")]
    [InlineData("GrantLedger:Auth:BootstrapAdminPassword", "snowleopard", "is the demo password")]
    [InlineData("GrantLedger:Auth:BootstrapAdminPassword", "short-pass1", "shorter than 12")]
    [InlineData("GrantLedger:DataProtection:KeysDirectory", "", "KeysDirectory is not set")]
    [InlineData("GrantLedger:DataProtection:KeysDirectory", "/nowhere/keys", "does not exist")]
    [InlineData("GrantLedger:Audit:SigningKeyPath", "", "SigningKeyPath is not set")]
    [InlineData("GrantLedger:Audit:SigningKeyPath", "/nowhere/key.pem", "does not exist")]
    public void a_demo_setting_in_production_is_refused(string key, string value, string expected)
    {
        var settings = Sound();
        settings[key] = value;

        var refusal = ProductionGuard.Refusal(Configuration(settings), Environment("Production"), serving: true);

        Assert.NotNull(refusal);
        Assert.Contains(expected, refusal);
        Assert.StartsWith("GrantLedger refuses to start in Production: ", refusal);
    }

    [Theory]
    [InlineData("Development")]
    [InlineData("Testing")]
    public void the_demo_settings_are_fine_outside_production(string environment)
    {
        var demo = new Dictionary<string, string?>
        {
            ["ConnectionStrings:GrantLedger"] = "Host=127.0.0.1;Port=5433;Database=grantledger;Username=grantledger_app;Password=grantledger_app",
            ["GrantLedger:Demo:Seed"] = "true",
            ["GRANTLEDGER_DEMO_PASSWORD"] = "snowleopard",
        };

        Assert.Empty(ProductionGuard.Problems(Configuration(demo), Environment(environment), serving: true));
    }

    [Fact]
    public void db_apply_needs_only_a_sound_connection()
    {
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:GrantLedger"] = Sound()["ConnectionStrings:GrantLedger"], ["GrantLedger:Demo:Seed"] = "true" };

        Assert.Empty(ProductionGuard.Problems(Configuration(settings), Environment("Production"), serving: false));
        settings["ConnectionStrings:GrantLedger"] = "Host=db;Username=grantledger;Password=grantledger";
        Assert.NotEmpty(ProductionGuard.Problems(Configuration(settings), Environment("Production"), serving: false));
    }

    /// <summary>The real application, started as an operator would with the demo's settings in Production: one line, exit code 1.</summary>
    [Fact]
    public async Task the_application_started_in_production_with_the_demo_settings_exits_with_one_line()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var app = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "GrantLedger.Api", "bin", configuration, "net10.0"));
        var start = new ProcessStartInfo("dotnet", Path.Combine(app, "GrantLedger.Api.dll"))
        {
            WorkingDirectory = app,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["ConnectionStrings__GrantLedger"] = LedgerHost.TestConnectionString;
        start.Environment["GrantLedger__Demo__Seed"] = "true";
        start.Environment["GRANTLEDGER_DEMO_PASSWORD"] = "snowleopard";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(limit.Token);

        Assert.Equal(1, process.ExitCode);
        var lines = (await error).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("GrantLedger refuses to start in Production: ", line);
        Assert.Contains("published default", line);
        Assert.Contains("Demo:Seed is on", line);
        Assert.Contains("KeysDirectory is not set", line);
        Assert.DoesNotContain("Now listening", await output);
    }

    [Fact]
    public void the_mail_password_in_a_settings_file_is_refused_but_from_the_environment_starts()
    {
        var file = Path.Combine(_keys, "appsettings.Production.json");
        File.WriteAllText(file, """{"GrantLedger":{"Mail":{"Host":"smtp.example.org","Password":"in-the-file"}}}""");
        var fromFile = new ConfigurationBuilder().AddInMemoryCollection(Sound()).AddJsonFile(file).Build();
        Assert.Contains(ProductionGuard.Problems(fromFile, Environment("Production"), serving: true), p => p.Contains("GrantLedger:Mail:Password"));

        var fromEnvironment = Sound();
        fromEnvironment["GrantLedger:Mail:Password"] = "from-the-environment";
        Assert.Empty(ProductionGuard.Problems(Configuration(fromEnvironment), Environment("Production"), serving: true));
    }

    private static IConfiguration Configuration(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

    private static IHostEnvironment Environment(string name) => new Env { EnvironmentName = name };

    private sealed class Env : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "";
        public string ApplicationName { get; set; } = "GrantLedger.Api";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }

    public void Dispose() => Directory.Delete(_keys, recursive: true);
}
