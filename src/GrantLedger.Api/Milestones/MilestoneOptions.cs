namespace GrantLedger.Api.Milestones;

/// <summary>Settings under <c>GrantLedger:Milestones</c>.</summary>
public sealed class MilestoneOptions
{
    /// <summary>How many days before a deadline the grantee is reminded.</summary>
    public int ReminderDaysBefore { get; set; } = 14;

    /// <summary>The largest evidence file accepted, in bytes (20 MB by default).</summary>
    public long MaxEvidenceFileBytes { get; set; } = 20 * 1024 * 1024;

    public int MaxFilesPerSubmission { get; set; } = 10;
}
