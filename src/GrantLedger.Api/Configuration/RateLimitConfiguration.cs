using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using GrantLedger.Api.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace GrantLedger.Api.Configuration;

/// <summary>One kind of expensive or guessable request: how many per user and per client address in a window.</summary>
public sealed class RateLimitRule
{
    /// <summary>Requests per signed-in user (for sign-in: per e-mail address tried) in the window; 0 means no limit.</summary>
    public int PerUser { get; set; }

    /// <summary>Requests per client address in the window; 0 means no limit.</summary>
    public int PerAddress { get; set; }

    public int WindowSeconds { get; set; } = 60;

    public TimeSpan Window => TimeSpan.FromSeconds(Math.Max(1, WindowSeconds));
}

/// <summary>Settings under <c>GrantLedger:RateLimits</c> (docs/operations.md).</summary>
public sealed class RateLimitOptions
{
    /// <summary>Form sign-in and token requests; per user means per e-mail address tried.</summary>
    public RateLimitRule SignIn { get; set; } = new() { PerUser = 10, PerAddress = 20 };

    /// <summary>Report generation (each one renders a PDF).</summary>
    public RateLimitRule Reports { get; set; } = new() { PerUser = 10, PerAddress = 30 };

    /// <summary>Report verification (each one rebuilds, re-renders and reads back a PDF) and recomputing the whole audit chain.</summary>
    public RateLimitRule Verification { get; set; } = new() { PerUser = 10, PerAddress = 30 };

    /// <summary>CSV imports and file uploads (FX rates, expenditure reports, milestone evidence).</summary>
    public RateLimitRule Imports { get; set; } = new() { PerUser = 20, PerAddress = 60 };
}

/// <summary>
/// Fair load for what is expensive or guessable: every such request takes a permit per client address and one per
/// signed-in user (chained, so both must allow it); sign-in's per-e-mail limit is taken by the sign-in check itself,
/// since the e-mail is in the body. A refusal is <c>429</c> problem+json with <c>Retry-After</c>.
/// </summary>
public static class RateLimitConfiguration
{
    public const string SignIn = "sign-in";
    public const string Reports = "reports";
    public const string Verification = "verification";
    public const string Imports = "imports";

    public static WebApplicationBuilder AddGrantLedgerRateLimits(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("GrantLedger:RateLimits");
        builder.Services.Configure<RateLimitOptions>(section);
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((o, settings) =>
        {
            var rules = settings.Value;
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (context, cancellation) => Reject(context.HttpContext, KindOf(context.HttpContext) ?? SignIn,
                context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1));
            o.GlobalLimiter = new OncePerRequest(PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(context =>
                    KindOf(context) is { } kind && Rule(rules, kind) is { PerAddress: > 0 } rule
                        ? Window($"{kind}|address|{AddressOf(context)}", rule.PerAddress, rule.Window)
                        : RateLimitPartition.GetNoLimiter("")),
                PartitionedRateLimiter.Create<HttpContext, string>(context =>
                    KindOf(context) is { } kind and not SignIn && Rule(rules, kind) is { PerUser: > 0 } rule &&
                    context.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } user
                        ? Window($"{kind}|user|{user}", rule.PerUser, rule.Window)
                        : RateLimitPartition.GetNoLimiter(""))));
        });
        return builder;
    }

    public static RateLimitRule Rule(RateLimitOptions rules, string kind) => kind switch
    {
        SignIn => rules.SignIn,
        Reports => rules.Reports,
        Verification => rules.Verification,
        _ => rules.Imports,
    };

    public static string AddressOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "local";

    private static RateLimitPartition<string> Window(string key, int permits, TimeSpan window) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits, Window = window, QueueLimit = 0, AutoReplenishment = true,
        });

    /// <summary>
    /// Which limited kind a request is, by method and route: the API's routes and the pages' form handlers that do the
    /// same work. Reads (GET) are never limited here.
    /// </summary>
    public static string? KindOf(HttpContext context)
    {
        var request = context.Request;
        var path = (request.Path.Value ?? "").TrimEnd('/').ToLowerInvariant();
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        {
            // The one read that walks the whole hash chain (the audit page's view checks only what the newest signed
            // checkpoint does not cover; its "recompute" button is limited below).
            return path == "/api/audit/verification" ? Verification : null;
        }

        var handler = request.Query["handler"].ToString().ToLowerInvariant();
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return (request.Method.ToUpperInvariant(), path, handler, segments) switch
        {
            ("POST", "/api/auth/token", _, _) or ("POST", "/signin", "", _) => SignIn,
            // Changing one's password checks the current one: as guessable as signing in.
            ("POST", "/api/me/password", _, _) or ("POST", "/account/password", _, _) => SignIn,
            ("POST", "/api/reports", _, _) or ("POST", "/reports", "request", _) => Reports,
            ("POST", "/api/reports/verification", _, _) or ("POST", "/reports", "verify", _) => Verification,
            ("POST", "/audit", "verify", _) => Verification,
            ("PUT", "/api/fx-rates", _, _) or ("POST", "/rates", "csv", _) => Imports,
            ("POST", _, _, ["api", "grants", _, "expenditure-reports"]) => Imports,
            ("POST", _, _, ["api", "grants", _, "milestones", _, "submission"]) => Imports,
            ("POST", _, _, ["api", "grants", _, "payment-requests"]) or ("POST", _, "requestpayment", ["grants", _]) => Imports,
            ("POST", _, "csv", ["grants", _, "budget"]) or ("POST", _, "submit", ["grants", _]) => Imports,
            _ => null,
        };
    }

    /// <summary>The <c>429</c>: problem+json with a message for what was limited, and when to come back.</summary>
    public static ValueTask Reject(HttpContext context, string kind, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return new ValueTask(TooMany(kind, seconds).ExecuteAsync(context));
    }

    public static IResult TooMany(string kind, int seconds) => Problems.Create(StatusCodes.Status429TooManyRequests, "too-many-requests",
        kind switch
        {
            SignIn => "Too many sign-in attempts",
            Reports => "Too many report requests",
            Verification => "Too many verifications",
            _ => "Too many imports and uploads",
        },
        kind switch
        {
            SignIn => $"Too many sign-in attempts from here or for this e-mail address. Try again in {seconds} seconds.",
            Reports => $"You asked for many reports in a short time. Wait {seconds} seconds before asking for another.",
            Verification => $"You asked for many verifications in a short time. Wait {seconds} seconds before asking for another.",
            _ => $"You sent many imports or uploads in a short time. Wait {seconds} seconds before sending another.",
        });
}

/// <summary>
/// The rate limiting middleware asks the global limiter twice when the first attempt fails (an attempt, then a wait);
/// with chained limiters the second ask would take another permit from the limiters that still had one. This answers
/// the second ask with the first refusal.
/// </summary>
internal sealed class OncePerRequest(PartitionedRateLimiter<HttpContext> inner) : PartitionedRateLimiter<HttpContext>
{
    private static readonly object RefusedKey = new();

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => inner.GetStatistics(resource);

    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount)
    {
        var lease = inner.AttemptAcquire(resource, permitCount);
        if (!lease.IsAcquired)
        {
            resource.Items[RefusedKey] = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : (TimeSpan?)null;
        }

        return lease;
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken) =>
        resource.Items.TryGetValue(RefusedKey, out var after)
            ? ValueTask.FromResult<RateLimitLease>(new Refused(after as TimeSpan?))
            : inner.AcquireAsync(resource, permitCount, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private sealed class Refused(TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => false;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
        }
    }
}

/// <summary>
/// Sign-in's per-e-mail limit, taken by the sign-in check once it has read the e-mail (the per-address limit is the
/// global limiter's). Partitions for e-mail addresses nobody tries any more are dropped by the limiter.
/// </summary>
public sealed class SignInThrottle(IOptions<RateLimitOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perEmail = PartitionedRateLimiter.Create<string, string>(email =>
        options.Value.SignIn is { PerUser: > 0 } rule
            ? RateLimitPartition.GetFixedWindowLimiter(email, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = rule.PerUser, Window = rule.Window, QueueLimit = 0, AutoReplenishment = true,
            })
            : RateLimitPartition.GetNoLimiter(""));

    /// <summary>Null when this e-mail address may be tried now; otherwise how long until it may.</summary>
    public TimeSpan? Refusal(string normalisedEmail)
    {
        using var lease = _perEmail.AttemptAcquire(normalisedEmail);
        return lease.IsAcquired ? null
            : lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : options.Value.SignIn.Window;
    }

    public void Dispose() => _perEmail.Dispose();
}
