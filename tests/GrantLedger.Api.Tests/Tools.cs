using System.Diagnostics;
using System.Text;

namespace GrantLedger.Api.Tests;

/// <summary>
/// Command-line tools some tests run, installed on first use under the repository's <c>.data/tools</c> (ignored by git)
/// through their ordinary registries: NuGet for .NET tools, npm for the linter. Nothing is installed globally.
/// </summary>
public static class Tools
{
    public const string KiotaVersion = "1.38.0";
    public const string RedoclyVersion = "2.77.0";

    /// <summary>The generator arguments; docs/api.md shows the same command.</summary>
    public static string[] KiotaGenerate(string document, string output) =>
    [
        "generate", "--language", "CSharp", "--openapi", document, "--output", output, "--class-name", "GrantLedgerClient",
        "--namespace-name", "GrantLedger.Client", "--exclude-backward-compatible", "--clean-output",
    ];

    /// <summary>Kiota otherwise asks GitHub for a newer release and sends telemetry; neither is reachable or wanted here.</summary>
    public static readonly IReadOnlyDictionary<string, string> KiotaEnvironment = new Dictionary<string, string>
    {
        ["KIOTA_UPDATE__DISABLED"] = "true",
        ["KIOTA_TELEMETRY__OPTOUT"] = "true",
    };

    public static readonly IReadOnlyDictionary<string, string> RedoclyEnvironment = new Dictionary<string, string>
    {
        ["REDOCLY_TELEMETRY"] = "off",
        ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true",
    };

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string Folder => Path.Combine(RepositoryRoot, ".data", "tools");

    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    public static async Task<string> Kiota()
    {
        var kiota = Path.Combine(Folder, OperatingSystem.IsWindows() ? "kiota.exe" : "kiota");
        await Installed(Path.Combine(Folder, ".store", "microsoft.openapi.kiota", KiotaVersion), async () =>
        {
            if (File.Exists(kiota))
            {
                await Checked("dotnet", ["tool", "uninstall", "--tool-path", Folder, "Microsoft.OpenApi.Kiota"]);
            }

            await Checked("dotnet", ["tool", "install", "--tool-path", Folder, "Microsoft.OpenApi.Kiota", "--version", KiotaVersion]);
        });
        return kiota;
    }

    public static async Task<string> Redocly()
    {
        var manifest = Path.Combine(Folder, "node_modules", "@redocly", "cli", "package.json");
        await Installed(manifest, () => Checked("npm", ["install", "--no-audit", "--no-fund", "--prefix", Folder, $"@redocly/cli@{RedoclyVersion}"]),
            present: path => File.ReadAllText(path).Contains($"\"version\": \"{RedoclyVersion}\"", StringComparison.Ordinal));
        return Path.Combine(Folder, "node_modules", ".bin", "redocly");
    }

    private static async Task Installed(string marker, Func<Task> install, Func<string, bool>? present = null)
    {
        await InstallLock.WaitAsync();
        try
        {
            var there = present is null ? Directory.Exists(marker) : File.Exists(marker) && present(marker);
            if (!there)
            {
                Directory.CreateDirectory(Folder);
                await install();
            }
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static async Task Checked(string file, IReadOnlyList<string> arguments)
    {
        var (exit, output) = await Run(file, arguments);
        if (exit != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {exit}:\n{output}");
        }
    }

    /// <summary>Runs a program to completion (or kills it after the timeout); returns its exit code and its output, stdout then stderr.</summary>
    public static async Task<(int Exit, string Output)> Run(string file, IReadOnlyList<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, int timeoutSeconds = 300)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepositoryRoot,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within {timeoutSeconds} s.");
        }

        var output = new StringBuilder(await stdout).AppendLine().Append(await stderr).ToString();
        return (process.ExitCode, output);
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "GrantLedger.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No GrantLedger.sln above {AppContext.BaseDirectory}.");
    }
}
