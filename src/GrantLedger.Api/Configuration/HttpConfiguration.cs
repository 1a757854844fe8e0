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
        return builder;
    }

    public static WebApplication UseGrantLedgerHttp(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseMiddleware<ProblemMiddleware>();
        app.UseStatusCodePages();
        app.MapOpenApi();
        app.MapWolverineEndpoints();
        return app;
    }
}
