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

/// <summary>A payment at or above the programme's approval threshold was recorded; its amount is reserved on the grant
/// but nothing is paid until a second person approves it (four eyes).</summary>
public sealed record DisbursementSubmittedForApproval(
    Guid GrantId,
    Guid ProgrammeId,
    Guid DisbursementId,
    Money Amount,
    LocalDate ValueDate,
    string BankReference,
    string? Note,
    Guid? TrancheId,
    string RecordedBy);

/// <summary>A second person approved a payment awaiting approval: it now counts as disbursed.</summary>
public sealed record DisbursementApproved(Guid GrantId, Guid ProgrammeId, Guid DisbursementId, Money Amount, string ApprovedBy);

/// <summary>A payment awaiting approval was turned down; its reservation is released and nothing was paid.</summary>
public sealed record DisbursementRejected(Guid GrantId, Guid ProgrammeId, Guid DisbursementId, Money Amount, string Reason, string RejectedBy);

/// <summary>A disbursement recorded in error was corrected. The original stays in history.</summary>
public sealed record DisbursementReversed(
    Guid GrantId,
    Guid ProgrammeId,
    Guid DisbursementId,
    Money Amount,
    string Reason);

/// <summary>The grantee confirmed what a disbursement came to in its own currency: the rate the money really arrived at.</summary>
public sealed record DisbursementReceived(Guid GrantId, Guid DisbursementId, Money Received);
