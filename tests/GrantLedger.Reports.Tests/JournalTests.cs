using GrantLedger.Domain;
using GrantLedger.Domain.Amendments;
using GrantLedger.Domain.Currencies;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using GrantLedger.Reports.Interchange;
using GrantLedger.Reports.Models;
using NodaTime;

namespace GrantLedger.Reports.Tests;

/// <summary>The journal for the books: given the ledger's events, which balanced entries an accountant receives.</summary>
public class JournalTests
{
    private static readonly Guid ProgrammeId = Guid.NewGuid();
    private static readonly Guid GrantId = Guid.NewGuid();
    private static readonly Guid OrganisationId = Guid.NewGuid();
    private static readonly ChartOfAccounts Chart = new();
    private static readonly LocalDate Start = new(2020, 4, 1);

    private static Money Eur(decimal amount) => new(amount, "EUR");

    /// <summary>Events in store order; each recorded a day after the previous at 20:00 UTC (02:00 the next day in Bishkek).</summary>
    private static List<RecordedEvent> Recorded(params object[] events) =>
        [.. events.Select((data, i) => new RecordedEvent(i + 1, Instant.FromUtc(2020, 4, 1, 20, 0) + Duration.FromDays(i), data is FxRateSet
            ? FxRateTable.StreamId
            : data is ProgrammeOpened or GrantCommitted or GrantCommitmentReleased or GrantCommitmentChanged ? ProgrammeId : GrantId, data, Guid.NewGuid()))];

    private static object[] Awarded(decimal amount) =>
    [
        new ProgrammeOpened(ProgrammeId, "SOS-CA-1", "SOS Central Asia", "EUR", Eur(220_000m), Start, new LocalDate(2021, 9, 30), "Asia/Bishkek"),
        new GrantCommitted(ProgrammeId, GrantId, "Snow Leopard Trust", Eur(amount)),
        new GrantAwarded(GrantId, ProgrammeId, "Snow Leopard Trust", ["KG"], "Herders", Eur(amount), Start, new LocalDate(2021, 9, 30),
            "Asia/Bishkek", OrganisationId),
    ];

    private static List<JournalEntry> Journal(params object[] events) => [.. Interchange.Journal.Entries(Recorded(events), Chart)];

    private static (string Debit, string Credit, decimal Amount) Posting(JournalEntry entry) =>
        (entry.Lines.Single(l => l.Debit > 0m).Account.Code, entry.Lines.Single(l => l.Credit > 0m).Account.Code, entry.Debits);

    [Fact]
    public void an_award_a_payment_a_reversal_and_a_return_are_four_balanced_entries_with_the_usual_accounts()
    {
        var (paid, wrong) = (Guid.NewGuid(), Guid.NewGuid());
        var journal = Journal([.. Awarded(80_000m),
            new DisbursementRecorded(GrantId, ProgrammeId, paid, Eur(32_000m), new LocalDate(2020, 5, 4), "SWIFT-1", null),
            new DisbursementRecorded(GrantId, ProgrammeId, wrong, Eur(2_500m), new LocalDate(2020, 5, 6), "SWIFT-2", null),
            new DisbursementReversed(GrantId, ProgrammeId, wrong, Eur(2_500m), "Keyed twice"),
            new DisbursementReturned(GrantId, ProgrammeId, paid, Eur(31_980m), new LocalDate(2020, 5, 20), "Beneficiary account closed", "RET-9", "finance")]);

        Assert.Equal([JournalKind.Commitment, JournalKind.Disbursement, JournalKind.Disbursement, JournalKind.Reversal, JournalKind.Return],
            journal.Select(e => e.Kind));
        Assert.All(journal, e => Assert.Equal(e.Debits, e.Credits));
        Assert.All(journal, e => Assert.Equal(2, e.Lines.Count));
        Assert.Equal([("5100", "2100", 80_000m), ("2100", "1010", 32_000m), ("2100", "1010", 2_500m), ("1010", "2100", 2_500m), ("1010", "2100", 31_980m)],
            journal.Select(Posting));
        // Each line traces back to its event; the commitment carries the organisation the award names.
        Assert.Equal([2L, 4, 5, 6, 7], journal.Select(e => e.Sequence));
        Assert.Equal(OrganisationId, journal[0].OrganisationId);
        Assert.All(journal, e => Assert.NotEqual(Guid.Empty, e.EventId));
        // What left the bank net: 32,000 + 2,500 − 2,500 − 31,980.
        var bank = journal.SelectMany(e => e.Lines).Where(l => l.Account.Code == "1010").Sum(l => l.Credit - l.Debit);
        Assert.Equal(20.00m, bank);
    }

    [Fact]
    public void a_payment_is_booked_on_its_value_date_a_reversal_on_the_day_it_is_made_in_the_programmes_time_zone()
    {
        var wrong = Guid.NewGuid();
        var journal = Journal([.. Awarded(80_000m),
            new DisbursementRecorded(GrantId, ProgrammeId, wrong, Eur(2_500m), new LocalDate(2020, 4, 20), "SWIFT-2", null),
            new DisbursementReversed(GrantId, ProgrammeId, wrong, Eur(2_500m), "Keyed twice")]);

        Assert.Equal(new LocalDate(2020, 4, 20), journal[1].Date);
        // Recorded 2020-04-05 20:00 UTC, which is already 2020-04-06 in Bishkek (UTC+6).
        Assert.Equal(new LocalDate(2020, 4, 6), journal[2].Date);
        Assert.Equal(wrong.ToString(), journal[2].Reference);
        Assert.Contains("2020-04-20", journal[2].Description);
    }

    [Fact]
    public void a_payment_awaiting_approval_is_booked_only_when_approved_and_on_its_value_date_and_a_rejected_one_never()
    {
        var (approved, rejected) = (Guid.NewGuid(), Guid.NewGuid());
        var journal = Journal([.. Awarded(80_000m),
            new DisbursementSubmittedForApproval(GrantId, ProgrammeId, approved, Eur(40_000m), new LocalDate(2020, 5, 4), "SWIFT-1", null, null, "finance"),
            new DisbursementSubmittedForApproval(GrantId, ProgrammeId, rejected, Eur(30_000m), new LocalDate(2020, 5, 5), "SWIFT-2", null, null, "finance"),
            new DisbursementRejected(GrantId, ProgrammeId, rejected, Eur(30_000m), "Wrong tranche", "approver"),
            new DisbursementApproved(GrantId, ProgrammeId, approved, Eur(40_000m), "approver")]);

        var payment = Assert.Single(journal, e => e.Kind == JournalKind.Disbursement);
        Assert.Equal((new LocalDate(2020, 5, 4), 40_000m, 7L), (payment.Date, payment.Debits, payment.Sequence));
    }

    [Fact]
    public void an_amended_amount_books_the_difference_and_a_rejected_award_releases_its_commitment()
    {
        var journal = Journal([.. Awarded(80_000m),
            new GrantCommitmentChanged(ProgrammeId, GrantId, Eur(80_000m), Eur(70_000m), Guid.NewGuid()),
            new GrantCommitmentReleased(ProgrammeId, GrantId, Eur(70_000m), "Not eligible")]);

        Assert.Equal([("5100", "2100", 80_000m), ("2100", "5100", 10_000m), ("2100", "5100", 70_000m)], journal.Select(Posting));
        Assert.Equal(0m, journal.SelectMany(e => e.Lines).Where(l => l.Account.Code == "2100").Sum(l => l.Credit - l.Debit));
    }

    [Theory]
    [InlineData(3_300_000, "1410", "7910", 1_428.57)] // 3,300,000 KGS at 86 per EUR is 38,372.09 EUR for 36,943.52 paid
    [InlineData(3_100_000, "7920", "1410", 897.01)] // 36,046.51 EUR at the donor rate
    public void a_receipt_in_local_currency_books_the_difference_to_the_donor_rate_as_a_gain_or_a_loss(
        decimal received, string debit, string credit, decimal difference)
    {
        var paid = Guid.NewGuid();
        var journal = Journal([.. Awarded(80_000m),
            new FxRateSet("KGS", new YearMonth(2020, 5), 86m, "InforEuro"),
            new DisbursementRecorded(GrantId, ProgrammeId, paid, Eur(36_943.52m), new LocalDate(2020, 5, 4), "SWIFT-1", null),
            new DisbursementReceived(GrantId, paid, new Money(received, "KGS"))]);

        var fx = Assert.Single(journal, e => e.Kind == JournalKind.FxDifference);
        Assert.Equal((debit, credit, difference), Posting(fx));
    }

    [Fact]
    public void a_receipt_without_a_donor_rate_for_its_month_is_booked_when_the_rate_is_set()
    {
        var paid = Guid.NewGuid();
        object[] received = [.. Awarded(80_000m),
            new DisbursementRecorded(GrantId, ProgrammeId, paid, Eur(36_943.52m), new LocalDate(2020, 5, 4), "SWIFT-1", null),
            new DisbursementReceived(GrantId, paid, new Money(3_300_000m, "KGS"))];
        Assert.DoesNotContain(Journal(received), e => e.Kind == JournalKind.FxDifference);

        var journal = Journal([.. received, new FxRateSet("KGS", new YearMonth(2020, 4), 80m, "InforEuro"),
            new FxRateSet("KGS", new YearMonth(2020, 5), 86m, "InforEuro")]);

        var fx = Assert.Single(journal, e => e.Kind == JournalKind.FxDifference);
        Assert.Equal(("1410", "7910", 1_428.57m), Posting(fx));
        // Booked on the day May's rate was set (the 7th event: 2020-04-07 20:00 UTC, the 8th in Bishkek), naming the receipt (5th).
        Assert.Equal((new LocalDate(2020, 4, 8), "JE-7-5", 5L), (fx.Date, fx.EntryId, fx.Sequence));
    }

    [Fact]
    public void the_accounts_come_from_the_chart_the_finance_office_configures()
    {
        var chart = new ChartOfAccounts { Bank = new LedgerAccount { Code = "512000", Name = "Banque EUR" } };
        var journal = Interchange.Journal.Entries(Recorded([.. Awarded(80_000m),
            new DisbursementRecorded(GrantId, ProgrammeId, Guid.NewGuid(), Eur(1_000m), new LocalDate(2020, 5, 4), "SWIFT-1", null)]), chart).ToList();

        Assert.Equal(("2100", "512000", 1_000m), Posting(journal[1]));
    }
}
