using System.Security.Cryptography;
using System.Text;
using GrantLedger.Api.Health;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace GrantLedger.Api.Operations;

/// <summary>
/// What operators see (docs/operations.md, "Telemetry", ADR 0016): OpenTelemetry traces and metrics from ASP.NET Core,
/// Wolverine, Marten, Npgsql, the .NET runtime and the ledger itself; OTLP export when the standard <c>OTEL_*</c>
/// variables name an endpoint; <c>/metrics</c> for Prometheus behind a scrape token; JSON console logs in Production with
/// the trace id and correlation id on every line; readiness and liveness.
/// </summary>
public static class TelemetryConfiguration
{
    /// <summary>The activity sources whose spans are kept: the ledger's door, Wolverine's handlers and messages, Marten.</summary>
    public static readonly string[] Sources = [LedgerMetrics.Name, "Wolverine", "Marten"];

    public static readonly string[] Meters = [LedgerMetrics.Name, "Wolverine", "Marten", "Npgsql"];

    /// <summary>Span attributes the ledger adds: the request's correlation id and the acting user's id (never an e-mail).</summary>
    public const string CorrelationAttribute = "grantledger.correlation_id";

    public const string UserAttribute = "enduser.id";

    /// <summary>Whether spans are recorded (default: when an OTLP endpoint is configured).</summary>
    public const string TracesSetting = "GrantLedger:Telemetry:Traces";

    public static WebApplicationBuilder AddGrantLedgerTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.Services.AddOptions<MetricsOptions>().Bind(configuration.GetSection(MetricsOptions.Section))
            .Validate(o => o.SampleSeconds >= 1 && o.ReadyMaxUnchainedEvents >= 1, "GrantLedger:Metrics:SampleSeconds and ReadyMaxUnchainedEvents must be positive.")
            .Validate(o => string.IsNullOrEmpty(o.ScrapeToken) || o.ScrapeToken.Length >= 16, "GrantLedger:Metrics:ScrapeToken must be at least 16 characters.")
            .ValidateOnStart();
        builder.Services.AddSingleton(Readiness.Of);

        // Logs: every line carries the trace and span id (and, from ProblemMiddleware's scope, the correlation id).
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        if (configuration.GetValue("GrantLedger:Logging:Json", builder.Environment.IsProduction()))
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
            });
        }

        // Refused input (an unreadable JSON body) at information, one line, no stack trace: QuietRefusals.cs.
        QuietRefusals.Register(builder.Services);

        var otlp = OtlpConfigured(configuration);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(configuration["OTEL_SERVICE_NAME"] ?? "grantledger", serviceInstanceId: Environment.MachineName));
        // Spans only when they go somewhere (GrantLedger:Telemetry:Traces, by default on when OTLP export is): a span for
        // every request and every SQL statement that no exporter reads cost ~5% of the app's CPU per payment (bench, 2026-12-02).
        if (configuration.GetValue(TracesSetting, otlp))
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(Sources)
                .AddAspNetCoreInstrumentation(o =>
                {
                    // Probes and scrapes every few seconds are noise, not traffic.
                    o.Filter = context => !context.Request.Path.StartsWithSegments("/health") && !context.Request.Path.StartsWithSegments("/metrics");
                    o.EnrichWithHttpResponse = (activity, response) => Tag(activity, response.HttpContext);
                })
                .AddNpgsql());
        }

        telemetry.WithMetrics(metrics => metrics
            .AddMeter(Meters)
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());
        if (otlp)
        {
            // The standard variables (OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL, _HEADERS, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES)
            // configure the exporter; traces, metrics and logs go to the collector.
            builder.Logging.AddOpenTelemetry(o =>
            {
                o.IncludeFormattedMessage = true;
                o.IncludeScopes = true;
            });
            telemetry.UseOtlpExporter();
        }

        // After OpenTelemetry's own hosted service, so the meter is listened to when the gauges announce the counters.
        builder.Services.AddSingleton<LedgerGauges>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LedgerGauges>());

        return builder;
    }

    /// <summary>OTLP export is on when any of the standard endpoint variables is set.</summary>
    public static bool OtlpConfigured(IConfiguration configuration) =>
        new[] { "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT" }
            .Any(name => !string.IsNullOrWhiteSpace(configuration[name]));

    /// <summary>The correlation id and the user's id (a GUID; never the e-mail) on a request's span.</summary>
    public static void Tag(System.Diagnostics.Activity? activity, HttpContext context)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag(CorrelationAttribute, RequestMetadata.CorrelationIdOf(context));
        if (context.User.Identity?.IsAuthenticated == true && CurrentUser.From(context.User).Id is { Length: > 0 } id)
        {
            activity.SetTag(UserAttribute, id);
        }
    }

    /// <summary>
    /// <c>/metrics</c> for Prometheus, behind <c>Authorization: Bearer {GrantLedger:Metrics:ScrapeToken}</c>: no token
    /// configured, no endpoint (404); a missing or wrong token is a 401. Compared in constant time.
    /// </summary>
    public static WebApplication UseGrantLedgerMetrics(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (!context.Request.Path.Equals("/metrics", StringComparison.OrdinalIgnoreCase))
            {
                await next(context);
                return;
            }

            var token = context.RequestServices.GetRequiredService<IOptions<MetricsOptions>>().Value.ScrapeToken;
            if (string.IsNullOrEmpty(token))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            var sent = context.Request.Headers.Authorization.ToString();
            var expected = "Bearer " + token;
            if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(sent)), SHA256.HashData(Encoding.UTF8.GetBytes(expected))))
            {
                context.Response.Headers.WWWAuthenticate = "Bearer realm=\"metrics\"";
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            await next(context);
        });
        app.UseOpenTelemetryPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
