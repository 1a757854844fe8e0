using System.Security.Claims;
using GrantLedger.Api.Grants;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Milestones;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using NodaTime;
using Npgsql;
using Wolverine.Http;

namespace GrantLedger.Api.Milestones;

public sealed record EvidenceFileView(Guid Id, string FileName, string ContentType, long Size, string Sha256, string Url)
{
    public static EvidenceFileView From(Guid grantId, Guid milestoneId, EvidenceFile f) =>
        new(f.FileId, f.FileName, f.ContentType, f.Size, f.Sha256, $"/api/grants/{grantId}/milestones/{milestoneId}/files/{f.FileId}");
}

public sealed record SubmissionView(string? Note, IReadOnlyList<EvidenceFileView> Files);

public sealed record MilestoneView(
    Guid Id,
    string Title,
    MilestoneKind Kind,
    LocalDate DueDate,
    Instant Deadline,
    MilestoneStatus Status,
    bool Overdue,
    bool DeadlineMissed,
    Guid? GatesTrancheId,
    string? ConfirmationNote,
    string? RejectionReason,
    IReadOnlyList<SubmissionView> Submissions)
{
    public static MilestoneView From(Grant grant, Milestone m) =>
        new(m.Id, m.Title, m.Kind, m.DueDate, m.Deadline, m.Status, m.IsOverdue, m.DeadlineMissed,
            grant.Tranches.FirstOrDefault(t => t.MilestoneId == m.Id)?.Id, m.ConfirmationNote, m.RejectionReason,
            m.Submissions.Select(s => new SubmissionView(s.Note, s.Files.Select(f => EvidenceFileView.From(grant.Id, m.Id, f)).ToList())).ToList());
}

public sealed record MilestoneListItem(
    Guid GrantId, string Grantee, Guid MilestoneId, string Title, MilestoneKind Kind, LocalDate DueDate, Instant Deadline,
    MilestoneStatus Status, bool Overdue);

public static class MilestoneQueryEndpoints
{
    [Authorize(Policy = Policies.ReadGrants)]
    [WolverineGet("/api/grants/{grantId}/milestones")]
    public static async Task<IResult> ForGrant(Guid grantId, IQuerySession session, ClaimsPrincipal principal)
    {
        var grant = await GrantDetailsEndpoints.Visible(session, grantId, principal);
        return grant is null
            ? Problems.NotFound("grant", grantId)
            : Results.Ok(grant.Milestones.OrderBy(m => m.DueDate).Select(m => MilestoneView.From(grant, m)).ToList());
    }

    [Authorize(Policy = Policies.ReadGrants)]
    [WolverineGet("/api/grants/{grantId}/milestones/{milestoneId}")]
    public static async Task<IResult> One(Guid grantId, Guid milestoneId, IQuerySession session, ClaimsPrincipal principal)
    {
        if (await GrantDetailsEndpoints.Visible(session, grantId, principal) is not { } grant)
        {
            return Problems.NotFound("grant", grantId);
        }

        return grant.FindMilestone(milestoneId) is { } milestone
            ? Results.Ok(MilestoneView.From(grant, milestone))
            : Problems.NotFound("milestone", milestoneId);
    }

    /// <summary>Across all grants: <c>overdue</c>, <c>due-soon</c> (within the reminder window) or <c>submitted</c> (awaiting review).</summary>
    [Authorize(Policy = Policies.ReadGrants)]
    [WolverineGet("/api/milestones")]
    public static async Task<IResult> Across(string? status, IQuerySession session, IClock clock, IOptions<MilestoneOptions> options,
        ClaimsPrincipal principal)
    {
        var user = CurrentUser.From(principal);
        var now = clock.GetCurrentInstant();
        var soon = now + Duration.FromDays(options.Value.ReminderDaysBefore);
        Func<Milestone, bool>? filter = status switch
        {
            null or "" => _ => true,
            "overdue" => m => m.IsOverdue,
            "due-soon" => m => m.AwaitsDelivery && !m.DeadlineMissed && m.Deadline > now && m.Deadline <= soon,
            "submitted" => m => m.Status == MilestoneStatus.Submitted,
            _ => null,
        };
        if (filter is null)
        {
            return Problems.BadRequest("malformed-request", "status must be one of overdue, due-soon, submitted.");
        }

        var grants = (await session.Query<Grant>().ToListAsync()).Where(user.CanSee);
        return Results.Ok(grants
            .SelectMany(g => g.Milestones.Where(filter).Select(m => new MilestoneListItem(
                g.Id, g.Grantee, m.Id, m.Title, m.Kind, m.DueDate, m.Deadline, m.Status, m.IsOverdue)))
            .OrderBy(m => m.Deadline)
            .ToList());
    }

    /// <summary>
    /// Returns the evidence exactly as uploaded, with the content type sniffed at upload, once its bytes are checked
    /// against the SHA-256 the <c>MilestoneSubmitted</c> event recorded (<c>409 file-integrity-failed</c> if not).
    /// </summary>
    [Authorize(Policy = Policies.ReadGrants)]
    [WolverineGet("/api/grants/{grantId}/milestones/{milestoneId}/files/{fileId}")]
    public static async Task<IResult> File(Guid grantId, Guid milestoneId, Guid fileId, NpgsqlDataSource dataSource,
        IQuerySession session, ClaimsPrincipal principal, ILoggerFactory loggers, CancellationToken cancellation) =>
        await GrantDetailsEndpoints.Visible(session, grantId, principal) is null
            ? Problems.NotFound("grant", grantId)
            : await EvidenceStore.Serve(session, dataSource, grantId, milestoneId, fileId, loggers, cancellation);
}
