using GrantLedger.Domain;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Milestones;
using GrantLedger.Domain.Programmes;
using NodaTime;

namespace GrantLedger.Domain.Tests;

/// <summary>Builds write models from events, the way the event store does, so tests start from history.</summary>
public static class Given
{
    public static readonly Guid ProgrammeId = Guid.Parse("0b7f0c4e-0000-4000-8000-000000000001");
    public static readonly Guid GrantId = Guid.Parse("0b7f0c4e-0000-4000-8000-000000000002");
    public static readonly LocalDate WindowStart = new(2020, 4, 1);
    public static readonly LocalDate WindowEnd = new(2021, 9, 30);

    public static Money Eur(decimal amount) => new(amount, "EUR");

    public static ProgrammeOpened Opened(decimal allocation = 220_000m) =>
        new(ProgrammeId, "SOS-CA-1", "SOS Central Asia", "EUR", Eur(allocation), WindowStart, WindowEnd, "Asia/Bishkek");

    public static Programme Programme(ProgrammeOpened opened, params GrantCommitted[] commitments) =>
        commitments.Aggregate(Domain.Programmes.Programme.Start(opened), (p, e) => p.Evolve(e));

    public static GrantCommitted Committed(decimal amount) =>
        new(ProgrammeId, Guid.NewGuid(), "Snow Leopard Trust", Eur(amount));

    public static GrantAwarded Awarded(decimal amount = 80_000m, LocalDate? start = null, LocalDate? end = null) =>
        new(GrantId, ProgrammeId, "Snow Leopard Trust", ["KG"], "Community conservancies", Eur(amount),
            start ?? WindowStart, end ?? WindowEnd);

    public static DisbursementRecorded Paid(decimal amount, Guid? id = null) =>
        new(GrantId, ProgrammeId, id ?? Guid.NewGuid(), Eur(amount), new LocalDate(2020, 5, 1), "BANK-1", null);

    public static DisbursementReversed Reversed(DisbursementRecorded paid, string reason = "recorded in error") =>
        new(GrantId, ProgrammeId, paid.DisbursementId, paid.Amount, reason);

    public static Grant Grant(GrantAwarded awarded, params object[] events) =>
        events.Aggregate(Domain.Grants.Grant.Start(awarded), (g, e) => g.Evolve(e));

    public static readonly Guid MidTermId = Guid.Parse("0b7f0c4e-0000-4000-8000-0000000000a2");
    public static readonly Guid Tranche1 = Guid.Parse("0b7f0c4e-0000-4000-8000-0000000000b1");
    public static readonly Guid Tranche2 = Guid.Parse("0b7f0c4e-0000-4000-8000-0000000000b2");

    /// <summary>The deadline of a milestone due 2020-12-31 in Bishkek (UTC+6): 2020-12-31T18:00Z.</summary>
    public static readonly Instant MidTermDeadline = Instant.FromUtc(2020, 12, 31, 18, 0);

    public static TrancheAdded TrancheOf(Guid id, int number, decimal amount, Guid? milestoneId = null) =>
        new(GrantId, id, number, Eur(amount), milestoneId);

    public static MilestonePlanned MidTermPlanned(Guid? gates = null) =>
        new(GrantId, MidTermId, "Mid-term report", MilestoneKind.Interim, new LocalDate(2020, 12, 31), MidTermDeadline, gates);

    public static MilestoneSubmitted MidTermSubmitted() =>
        new(GrantId, MidTermId, "Attached", [new EvidenceFile(Guid.NewGuid(), "midterm.pdf", "application/pdf", 1234, "ab12")]);

    public static MilestoneConfirmed MidTermConfirmed() => new(GrantId, MidTermId, null);
    public static MilestoneRejected MidTermRejected() => new(GrantId, MidTermId, "Annex missing");
    public static MilestoneBecameOverdue MidTermOverdue() => new(GrantId, MidTermId, new LocalDate(2020, 12, 31), MidTermDeadline);

    /// <summary>80,000 awarded in two tranches of 40,000; the second gated by the mid-term report.</summary>
    public static Grant GatedGrant(params object[] more) =>
        Grant(Awarded(80_000m), [TrancheOf(Tranche1, 1, 40_000m), TrancheOf(Tranche2, 2, 40_000m), MidTermPlanned(Tranche2), .. more]);

    public static string CodeOf<T>(Result<T> result) =>
        result.Error?.Code ?? throw new Xunit.Sdk.XunitException($"Expected a refusal but got {result.Value}");
}
