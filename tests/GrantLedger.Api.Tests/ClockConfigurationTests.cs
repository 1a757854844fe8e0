using GrantLedger.Api.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace GrantLedger.Api.Tests;

/// <summary>The drill setting that shifts the ledger's clock (chaos.sh's durable-schedule scenario) must never reach production.</summary>
public class ClockConfigurationTests
{
    private static readonly Instant Now = Instant.FromUtc(2025, 3, 31, 23, 59, 30);

    [Fact]
    public void Without_an_offset_the_ledger_reads_the_system_clock()
    {
        var clock = Build("Testing", offsetSeconds: null);

        Assert.Equal(Now, clock.GetCurrentInstant());
    }

    [Fact]
    public void An_offset_shifts_the_ledger_clock_in_a_drill()
    {
        var clock = Build("Testing", offsetSeconds: "86400");

        Assert.Equal(Now + Duration.FromDays(1), clock.GetCurrentInstant());
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Development")]
    [InlineData("Staging")]
    public void An_offset_is_refused_outside_the_testing_environment(string environment)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Build(environment, offsetSeconds: "60"));

        Assert.Contains($"refused in {environment}", error.Message);
    }

    private static IClock Build(string environment, string? offsetSeconds)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        if (offsetSeconds is not null)
        {
            builder.Configuration["GrantLedger:Clock:OffsetSeconds"] = offsetSeconds;
        }

        builder.AddGrantLedgerClock(new FakeClock(Now));
        using var services = builder.Services.BuildServiceProvider();
        return services.GetRequiredService<IClock>();
    }
}
