using GrantLedger.Domain;
using GrantLedger.Domain.Amendments;
using GrantLedger.Domain.Budgets;
using GrantLedger.Domain.Currencies;
using GrantLedger.Domain.Expenditure;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Milestones;
using GrantLedger.Domain.Programmes;
using GrantLedger.Reports.Models;
using NodaTime;

namespace GrantLedger.Reports.Tests;

/// <summary>
/// A report built from a checkpoint (the ledger folded up to an event, condensed) and the events after it must be the
/// report built from every event: the same figures, to the scale of every decimal, so the same SHA-256.
/// </summary>
public class LedgerCheckpointTests
{
    private static readonly Guid ProgrammeId = Guid.Parse("00000000-0000-4000-8000-0000000000bb");
    private static readonly Instant Start = Instant.FromUtc(2020, 4, 1, 0, 0);
    private static readonly LocalDate WindowStart = new(2020, 4, 1);
    private static readonly Money Zero = Money.Zero("EUR");

    /// <summary>
    /// A programme and six grants with budgets, tranches and a gating milestone, then 600 random steps: payments (amounts
    /// with no, one or two decimals), payments awaiting approval and their approval or rejection, reversals, reversal
    /// requests, bank returns (whole and partial), receipts in som, donor rates set and superseded, expenditure reports and
    /// reviews, amount changes, milestone confirmations and reschedulings. One event a minute.
    /// </summary>
    private static List<RecordedEvent> History(int seed, int steps = 600)
    {
        var random = new Random(seed);
        var events = new List<RecordedEvent>();
        void Add(Guid stream, object data) => events.Add(new RecordedEvent(events.Count + 1, Start + Duration.FromMinutes(events.Count + 1), stream, data));
        Money Eur(decimal amount) => new(amount, "EUR");
        LocalDate Day() => WindowStart.PlusDays(random.Next(0, 540));
        decimal Amount() => random.Next(3) switch
        {
            0 => random.Next(1, 90) * 10m,             // scale 0
            1 => random.Next(10, 900) / 10m,           // scale 1
            _ => decimal.Round(random.Next(100, 90_000) / 100m, 2) + 0.00m, // scale 2
        };

        Add(ProgrammeId, new ProgrammeOpened(ProgrammeId, "CP-1", "Checkpoints", "EUR", Eur(10_000_000m), WindowStart, new LocalDate(2021, 9, 30), "Asia/Bishkek"));
        var grants = new List<(Guid Id, Guid Personnel, Guid Travel, Guid Milestone)>();
        for (var g = 0; g < 6; g++)
        {
            var id = new Guid(g + 1, 0, 0, new byte[8]);
            var (personnel, travel, tranche1, tranche2, milestone) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
            Add(ProgrammeId, new GrantCommitted(ProgrammeId, id, $"Grantee {g}", Eur(500_000m)));
            Add(id, new GrantAwarded(id, ProgrammeId, $"Grantee {g}", ["KG"], "Snow leopards", Eur(500_000m), WindowStart, new LocalDate(2021, 9, 30), "Asia/Bishkek"));
            Add(id, new BudgetSet(id, [new BudgetLine(personnel, "P1", "personnel", "Rangers", Eur(300_000m)),
                new BudgetLine(travel, "T1", "travel", "Field trips", Eur(200_000m))]));
            Add(id, new TrancheAdded(id, tranche1, 1, Eur(250_000m), null));
            Add(id, new TrancheAdded(id, tranche2, 2, Eur(250_000m), null));
            Add(id, new MilestonePlanned(id, milestone, "Mid-term", MilestoneKind.Interim, new LocalDate(2020, 10, 31), Start + Duration.FromDays(214), tranche2));
            grants.Add((id, personnel, travel, milestone));
        }

        var paid = grants.ToDictionary(g => g.Id, _ => new List<(Guid Id, Money Amount, LocalDate Date)>());
        var pending = grants.ToDictionary(g => g.Id, _ => new List<Guid>());
        var reports = grants.ToDictionary(g => g.Id, _ => new List<(Guid Report, Guid Entry)>());
        for (var step = 0; step < steps; step++)
        {
            var (grant, personnel, travel, milestone) = grants[random.Next(grants.Count)];
            var payments = paid[grant];
            switch (random.Next(13))
            {
                case 0 or 1 or 2 or 3:
                    var payment = (Id: Guid.NewGuid(), Amount: Eur(Amount()), Date: Day());
                    Add(grant, new DisbursementRecorded(grant, ProgrammeId, payment.Id, payment.Amount, payment.Date, $"B-{step}", null));
                    payments.Add(payment);
                    break;
                case 4:
                    var submitted = Guid.NewGuid();
                    Add(grant, new DisbursementSubmittedForApproval(grant, ProgrammeId, submitted, Eur(Amount()), Day(), $"B-{step}", null, null, "finance"));
                    pending[grant].Add(submitted);
                    break;
                case 5 when pending[grant].Count > 0:
                    var decided = pending[grant][0];
                    pending[grant].RemoveAt(0);
                    Add(grant, random.Next(2) == 0
                        ? new DisbursementApproved(grant, ProgrammeId, decided, Zero, "approver")
                        : new DisbursementRejected(grant, ProgrammeId, decided, Zero, "no", "approver"));
                    break;
                case 6 when payments.Count > 0:
                    var reversed = payments[random.Next(payments.Count)];
                    payments.Remove(reversed);
                    if (random.Next(2) == 0)
                    {
                        Add(grant, new ReversalRequested(grant, ProgrammeId, reversed.Id, reversed.Amount, "wrong", "finance"));
                    }

                    Add(grant, new DisbursementReversed(grant, ProgrammeId, reversed.Id, reversed.Amount, "wrong"));
                    break;
                case 7 when payments.Count > 0:
                    var returned = payments[random.Next(payments.Count)];
                    payments.Remove(returned);
                    var back = random.Next(2) == 0 ? returned.Amount : Eur(decimal.Round(returned.Amount.Amount / 2, 2));
                    Add(grant, new DisbursementReturned(grant, ProgrammeId, returned.Id, back, returned.Date.PlusDays(random.Next(0, 90)), "closed", "R-1", "finance"));
                    break;
                case 8 when payments.Count > 0:
                    var received = payments[random.Next(payments.Count)];
                    Add(grant, new DisbursementReceived(grant, received.Id, new Money(received.Amount.Amount * random.Next(85, 95), "KGS")));
                    break;
                case 9:
                    Add(FxRateTable.StreamId, new FxRateSet("KGS", Day().ToYearMonth(), random.Next(850_000, 950_000) / 10_000m, "InforEuro"));
                    break;
                case 10:
                    var (report, entry) = (Guid.NewGuid(), Guid.NewGuid());
                    Add(grant, new ExpenditureReportSubmitted(grant, report, WindowStart, new LocalDate(2021, 9, 30),
                        [new ExpenditureEntry(entry, random.Next(2) == 0 ? personnel : travel, Day(), "Spent", random.Next(2) == 0
                            ? Eur(Amount()) : new Money(Amount() * 90, "KGS"), true, null)]));
                    reports[grant].Add((report, entry));
                    break;
                case 11 when reports[grant].Count > 0:
                    var (reviewed, reviewedEntry) = reports[grant][random.Next(reports[grant].Count)];
                    Add(grant, new ExpenditureEntriesReviewed(grant, reviewed, [new EntryReview(reviewedEntry, random.Next(3) > 0, "checked")]));
                    break;
                case 12:
                    Add(grant, random.Next(3) switch
                    {
                        0 => new MilestoneConfirmed(grant, milestone, null),
                        1 => new MilestoneRescheduled(grant, milestone, Day(), Start + Duration.FromDays(400), Guid.NewGuid()),
                        _ => new GrantAmountChanged(grant, ProgrammeId, Eur(500_000m), Eur(500_000m + Amount()), Guid.NewGuid()),
                    });
                    break;
            }
        }

        return events;
    }

    private static (string Financial, string Milestones, long Position) Reports(LedgerState state) =>
        (ReportModels.Hash(ReportModels.ProgrammeFinancial(state, ProgrammeId, Start)), ReportModels.Hash(ReportModels.MilestoneStatus(state, ProgrammeId, Start)),
            state.Position);

    /// <summary>Folds on from the checkpoint, as the ledger does: the events after it, then held-back grants from their streams.</summary>
    private static LedgerState Resumed(LedgerCheckpoint checkpoint, IReadOnlyList<RecordedEvent> upTo, long after)
    {
        var state = checkpoint.FoldOn(upTo.Where(e => e.Sequence > after), out var heldBack);
        return heldBack.Count == 0 ? state : LedgerCheckpoint.Refolded(state, heldBack, upTo.Where(e => heldBack.Contains(e.StreamId)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void from_every_checkpoint_the_programme_and_milestone_reports_are_the_ones_from_every_event(int seed)
    {
        var events = History(seed);

        for (var at = 0; at <= events.Count; at += 37)
        {
            var checkpoint = LedgerCheckpoint.Of(LedgerState.Fold(events.Take(at)));
            Assert.Equal(Reports(LedgerState.Fold(events)), Reports(Resumed(checkpoint, events, at)));
        }
    }

    [Fact]
    public void checkpoints_taken_one_from_the_other_give_the_reports_from_every_event_at_each()
    {
        var events = History(seed: 4, steps: 900);
        var checkpoint = LedgerCheckpoint.Of(LedgerState.Empty);
        var previous = 0;

        for (var at = 50; at <= events.Count; at += 50)
        {
            var upTo = events.Take(at).ToList();
            checkpoint = LedgerCheckpoint.Of(Resumed(checkpoint, upTo, previous));
            previous = at;
            Assert.Equal(Reports(LedgerState.Fold(upTo)), Reports(checkpoint.State));
        }
    }

    [Fact]
    public void a_checkpoint_keeps_one_payment_per_month_and_a_reversal_after_it_folds_its_grant_again()
    {
        var grant = new Guid(1, 0, 0, new byte[8]);
        var events = History(seed: 5, steps: 0);
        var first = Guid.NewGuid();
        events.Add(new RecordedEvent(events.Count + 1, Start, grant, new DisbursementRecorded(grant, ProgrammeId, first, new Money(1_000m, "EUR"), new LocalDate(2020, 5, 4), "B-1", null)));
        events.Add(new RecordedEvent(events.Count + 1, Start, grant, new DisbursementRecorded(grant, ProgrammeId, Guid.NewGuid(), new Money(500.50m, "EUR"), new LocalDate(2020, 5, 20), "B-2", null)));
        var checkpoint = LedgerCheckpoint.Of(LedgerState.Fold(events));
        var reversal = new RecordedEvent(events.Count + 1, Start, grant, new DisbursementReversed(grant, ProgrammeId, first, new Money(1_000m, "EUR"), "wrong"));

        var condensed = Assert.Single(checkpoint.Grants[grant].Disbursements);
        var state = checkpoint.FoldOn([reversal], out var heldBack);

        Assert.Equal(1_500.50m, condensed.Amount.Amount);
        Assert.Equal([grant], heldBack);
        Assert.Same(checkpoint.Grants[grant], state.Grants[grant]);
        Assert.Equal(500.50m, LedgerCheckpoint.Refolded(state, heldBack, [.. events, reversal]).Grants[grant].Disbursed.Amount);
    }
}
