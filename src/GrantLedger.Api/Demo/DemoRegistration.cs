namespace GrantLedger.Api.Demo;

public static class DemoRegistration
{
    /// <summary>The demo settings (<c>GrantLedger:Demo</c>) and the seeder, which does nothing unless <c>Seed</c> is on.</summary>
    public static IServiceCollection AddDemo(this IServiceCollection services, IConfiguration configuration) =>
        services.Configure<DemoOptions>(configuration.GetSection("GrantLedger:Demo"))
            .AddHostedService<DemoSeeder>();
}
