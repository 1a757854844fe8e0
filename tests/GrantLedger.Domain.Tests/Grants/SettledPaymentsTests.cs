using GrantLedger.Domain.Budgets;
using GrantLedger.Domain.Currencies;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using NodaTime;
using static GrantLedger.Domain.Tests.Given;

namespace GrantLedger.Domain.Tests.Grants;

/// <summary>
/// The stored grant snapshot settles old payments into sums (ADR 0018). Whatever it settles, every figure a rule,
/// page or report reads must equal the plain fold that holds every payment, after every event of a three-year history
/// with tranches, returns, receipts, reversals and four-eyes decisions, including events about payments long settled.
/// </summary>
public class SettledPaymentsTests
{
    private static readonly Instant Start = Instant.FromUtc(2020, 4, 2, 9, 0);
    private static readonly FxRateTable Rates = FxRateTable.Empty
        .Evolve(new FxRateSet("KGS", new YearMonth(2020, 5), 85m, "test"))
        .Evolve(new FxRateSet("KGS", new YearMonth(2021, 3), 90m, "test"))
        // No receipts in USD: its arrival rate is weighted by the amounts paid per month.
        .Evolve(new FxRateSet("USD", new YearMonth(2020, 6), 1.10m, "test"))
        .Evolve(new FxRateSet("USD", new YearMonth(2021, 1), 1.20m, "test"));

    [Fact]
    public void Every_figure_of_the_settling_snapshot_equals_the_fold_of_every_payment_after_every_event()
    {
        var (full, slim, checkedSteps) = Replay(History());

        Assert.True(checkedSteps > 35, $"steps {checkedSteps}");
        Assert.Equal(full.PaymentCount, slim.PaymentCount);
        // It did settle: the snapshot holds far fewer payments one by one than the grant has.
        Assert.True(slim.Settled.Count >= 20, $"settled {slim.Settled.Count}");
        Assert.True(slim.Disbursements.Count < full.Disbursements.Count / 2);
        Assert.Equal(["KGS", "USD"], BudgetVsActual.ArrivalRates(slim, Rates).Keys.Order());
    }

    [Fact]
    public void A_settled_payment_comes_back_when_an_event_is_about_it_and_settles_again_with_it()
    {
        var history = History().ToList();
        var (_, before, _) = Replay(history);
        var old = history.OfType<DisbursementRecorded>().First(p => p.BankReference == "BANK-2");
        Assert.Null(before.FindDisbursement(old.DisbursementId));

        var returned = new DisbursementReturned(GrantId, ProgrammeId, old.DisbursementId, Eur(old.Amount.Amount - 12.50m),
            new LocalDate(2022, 4, 20), "account closed", "RET-9", "finance");
        var (full, slim, _) = Replay([.. history, returned]);

        Assert.Equal(full.Disbursed, slim.Disbursed);
        Assert.Equal(full.Returned, slim.Returned);
        Assert.Equal(before.Settled.Count, slim.Settled.Count); // recalled, returned, settled again (still final and old)
        Assert.Null(slim.FindDisbursement(old.DisbursementId));
    }

    [Fact]
    public void A_payment_awaiting_approval_or_with_a_reversal_requested_is_never_settled()
    {
        var awarded = Awarded(80_000m);
        var waiting = new DisbursementSubmittedForApproval(GrantId, ProgrammeId, Guid.NewGuid(), Eur(20_000m), new LocalDate(2020, 5, 1),
            "BANK-W", null, null, "finance-1", Start);
        var paid = Paid(100m) with { RecordedAt = Start };
        var questioned = new ReversalRequested(GrantId, ProgrammeId, paid.DisbursementId, paid.Amount, "wrong grant", "finance-1");
        var muchLater = Paid(50m) with { RecordedAt = Start + Duration.FromDays(800) };

        var grant = new object[] { waiting, paid, questioned, muchLater }
            .Aggregate(Domain.Grants.Grant.Start(awarded), (g, e) => g.Evolve(e).Settle());

        Assert.NotNull(grant.FindDisbursement(waiting.DisbursementId));
        Assert.NotNull(grant.FindDisbursement(paid.DisbursementId));
        Assert.Equal(0, grant.Settled.Count);
    }

    /// <summary>Folds the history twice, as the plain fold and as the stored snapshot does (recall, evolve, settle), and
    /// compares every figure after each event.</summary>
    private static (Domain.Grants.Grant Full, Domain.Grants.Grant Slim, int Steps) Replay(IEnumerable<object> history)
    {
        var events = history.ToList();
        var full = Domain.Grants.Grant.Start((GrantAwarded)events[0]);
        var slim = full;
        var steps = 0;
        foreach (var e in events.Skip(1))
        {
            if (e is IPaymentEvent about and not (DisbursementRecorded or DisbursementSubmittedForApproval)
                && slim.FindDisbursement(about.DisbursementId) is null)
            {
                slim = slim.Recall(full.FindDisbursement(about.DisbursementId)!);
            }

            full = full.Evolve(e);
            slim = slim.Evolve(e);
            if (e is IPaymentEvent)
            {
                slim = slim.Settle();
            }

            AssertSameFigures(full, slim, e);
            steps++;
        }

        return (full, slim, steps);
    }

    private static void AssertSameFigures(Domain.Grants.Grant full, Domain.Grants.Grant slim, object after)
    {
        var what = $"after {after.GetType().Name}";
        Assert.True(full.Disbursed == slim.Disbursed, $"disbursed {what}");
        Assert.True(full.Returned == slim.Returned, $"returned {what}");
        Assert.True(full.Reserved == slim.Reserved, $"reserved {what}");
        Assert.True(full.Remaining == slim.Remaining, $"remaining {what}");
        Assert.True(full.PaymentCount == slim.PaymentCount, $"count {what}");
        foreach (var tranche in full.Tranches)
        {
            Assert.True(full.PaidAgainst(tranche.Id) == slim.PaidAgainst(tranche.Id), $"paid against {tranche.Number} {what}");
            Assert.True(full.CommittedAgainst(tranche.Id) == slim.CommittedAgainst(tranche.Id), $"committed against {tranche.Number} {what}");
        }

        if (full.LastPaymentAt is { } latest)
        {
            foreach (var days in new[] { 1, 30, 366 })
            {
                var since = latest - Duration.FromDays(days);
                Assert.True(full.CommittedSince(since) == slim.CommittedSince(since), $"committed in {days} days {what}");
            }
        }

        var rates = BudgetVsActual.ArrivalRates(full, Rates);
        Assert.Equal(rates, BudgetVsActual.ArrivalRates(slim, Rates));
    }

    /// <summary>Three years of a grant: a payment a month in two tranches, some approved by a second person, one rejected,
    /// one reversed, one partly returned, receipts confirmed in KGS, and corrections of old payments.</summary>
    private static IEnumerable<object> History()
    {
        yield return Awarded(80_000m, end: new LocalDate(2023, 12, 31));
        yield return TrancheOf(Tranche1, 1, 40_000m);
        yield return TrancheOf(Tranche2, 2, 40_000m);
        var paid = new List<DisbursementRecorded>();
        for (var month = 0; month < 40; month++)
        {
            var at = Start + Duration.FromDays(30 * month);
            var valueDate = new LocalDate(2020, 4, 2).PlusMonths(month);
            var tranche = month < 20 ? Tranche1 : Tranche2;
            if (month % 7 == 3)
            {
                var waiting = new DisbursementSubmittedForApproval(GrantId, ProgrammeId, Guid.NewGuid(), Eur(2_000m), valueDate, $"BANK-{month}",
                    null, tranche, "finance-1", at, FourEyesRule.SinglePayment);
                yield return waiting;
                yield return month == 10
                    ? new DisbursementRejected(GrantId, ProgrammeId, waiting.DisbursementId, waiting.Amount, "duplicate", "approver-1")
                    : new DisbursementApproved(GrantId, ProgrammeId, waiting.DisbursementId, waiting.Amount, "approver-1");
                continue;
            }

            var payment = new DisbursementRecorded(GrantId, ProgrammeId, Guid.NewGuid(), Eur(1_000m + month), valueDate, $"BANK-{month}", null,
                tranche, at);
            paid.Add(payment);
            yield return payment;
            if (month % 4 == 1)
            {
                yield return new DisbursementReceived(GrantId, payment.DisbursementId, new Money(85_000m + month, "KGS"), $"STMT-{month}");
            }

            if (month == 6)
            {
                yield return Reversed(payment);
            }

            if (month == 8)
            {
                yield return new DisbursementReturned(GrantId, ProgrammeId, payment.DisbursementId, Eur(900m), valueDate.PlusDays(20), "closed", null, "finance");
            }

            if (month == 20)
            {
                // Corrections of payments settled a long time ago: a receipt, a reversal asked and approved.
                yield return new DisbursementReceived(GrantId, paid[2].DisbursementId, new Money(86_000m, "KGS"), "STMT-LATE");
                yield return new ReversalRequested(GrantId, ProgrammeId, paid[4].DisbursementId, paid[4].Amount, "paid twice", "finance-1");
                yield return new ReversalApproved(GrantId, ProgrammeId, paid[4].DisbursementId, paid[4].Amount, "approver-1");
                yield return Reversed(paid[4], "paid twice");
            }
        }
    }
}
