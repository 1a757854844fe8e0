using NodaTime;

namespace GrantLedger.Domain.Milestones;

public enum MilestoneKind
{
    Inception,
    Interim,
    Final,
    Other,
}

/// <summary>A file the grantee delivered as evidence; the bytes are stored once, this is their fingerprint.</summary>
public sealed record EvidenceFile(Guid FileId, string FileName, string ContentType, long Size, string Sha256);

/// <summary>A deliverable was planned; its deadline is the end of the due date in the programme's time zone.</summary>
public sealed record MilestonePlanned(
    Guid GrantId,
    Guid MilestoneId,
    string Title,
    MilestoneKind Kind,
    LocalDate DueDate,
    Instant Deadline,
    Guid? GatesTrancheId);

/// <summary>The grantee delivered the milestone, with a note and evidence files.</summary>
public sealed record MilestoneSubmitted(Guid GrantId, Guid MilestoneId, string? Note, IReadOnlyList<EvidenceFile> Files);

/// <summary>Finance accepted the submission; a tranche gated by this milestone can now be paid.</summary>
public sealed record MilestoneConfirmed(Guid GrantId, Guid MilestoneId, string? Note);

/// <summary>Finance sent the submission back; the grantee may resubmit.</summary>
public sealed record MilestoneRejected(Guid GrantId, Guid MilestoneId, string Reason);

/// <summary>The deadline passed with nothing delivered (or a rejected delivery). Recorded by the ledger itself.</summary>
public sealed record MilestoneBecameOverdue(Guid GrantId, Guid MilestoneId, LocalDate DueDate, Instant Deadline);
