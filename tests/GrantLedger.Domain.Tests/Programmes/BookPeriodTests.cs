using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using NodaTime;

namespace GrantLedger.Domain.Tests.Programmes;

public class BookPeriodTests
{
    private static readonly LocalDate Today = new(2020, 7, 15);

    private static Programme Closed(params int[] months) =>
        months.Aggregate(Given.Programme(Given.Opened()),
            (p, m) => p.Evolve(BookPeriodDecisions.Close(p, new ClosePeriod(new YearMonth(2020, m), null, "finance"), Today).Value));

    [Fact]
    public void a_closed_month_refuses_payments_dated_in_it_and_not_the_month_after()
    {
        var programme = Closed(5);
        var grant = Given.Grant(Given.Awarded(70_000m));
        RecordDisbursement Pay(LocalDate on) => new(Guid.NewGuid(), 1_000m, null, on, "BANK-9", null);

        var may = RecordDisbursementDecision.Decide(grant, programme.Window, Pay(new LocalDate(2020, 5, 31)), GranteeHold.None, books: programme.Books);
        var june = RecordDisbursementDecision.Decide(grant, programme.Window, Pay(new LocalDate(2020, 6, 1)), GranteeHold.None, books: programme.Books);

        Assert.Equal("period-closed", Given.CodeOf(may));
        Assert.True(june.IsSuccess);
        Assert.Equal(["2020-05"], programme.ClosedMonths);
    }

    [Theory]
    [InlineData(7, "period-not-ended")]
    [InlineData(8, "period-not-ended")]
    [InlineData(3, "period-outside-window")]
    public void only_a_month_that_is_over_and_in_the_window_can_be_closed(int month, string code)
    {
        var programme = Given.Programme(Given.Opened());

        Assert.Equal(code, Given.CodeOf(BookPeriodDecisions.Close(programme, new ClosePeriod(new YearMonth(2020, month), null, "finance"), Today)));
    }

    [Fact]
    public void a_month_cannot_be_closed_twice()
    {
        Assert.Equal("period-already-closed",
            Given.CodeOf(BookPeriodDecisions.Close(Closed(5), new ClosePeriod(new YearMonth(2020, 5), null, "finance"), Today)));
    }

    [Fact]
    public void reopening_takes_a_second_person_and_reopens_only_that_month()
    {
        var programme = Closed(4, 5);
        var id = Guid.NewGuid();
        programme = programme.Evolve(BookPeriodDecisions.RequestReopening(programme,
            new RequestPeriodReopening(id, new YearMonth(2020, 5), "Late bank statement", "finance")).Value);

        var own = BookPeriodDecisions.DecideReopening(programme, new DecidePeriodReopening(id, true, "finance"));
        var second = BookPeriodDecisions.DecideReopening(programme, new DecidePeriodReopening(id, true, "approver")).Value;
        var after = programme.Evolve(second);

        Assert.Equal("same-person-approval", Given.CodeOf(own));
        Assert.IsType<PeriodReopened>(second);
        Assert.Equal(["2020-04"], after.ClosedMonths);
        Assert.Equal("not-awaiting-approval", Given.CodeOf(BookPeriodDecisions.DecideReopening(after, new DecidePeriodReopening(id, true, "approver2"))));
    }

    [Fact]
    public void a_rejected_reopening_leaves_the_month_closed()
    {
        var programme = Closed(5);
        var id = Guid.NewGuid();
        programme = programme.Evolve(BookPeriodDecisions.RequestReopening(programme,
            new RequestPeriodReopening(id, new YearMonth(2020, 5), "Late bank statement", "finance")).Value);

        var after = programme.Evolve(BookPeriodDecisions.DecideReopening(programme, new DecidePeriodReopening(id, false, "finance", "Book it in June")).Value);

        Assert.Equal(["2020-05"], after.ClosedMonths);
        Assert.Equal(ReopeningStatus.Rejected, Assert.Single(after.Reopenings).Status);
    }

    [Fact]
    public void an_open_month_cannot_be_reopened_and_one_request_at_a_time()
    {
        var programme = Closed(5);
        Assert.Equal("period-not-closed", Given.CodeOf(BookPeriodDecisions.RequestReopening(programme,
            new RequestPeriodReopening(Guid.NewGuid(), new YearMonth(2020, 6), "x", "finance"))));

        programme = programme.Evolve(BookPeriodDecisions.RequestReopening(programme,
            new RequestPeriodReopening(Guid.NewGuid(), new YearMonth(2020, 5), "x", "finance")).Value);

        Assert.Equal("reopening-pending", Given.CodeOf(BookPeriodDecisions.RequestReopening(programme,
            new RequestPeriodReopening(Guid.NewGuid(), new YearMonth(2020, 5), "y", "approver"))));
    }
}
