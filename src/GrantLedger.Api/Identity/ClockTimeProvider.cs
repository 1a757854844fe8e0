using NodaTime;

namespace GrantLedger.Api.Identity;

/// <summary>Lets ASP.NET Core's token and cookie expiry run on the ledger's <see cref="IClock"/>.</summary>
public sealed class ClockTimeProvider(IClock clock) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => clock.GetCurrentInstant().ToDateTimeOffset();
}
