using NodaTime;
using NodaTime.Testing;

namespace GrantLedger.Api.Tests;

/// <summary>
/// A test class of the shared <see cref="LedgerCollection"/>: every test starts with the host's clock at
/// <see cref="LedgerHost.StartOfTime"/>, whatever the test before did with it. xunit runs the tests of one collection
/// one at a time and calls <see cref="InitializeAsync"/> before each, so a test may move the clock freely.
/// </summary>
public abstract class FromStartOfTime(FakeClock clock) : IAsyncLifetime
{
    public virtual Task InitializeAsync()
    {
        clock.AutoAdvance = Duration.Zero;
        clock.Reset(LedgerHost.StartOfTime);
        return Task.CompletedTask;
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;
}
