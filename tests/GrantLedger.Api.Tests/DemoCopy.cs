using Alba;
using NodaTime.Testing;

namespace GrantLedger.Api.Tests;

/// <summary>
/// The SOS Central Asia demo seeded in a schema of its own, for a test that changes the demo: the collection's demo
/// stays as README.md shows it (<see cref="DemoReadmeFiguresTests"/>).
/// </summary>
public sealed class DemoCopy : IAsyncDisposable
{
    private readonly IAlbaHost _alba;

    private DemoCopy(IAlbaHost alba, LedgerHost host) => (_alba, Host) = (alba, host);

    public LedgerHost Host { get; }

    public static async Task<DemoCopy> Seed(string schema)
    {
        var clock = new FakeClock(LedgerHost.StartOfTime);
        var alba = await LedgerHost.StartEmpty(schema, clock);
        var host = await LedgerHost.Wrap(alba, clock);
        await host.SeedDemo();
        return new DemoCopy(alba, host);
    }

    public async ValueTask DisposeAsync()
    {
        Host.Client.Dispose();
        await _alba.DisposeAsync();
    }
}
