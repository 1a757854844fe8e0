using System.Diagnostics;
using System.Text.Json;

namespace GrantLedger.Api.Tests;

/// <summary>
/// The built app as a process, with Production's JSON console logs: an operator's log shipper reads one JSON object per
/// line, so nothing the app prints at start (the framework's command search included) may be plain text. Its database
/// is unreachable on purpose: the start fails, and the failure must be a JSON line too.
/// </summary>
public class JsonLogLinesTests
{
    [Fact]
    public async Task every_line_the_app_writes_when_it_starts_and_fails_is_one_json_object()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var app = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "GrantLedger.Api", "bin", configuration, "net10.0"));
        var start = new ProcessStartInfo("dotnet", Path.Combine(app, "GrantLedger.Api.dll"))
        {
            WorkingDirectory = app,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{MailInbox.FreePort()}";
        start.Environment["ConnectionStrings__GrantLedger"] = "Host=127.0.0.1;Port=1;Database=nowhere;Username=nobody;Password=secret-password";
        start.Environment["GrantLedger__Logging__Json"] = "true";

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(patience.Token);

        var lines = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, line =>
        {
            using var entry = JsonDocument.Parse(line);
            Assert.Equal(JsonValueKind.Object, entry.RootElement.ValueKind);
        });
        Assert.Contains(lines, l => l.Contains("\"LogLevel\":\"Critical\"", StringComparison.Ordinal) || l.Contains("\"LogLevel\":\"Error\"", StringComparison.Ordinal));
        Assert.DoesNotContain("secret-password", await output + await errors);
        Assert.NotEqual(0, process.ExitCode);
    }
}
