using GrantLedger.Domain;
using GrantLedger.Domain.Grants;
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
        commitments.Aggregate(Domain.Programmes.Programme.Create(opened), (p, e) => p.Apply(e));

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
        events.Aggregate(Domain.Grants.Grant.Create(awarded), (g, e) => e switch
        {
            DisbursementRecorded r => g.Apply(r),
            DisbursementReversed r => g.Apply(r),
            _ => throw new ArgumentException($"Unexpected event {e.GetType().Name}"),
        });

    public static string CodeOf<T>(Result<T> result) =>
        result.Error?.Code ?? throw new Xunit.Sdk.XunitException($"Expected a refusal but got {result.Value}");
}
