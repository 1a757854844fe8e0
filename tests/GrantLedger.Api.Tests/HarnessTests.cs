using NodaTime;
using NodaTime.Testing;

namespace GrantLedger.Api.Tests;

/// <summary>The harness the other tests stand on: a known clock for every test, and waits that fail when nothing happens.</summary>
public class HarnessTests
{
    [Fact]
    public void every_test_class_of_the_shared_collection_starts_each_test_at_the_start_of_time()
    {
        var shared = typeof(LedgerHost).Assembly.GetTypes()
            .Where(t => t.GetCustomAttributesData().Any(a => a.AttributeType == typeof(CollectionAttribute) &&
                a.ConstructorArguments.FirstOrDefault().Value as string == LedgerCollection.Name))
            .ToList();

        Assert.NotEmpty(shared);
        Assert.All(shared, t => Assert.True(t.IsSubclassOf(typeof(FromStartOfTime)),
            $"{t.Name} shares the ledger's clock: derive it from {nameof(FromStartOfTime)} so its tests start from a known instant."));
    }

    [Fact]
    public async Task a_test_starts_at_the_start_of_time_whatever_the_test_before_did_with_the_clock()
    {
        var clock = new FakeClock(Instant.FromUtc(2031, 1, 1, 0, 0)) { AutoAdvance = Duration.FromDays(1) };

        await new SomeLedgerTests(clock).InitializeAsync();

        Assert.Equal(LedgerHost.StartOfTime, clock.GetCurrentInstant());
        Assert.Equal(LedgerHost.StartOfTime, clock.GetCurrentInstant()); // and it stands still until the test moves it
    }

    [Fact]
    public async Task eventually_fails_naming_the_condition_and_the_last_value_when_the_condition_never_holds()
    {
        var looks = 0;

        var failure = await Assert.ThrowsAsync<TimeoutException>(() =>
            LedgerHost.Eventually(() => Task.FromResult(++looks), n => n < 0, seconds: 1));

        Assert.Contains("n => n < 0", failure.Message);
        Assert.Contains($"The last value was: {looks}", failure.Message);
        // How many looks fit in the second depends on the machine's load; the message counts them all.
        Assert.Contains($"({looks} looks)", failure.Message);
    }

    [Fact]
    public async Task eventually_returns_the_first_value_for_which_the_condition_holds()
    {
        var looks = 0;

        var value = await LedgerHost.Eventually(() => Task.FromResult(++looks), n => n == 3, seconds: 10);

        Assert.Equal(3, value);
    }

    private sealed class SomeLedgerTests(FakeClock clock) : FromStartOfTime(clock);
}
