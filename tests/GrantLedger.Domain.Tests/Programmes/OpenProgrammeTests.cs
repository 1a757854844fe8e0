using GrantLedger.Domain.Programmes;
using NodaTime;

namespace GrantLedger.Domain.Tests.Programmes;

public class OpenProgrammeTests
{
    private static OpenProgramme Command(decimal allocation = 220_000m, LocalDate? end = null) =>
        new(Given.ProgrammeId, "SOS-CA-1", "SOS Central Asia", "EUR", allocation, Given.WindowStart,
            end ?? Given.WindowEnd, "Asia/Bishkek");

    [Fact]
    public void opening_records_allocation_and_window()
    {
        var opened = OpenProgrammeDecision.Decide(Command()).Value;

        Assert.Equal(Given.Eur(220_000m), opened.Allocation);
        Assert.Equal(new LocalDate(2020, 4, 1), opened.WindowStart);
        Assert.Equal(new LocalDate(2021, 9, 30), opened.WindowEnd);
    }

    [Fact]
    public void a_window_ending_before_it_starts_is_refused() =>
        Assert.Equal("invalid-window", Given.CodeOf(OpenProgrammeDecision.Decide(Command(end: new LocalDate(2020, 3, 31)))));

    [Fact]
    public void a_zero_allocation_is_refused() =>
        Assert.Equal("invalid-amount", Given.CodeOf(OpenProgrammeDecision.Decide(Command(allocation: 0m))));
}
