using GrantLedger.Domain;
using GrantLedger.Domain.Amendments;
using GrantLedger.Domain.Currencies;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using GrantLedger.Reports.Models;
using NodaTime;

namespace GrantLedger.Reports.Interchange;

/// <summary>An account of the organisation's chart: its code in the accounting system and its name.</summary>
public sealed class LedgerAccount
{
    public string Code { get; set; } = "";

    public string Name { get; set; } = "";
}

/// <summary>
/// Which account of the organisation's chart each side of a journal entry goes to (section
/// <c>GrantLedger:Journal:Accounts</c>). The defaults are a plain grant-maker's chart; the finance office maps them to its own.
/// </summary>
public sealed class ChartOfAccounts
{
    /// <summary>Debited when a grant is committed (the expense of the award).</summary>
    public LedgerAccount GrantCommitments { get; set; } = new() { Code = "5100", Name = "Grant commitments" };

    /// <summary>Credited on commitment, debited as it is paid: what the programme still owes its grantees.</summary>
    public LedgerAccount GrantsPayable { get; set; } = new() { Code = "2100", Name = "Grants payable" };

    /// <summary>Credited when money leaves, debited when it comes back.</summary>
    public LedgerAccount Bank { get; set; } = new() { Code = "1010", Name = "Bank - programme account" };

    /// <summary>The grant funds' value at the donor rate beside what was paid: the other side of FX gains and losses.</summary>
    public LedgerAccount FxRevaluation { get; set; } = new() { Code = "1410", Name = "Grant funds with grantees - FX revaluation" };

    public LedgerAccount FxGain { get; set; } = new() { Code = "7910", Name = "Foreign exchange gain" };

    public LedgerAccount FxLoss { get; set; } = new() { Code = "7920", Name = "Foreign exchange loss" };

    public IEnumerable<(string Setting, LedgerAccount Account)> All =>
    [
        (nameof(GrantCommitments), GrantCommitments), (nameof(GrantsPayable), GrantsPayable), (nameof(Bank), Bank),
        (nameof(FxRevaluation), FxRevaluation), (nameof(FxGain), FxGain), (nameof(FxLoss), FxLoss),
    ];
}

/// <summary>The kinds of journal entry, as the CSV's <c>kind</c> column names them.</summary>
public static class JournalKind
{
    public const string Commitment = "commitment";
    public const string CommitmentChange = "commitment-change";
    public const string CommitmentRelease = "commitment-release";
    public const string Disbursement = "disbursement";
    public const string Reversal = "reversal";
    public const string Return = "return";
    public const string FxDifference = "fx-difference";
}

/// <summary>One side of an entry: exactly one of <paramref name="Debit"/> and <paramref name="Credit"/> is non-zero.</summary>
public sealed record JournalLine(LedgerAccount Account, decimal Debit, decimal Credit);

/// <summary>
/// One balanced entry derived from one event: when it is booked (<paramref name="Date"/>), what it is, its two lines,
/// and the event it comes from (id, sequence, recorded time) so an accountant can trace it back.
/// </summary>
public sealed record JournalEntry(
    string EntryId,
    LocalDate Date,
    string Kind,
    string Currency,
    Guid ProgrammeId,
    string Programme,
    Guid GrantId,
    string Grantee,
    Guid? OrganisationId,
    string Reference,
    string Description,
    Guid EventId,
    long Sequence,
    Instant RecordedAt,
    IReadOnlyList<JournalLine> Lines)
{
    public decimal Debits => Lines.Sum(l => l.Debit);
    public decimal Credits => Lines.Sum(l => l.Credit);
}

/// <summary>
/// The double-entry journal of the ledger: a pure function of its events in store order. Commitments are booked on the
/// day they are recorded (programme time zone); payments and returns on their value dates; a reversal and an FX difference
/// on the day they are recorded, each referring to the payment it concerns, so corrections land in an open month.
/// A payment awaiting approval is nothing yet; it is booked on its value date when approved.
/// </summary>
public static class Journal
{
    private sealed record GrantInfo(Guid ProgrammeId, string Grantee, Guid? OrganisationId, string Currency);

    private sealed record Payment(Guid GrantId, Money Amount, LocalDate ValueDate, string BankReference);

    public static IEnumerable<JournalEntry> Entries(IEnumerable<RecordedEvent> events, ChartOfAccounts chart)
    {
        var programmes = new Dictionary<Guid, (string Code, DateTimeZone Zone)>();
        var grants = new Dictionary<Guid, GrantInfo>();
        var payments = new Dictionary<Guid, Payment>();
        var committed = new Dictionary<Guid, JournalEntry>();
        var unvalued = new List<(RecordedEvent Event, DisbursementReceived Received, Payment Payment)>();
        var rates = FxRateTable.Empty;

        foreach (var e in events)
        {
            JournalEntry? entry = null;
            switch (e.Data)
            {
                case ProgrammeOpened x:
                    programmes[x.ProgrammeId] = (x.Code, DateTimeZoneProviders.Tzdb.GetZoneOrNull(x.TimeZone) ?? DateTimeZone.Utc);
                    break;
                case FxRateSet x:
                    rates = rates.Evolve(x);
                    // Receipts confirmed before their month had a rate are booked now that they can be valued.
                    foreach (var waiting in unvalued.Where(u => u.Received.Received.Currency == x.Currency
                                                                 && u.Payment.ValueDate.ToYearMonth() == x.Month).ToList())
                    {
                        unvalued.Remove(waiting);
                        if (FxDifference(waiting.Event, waiting.Received, waiting.Payment, e) is { } late)
                        {
                            yield return late;
                        }
                    }

                    break;
                case GrantAwarded x:
                    grants[x.GrantId] = new GrantInfo(x.ProgrammeId, x.Grantee, x.OrganisationId, x.Amount.Currency);
                    if (committed.Remove(x.GrantId, out var pending))
                    {
                        entry = pending with { OrganisationId = x.OrganisationId };
                    }

                    break;
                case GrantOrganisationLinked x when grants.TryGetValue(x.GrantId, out var linked):
                    grants[x.GrantId] = linked with { OrganisationId = x.OrganisationId };
                    break;
                case GrantCommitted x:
                    // The programme's commitment is appended just before the grant's stream starts (one transaction): its
                    // entry is completed with the organisation when the award follows.
                    grants.TryAdd(x.GrantId, new GrantInfo(x.ProgrammeId, x.Grantee, null, x.Amount.Currency));
                    if (Commitment(e, x.GrantId, x.Amount, JournalKind.Commitment, $"Grant to {x.Grantee} committed") is { } commitment)
                    {
                        committed[x.GrantId] = commitment;
                    }

                    break;
                case GrantCommitmentChanged x when x.To != x.From:
                    entry = Commitment(e, x.GrantId, x.To - x.From, JournalKind.CommitmentChange,
                        $"Grant amount changed from {x.From} to {x.To} (amendment {x.AmendmentId})");
                    break;
                case GrantCommitmentReleased x:
                    entry = Commitment(e, x.GrantId, Money.Zero(x.Amount.Currency) - x.Amount, JournalKind.CommitmentRelease,
                        $"Award rejected, commitment released: {x.Reason}");
                    break;
                case DisbursementRecorded x:
                    payments[x.DisbursementId] = new Payment(x.GrantId, x.Amount, x.ValueDate, x.BankReference);
                    entry = Paid(e, x.DisbursementId, "Payment to the grantee");
                    break;
                case DisbursementSubmittedForApproval x:
                    payments[x.DisbursementId] = new Payment(x.GrantId, x.Amount, x.ValueDate, x.BankReference);
                    break;
                case DisbursementApproved x:
                    entry = Paid(e, x.DisbursementId, "Payment to the grantee, approved by a second person");
                    break;
                case DisbursementReversed x when payments.TryGetValue(x.DisbursementId, out var reversed):
                    entry = Entry(e, reversed.GrantId, RecordedDate(e, reversed.GrantId), JournalKind.Reversal, reversed.Amount, chart.Bank,
                        chart.GrantsPayable, x.DisbursementId.ToString(),
                        $"Reverses the payment of {reversed.ValueDate:uuuu-MM-dd} ({reversed.BankReference}): {x.Reason}");
                    break;
                case DisbursementReturned x:
                    entry = Entry(e, x.GrantId, x.ValueDate, JournalKind.Return, x.Amount, chart.Bank, chart.GrantsPayable,
                        x.DisbursementId.ToString(),
                        $"Returned by the bank{(x.BankReference is null ? "" : $" ({x.BankReference})")}: {x.BankReason}");
                    break;
                case DisbursementReceived x when payments.TryGetValue(x.DisbursementId, out var received):
                    entry = FxDifference(e, x, received, e);
                    if (entry is null && rates.Rate(x.Received.Currency, received.ValueDate.ToYearMonth()) is null && x.Received.Currency != Currencies.Eur)
                    {
                        unvalued.Add((e, x, received));
                    }

                    break;
            }

            if (entry is not null)
            {
                yield return entry;
            }
        }

        foreach (var orphan in committed.Values)
        {
            yield return orphan;
        }

        JournalEntry? Commitment(RecordedEvent e, Guid grantId, Money amount, string kind, string description) =>
            amount.Amount >= 0m
                ? Entry(e, grantId, RecordedDate(e, grantId), kind, amount, chart.GrantCommitments, chart.GrantsPayable, grantId.ToString(), description)
                : Entry(e, grantId, RecordedDate(e, grantId), kind, Money.Zero(amount.Currency) - amount, chart.GrantsPayable, chart.GrantCommitments,
                    grantId.ToString(), description);

        JournalEntry? Paid(RecordedEvent e, Guid disbursementId, string description) =>
            payments.TryGetValue(disbursementId, out var payment)
                ? Entry(e, payment.GrantId, payment.ValueDate, JournalKind.Disbursement, payment.Amount, chart.GrantsPayable, chart.Bank,
                    disbursementId.ToString(), $"{description} ({payment.BankReference})")
                : null;

        // What the grantee received, valued at the donor rate of the payment's month, against what was paid: the
        // difference is a gain or a loss on the funds the grantee holds. It is booked when the receipt is confirmed, or,
        // when its month had no rate yet, when the rate is set (`booking`: that event; the entry still names the receipt).
        JournalEntry? FxDifference(RecordedEvent e, DisbursementReceived x, Payment payment, RecordedEvent booking)
        {
            if (new Valuation(rates, new Dictionary<string, decimal>()).AtDonorRate(x.Received, payment.ValueDate) is not { } valued
                || valued.Currency != payment.Amount.Currency || valued == payment.Amount)
            {
                return null;
            }

            var difference = valued - payment.Amount;
            var description = $"{x.Received} received for {payment.Amount} paid on {payment.ValueDate:uuuu-MM-dd}, {valued} at the donor rate";
            var date = RecordedDate(booking, payment.GrantId);
            var entry = difference.Amount > 0m
                ? Entry(e, payment.GrantId, date, JournalKind.FxDifference, difference, chart.FxRevaluation, chart.FxGain, x.DisbursementId.ToString(), description)
                : Entry(e, payment.GrantId, date, JournalKind.FxDifference, payment.Amount - valued, chart.FxLoss, chart.FxRevaluation,
                    x.DisbursementId.ToString(), description);
            return booking == e ? entry : entry! with { EntryId = $"JE-{booking.Sequence}-{e.Sequence}", Description = description + " (rate set later)" };
        }

        LocalDate RecordedDate(RecordedEvent e, Guid grantId) =>
            e.RecordedAt.InZone(grants.TryGetValue(grantId, out var grant) && programmes.TryGetValue(grant.ProgrammeId, out var p)
                ? p.Zone
                : DateTimeZone.Utc).Date;

        JournalEntry? Entry(RecordedEvent e, Guid grantId, LocalDate date, string kind, Money amount, LedgerAccount debit, LedgerAccount credit,
            string reference, string description)
        {
            if (!grants.TryGetValue(grantId, out var grant) || amount.Amount == 0m)
            {
                return null;
            }

            var programme = programmes.TryGetValue(grant.ProgrammeId, out var p) ? p.Code : "";
            return new JournalEntry($"JE-{e.Sequence}", date, kind, amount.Currency, grant.ProgrammeId, programme, grantId, grant.Grantee,
                grant.OrganisationId, reference, description, e.Id, e.Sequence, e.RecordedAt,
                [new JournalLine(debit, amount.Amount, 0.00m), new JournalLine(credit, 0.00m, amount.Amount)]);
        }
    }
}
