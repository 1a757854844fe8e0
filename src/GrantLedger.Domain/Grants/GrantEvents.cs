using NodaTime;

namespace GrantLedger.Domain.Grants;

/// <summary>A grant was awarded to a grantee from a programme. Starts the grant stream.</summary>
public sealed record GrantAwarded(
    Guid GrantId,
    Guid ProgrammeId,
    string Grantee,
    IReadOnlyList<string> Countries,
    string Title,
    Money Amount,
    LocalDate WindowStart,
    LocalDate WindowEnd,
    string TimeZone = "UTC");

/// <summary>Money was paid to the grantee, with the value date the bank applied, against a tranche when the grant has a plan.</summary>
public sealed record DisbursementRecorded(
    Guid GrantId,
    Guid ProgrammeId,
    Guid DisbursementId,
    Money Amount,
    LocalDate ValueDate,
    string BankReference,
    string? Note,
    Guid? TrancheId = null);

/// <summary>A disbursement recorded in error was corrected. The original stays in history.</summary>
public sealed record DisbursementReversed(
    Guid GrantId,
    Guid ProgrammeId,
    Guid DisbursementId,
    Money Amount,
    string Reason);
