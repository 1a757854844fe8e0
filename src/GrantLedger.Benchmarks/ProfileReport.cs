using System.Globalization;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.EventPipe;

namespace GrantLedger.Benchmarks;

/// <summary>
/// Reads a dotnet-trace file (the sampled-thread-time profile, taken while the load driver runs) and tells where the
/// app's CPU goes: only samples of threads running managed code count (a thread waiting on a socket or a lock is
/// "external"). Each sample is charged to the first frame from the top of its stack that is not the base class
/// library, grouped by library; a few frames are also reported inclusively.
/// </summary>
public static class ProfileReport
{
    private static readonly string[] BaseLibrary = ["System.Private.CoreLib", "System.Runtime", "System.Collections", "System.Linq",
        "System.Threading", "System.Memory", "System.Collections.Concurrent", "System.Collections.Immutable", "System.Runtime.Intrinsics"];

    private static readonly (string Label, string Contains)[] Inclusive =
    [
        ("the disbursement endpoint (RecordDisbursementEndpoint.Post)", "RecordDisbursementEndpoint"),
        ("Marten SaveChangesAsync (the write transaction)", "DocumentSessionBase.SaveChangesAsync"),
        ("Marten batch queries (the reads)", "BatchedQuery.Execute"),
        ("System.Text.Json (any frame)", "System.Text.Json"),
        ("Npgsql (any frame)", "Npgsql"),
        ("bearer token check (Data Protection unprotect)", "Unprotect"),
    ];

    public static int Run(string tracePath)
    {
        var etlx = TraceLog.CreateFromEventPipeDataFile(tracePath);
        using var log = new TraceLog(etlx);
        long managed = 0, external = 0;
        var byLibrary = new Dictionary<string, long>();
        var inclusive = new long[Inclusive.Length];
        var ours = new Dictionary<string, long>();
        var leaves = new Dictionary<string, long>();
        foreach (var e in log.Events)
        {
            if (e is not ClrThreadSampleTraceData sample)
            {
                continue;
            }

            if (sample.Type != ClrThreadSampleType.Managed)
            {
                external++;
                continue;
            }

            managed++;
            var frames = new List<(string Module, string Method)>();
            for (var frame = e.CallStack(); frame is not null; frame = frame.Caller)
            {
                frames.Add((frame.CodeAddress.ModuleName ?? "?", frame.CodeAddress.FullMethodName ?? "?"));
            }

            var charged = frames.FirstOrDefault(f => !BaseLibrary.Contains(f.Module, StringComparer.OrdinalIgnoreCase) && f.Module is not ("?" or ""));
            var library = charged.Module is null ? "base class library only: " + Leaf(frames) : Library(charged.Module);
            byLibrary[library] = byLibrary.GetValueOrDefault(library) + 1;
            // The leaf with the first frame outside the base class library that led to it (who waits, who locks).
            var leaf = Leaf(frames) + " <- " + (charged.Method is { } by ? by.Split('(')[0] : "?");
            leaves[leaf] = leaves.GetValueOrDefault(leaf) + 1;
            // Which of our methods the sample ran under (each counted once per sample): the background services show
            // here as well as the request handlers.
            foreach (var method in frames.Where(f => f.Module.StartsWith("GrantLedger", StringComparison.Ordinal))
                         .Select(f => f.Method.Split('(')[0]).Distinct())
            {
                ours[method] = ours.GetValueOrDefault(method) + 1;
            }

            for (var i = 0; i < Inclusive.Length; i++)
            {
                if (frames.Any(f => f.Method.Contains(Inclusive[i].Contains, StringComparison.Ordinal) || f.Module.Contains(Inclusive[i].Contains, StringComparison.Ordinal)))
                {
                    inclusive[i]++;
                }
            }
        }

        string Share(long n) => managed == 0 ? "0" : (100.0 * n / managed).ToString("0.0", CultureInfo.InvariantCulture);
        Console.WriteLine($"profile_managed_samples={managed} profile_external_samples={external}");
        foreach (var (library, count) in byLibrary.OrderByDescending(kv => kv.Value).Take(25))
        {
            Console.WriteLine($"profile_self library={library.Replace(' ', '~').Replace('|', '/')} share_pct={Share(count)}");
        }

        for (var i = 0; i < Inclusive.Length; i++)
        {
            Console.WriteLine($"profile_inclusive what={Inclusive[i].Label.Replace(' ', '~').Replace('|', '/')} share_pct={Share(inclusive[i])}");
        }

        foreach (var (method, count) in leaves.OrderByDescending(kv => kv.Value).Take(15))
        {
            Console.WriteLine($"profile_leaf method={method.Replace(' ', '~').Replace('|', '/')} share_pct={Share(count)}");
        }

        foreach (var (method, count) in ours.OrderByDescending(kv => kv.Value).Take(15))
        {
            Console.WriteLine($"profile_ours method={method.Replace(' ', '~').Replace('|', '/')} share_pct={Share(count)}");
        }

        return 0;
    }

    private static string Leaf(List<(string Module, string Method)> frames) =>
        frames.Select(f => f.Method).FirstOrDefault(m => m is not ("?" or "")) is { } method ? method.Split('(')[0] : "unresolved";

    /// <summary>Libraries by their module; ASP.NET Core's many assemblies as one.</summary>
    private static string Library(string module) => module switch
    {
        _ when module.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) => "ASP.NET Core",
        _ when module.StartsWith("Microsoft.Extensions", StringComparison.Ordinal) => "Microsoft.Extensions",
        _ when module.StartsWith("Wolverine", StringComparison.Ordinal) => "Wolverine",
        _ when module.StartsWith("GrantLedger", StringComparison.Ordinal) => "GrantLedger (our code)",
        _ when module.StartsWith("System.Net", StringComparison.Ordinal) => "System.Net (sockets)",
        _ when module.StartsWith("System.Security", StringComparison.Ordinal) => "System.Security (crypto)",
        _ => module,
    };
}
