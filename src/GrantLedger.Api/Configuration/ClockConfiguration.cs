using NodaTime;

namespace GrantLedger.Api.Configuration;

/// <summary>
/// The ledger's one clock. <c>GrantLedger:Clock:OffsetSeconds</c> shifts it by a fixed amount, for drills only: the
/// reliability suite uses it to put a milestone deadline a few seconds ahead and let it pass while the app is down.
/// Accepted only in the Testing environment (the one scripts/app.sh runs the drills in): recorded times come from
/// this clock, so anywhere else the ledger's time must be the system's time.
/// </summary>
public static class ClockConfiguration
{
    public static WebApplicationBuilder AddGrantLedgerClock(this WebApplicationBuilder builder, IClock system)
    {
        var offsetSeconds = builder.Configuration.GetValue<long?>("GrantLedger:Clock:OffsetSeconds");
        if (offsetSeconds is not null && !builder.Environment.IsEnvironment("Testing"))
        {
            throw new InvalidOperationException(
                $"GrantLedger:Clock:OffsetSeconds is for drills and is refused in {builder.Environment.EnvironmentName}: only Testing accepts it.");
        }

        builder.Services.AddSingleton<IClock>(offsetSeconds is { } seconds ? new OffsetClock(system, Duration.FromSeconds(seconds)) : system);
        return builder;
    }

    public sealed class OffsetClock(IClock inner, Duration offset) : IClock
    {
        public Instant GetCurrentInstant() => inner.GetCurrentInstant() + offset;
    }
}
