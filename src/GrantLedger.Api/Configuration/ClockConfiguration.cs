using NodaTime;

namespace GrantLedger.Api.Configuration;

/// <summary>
/// The ledger's one clock. <c>GrantLedger:Clock:OffsetSeconds</c> shifts it by a fixed amount, for drills only: the
/// reliability suite uses it to put a milestone deadline a few seconds ahead and let it pass while the app is down.
/// Refused in Production, where the ledger's time is the system's time.
/// </summary>
public static class ClockConfiguration
{
    public static WebApplicationBuilder AddGrantLedgerClock(this WebApplicationBuilder builder, IClock system)
    {
        var offsetSeconds = builder.Configuration.GetValue<long?>("GrantLedger:Clock:OffsetSeconds");
        if (offsetSeconds is not null && builder.Environment.IsProduction())
        {
            throw new InvalidOperationException("GrantLedger:Clock:OffsetSeconds is for drills and is refused in Production.");
        }

        builder.Services.AddSingleton<IClock>(offsetSeconds is { } seconds ? new OffsetClock(system, Duration.FromSeconds(seconds)) : system);
        return builder;
    }

    public sealed class OffsetClock(IClock inner, Duration offset) : IClock
    {
        public Instant GetCurrentInstant() => inner.GetCurrentInstant() + offset;
    }
}
