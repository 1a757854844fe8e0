using GrantLedger.Api.Http;
using Wolverine.Http;

namespace GrantLedger.Api.Configuration;

public static class HttpConfiguration
{
    public static WebApplicationBuilder AddGrantLedgerHttp(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.AddCodeAndCorrelation);
        builder.Services.AddEndpointsApiExplorer();
        builder.Services.AddOpenApi();
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
        });
        // Evidence uploads: several files of up to 20 MB each; each file's own limit is checked by the endpoint.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 210 * 1024 * 1024);
        builder.Services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(f => f.MultipartBodyLengthLimit = 210 * 1024 * 1024);
        return builder;
    }

    public static WebApplication UseGrantLedgerHttp(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseMiddleware<ProblemMiddleware>();
        app.UseStaticFiles();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();
        app.MapOpenApi().AllowAnonymous();
        app.MapRazorPages();
        // Every endpoint requires a signed-in user unless it says [AllowAnonymous]; each also names its policy.
        app.MapWolverineEndpoints(o => o.RequireAuthorizeOnAll());
        return app;
    }
}
