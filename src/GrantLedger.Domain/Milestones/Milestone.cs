using System.Collections.Immutable;
using NodaTime;

namespace GrantLedger.Domain.Milestones;

public enum MilestoneStatus
{
    Planned,
    Submitted,
    Confirmed,
    Rejected,
}

/// <summary>One delivery of a milestone, as recorded.</summary>
public sealed record Submission(string? Note, IReadOnlyList<EvidenceFile> Files);

/// <summary>A deliverable of a grant and where it stands.</summary>
/// <remarks>
/// <see cref="DeadlineMissed"/> is history (the deadline passed undelivered); <see cref="IsOverdue"/> is the present:
/// the grantee still owes a delivery. A late submission lifts the hold while finance reviews it; a rejection of a
/// late milestone brings the hold back.
/// </remarks>
public sealed record Milestone(
    Guid Id,
    string Title,
    MilestoneKind Kind,
    LocalDate DueDate,
    Instant Deadline,
    MilestoneStatus Status,
    bool DeadlineMissed,
    ImmutableList<Submission> Submissions,
    string? ConfirmationNote,
    string? RejectionReason)
{
    public bool IsOverdue => DeadlineMissed && Status is MilestoneStatus.Planned or MilestoneStatus.Rejected;
    public bool AwaitsDelivery => Status is MilestoneStatus.Planned or MilestoneStatus.Rejected;

    public static Milestone Plan(MilestonePlanned e) =>
        new(e.MilestoneId, e.Title, e.Kind, e.DueDate, e.Deadline, MilestoneStatus.Planned, false, [], null, null);

    /// <summary>The deadline is the end of the due date in the programme's zone: the start of the next day there.</summary>
    public static Instant DeadlineOf(LocalDate dueDate, DateTimeZone zone) =>
        dueDate.PlusDays(1).AtStartOfDayInZone(zone).ToInstant();
}
