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

