using GrantLedger.Api.Identity;
using GrantLedger.Api.Http;
using GrantLedger.Api.Operations;
using Microsoft.AspNetCore.WebUtilities;
using Wolverine.Http;

namespace GrantLedger.Api.Configuration;

public static class HttpConfiguration
{
    public static WebApplicationBuilder AddGrantLedgerHttp(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.AddCodeAndCorrelation);
        builder.Services.AddEndpointsApiExplorer();
        builder.Services.AddGrantLedgerOpenApi();
        builder.AddGrantLedgerWebHardening();
        if (!builder.Environment.IsProduction())
        {
            // Serve wwwroot from the project when running from the build output (tests); a publish copies it.
            builder.WebHost.UseStaticWebAssets();
        }

        builder.Services.AddRazorPages(o =>
        {
            // Every page needs a signed-in user unless it says otherwise (the sign-in page).
            o.Conventions.AuthorizeFolder("/");
            o.Conventions.AllowAnonymousToPage("/SignIn");
            // A session signed in with a one-time password has no roles; this page is the one thing it may use.
            o.Conventions.AllowAnonymousToPage("/Account/Password");
        });
        // A JSON command's cap everywhere; RequestBodyLimits raises it per request for the endpoints that take files or CSV
        // (InputLimits, docs/api.md "Limits"). Forms: few fields, each value no larger than a JSON command.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = InputLimits.JsonBody);
        builder.Services.AddOptions<Microsoft.AspNetCore.Http.Features.FormOptions>()
            .Configure<Microsoft.Extensions.Options.IOptions<GrantLedger.Api.Milestones.MilestoneOptions>>((f, milestones) =>
            {
                f.MultipartBodyLengthLimit = RequestBodyLimits.EvidenceBody(milestones.Value);
                f.ValueCountLimit = InputLimits.FormValues;
                f.ValueLengthLimit = (int)InputLimits.JsonBody;
            });
        // The publisher and codes of the IATI activity file (docs/exports.md).
        builder.Services.Configure<GrantLedger.Reports.Interchange.IatiSettings>(builder.Configuration.GetSection("GrantLedger:Iati"));
        builder.Services.AddOptions<GrantLedger.Reports.Interchange.ChartOfAccounts>()
            .Bind(builder.Configuration.GetSection("GrantLedger:Journal:Accounts"))
            .Validate(chart => chart.All.All(a => a.Account.Code.Trim().Length is > 0 and <= 32 && a.Account.Name.Length <= 120),
                "Every account of GrantLedger:Journal:Accounts needs a code (1-32 characters) and a name of at most 120.")
            .ValidateOnStart();
        return builder;
    }

    public static WebApplication UseGrantLedgerHttp(this WebApplication app)
    {
        // Forwarded scheme and address from known proxies only; CSP, nosniff, no framing, same-origin referrer on every
        // answer (WebHardening.cs); HSTS in Production.
        app.UseGrantLedgerWebHardening();
        // /metrics for Prometheus, behind its scrape token (Operations/TelemetryConfiguration.cs, docs/operations.md "Metrics").
        app.UseGrantLedgerMetrics();
        if (app.Environment.IsProduction())
        {
            app.UseHsts();
        }

        app.UseExceptionHandler();
        app.UseMiddleware<ProblemMiddleware>();
        app.UseRequestBodyLimits();
        app.UseStaticFiles();
        // API callers get problem+json; people in a browser get a page they can read.
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            if (http.Request.Path.StartsWithSegments("/api") || http.Request.Path.StartsWithSegments("/health") ||
                http.Request.Headers.Accept.ToString().Contains("json", StringComparison.OrdinalIgnoreCase))
            {
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = { Status = http.Response.StatusCode, Title = ReasonPhrases.GetReasonPhrase(http.Response.StatusCode) },
                });
                return;
            }

            http.Response.ContentType = "text/html; charset=utf-8";
            var message = http.Response.StatusCode switch
            {
                StatusCodes.Status404NotFound => "There is nothing here, or it is not yours to see.",
                StatusCodes.Status403Forbidden => "Your role does not allow this.",
                _ => "Something went wrong.",
            };
            await http.Response.WriteAsync($"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{http.Response.StatusCode}</title>" +
                $"<link rel=\"stylesheet\" href=\"/site.css\"></head><body><main><h1>{message}</h1><p><a href=\"/\">Back to GrantLedger</a></p></main></body></html>");
        });
        app.UseAuthentication();
        app.UseGrantLedgerPasswordChangeGate();
        app.UseGrantLedgerLocalization();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();
        // The API's description is for signed-in callers in Production; elsewhere (development, the contract tests) open.
        var openApi = app.MapOpenApi();
        if (app.Environment.IsProduction())
        {
            openApi.RequireAuthorization();
        }
        else
        {
            openApi.AllowAnonymous();
        }

        app.MapRazorPages();
        // Every endpoint requires a signed-in user unless it says [AllowAnonymous]; each also names its policy.
        // A query value that does not parse (?page=abc, ?grantId=42) is a 400, not a silently dropped filter.
        app.MapWolverineEndpoints(o =>
        {
            o.RequireAuthorizeOnAll();
            o.RejectUnparseableQueryValues = true;
        });
        return app;
    }
}
