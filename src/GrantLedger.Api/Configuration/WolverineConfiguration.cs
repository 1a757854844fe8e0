using GrantLedger.Api.Demo;
using JasperFx.CodeGeneration;
using NodaTime;
using Wolverine;
using Wolverine.Http;
using Wolverine.RuntimeCompilation;

namespace GrantLedger.Api.Configuration;

public static class WolverineConfiguration
{
    public static WebApplicationBuilder AddGrantLedgerWolverine(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IClock>(SystemClock.Instance);

        builder.Host.UseWolverine(opts =>
        {
            opts.UseRuntimeCompilation();
            opts.CodeGeneration.TypeLoadMode = TypeLoadMode.Dynamic;
        });
        builder.Services.AddWolverineHttp();

        builder.Services.Configure<DemoOptions>(builder.Configuration.GetSection("GrantLedger:Demo"));
        builder.Services.AddHostedService<DemoSeeder>();
        return builder;
    }
}
