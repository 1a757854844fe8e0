using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Domain;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Programmes;
using Marten;
using Microsoft.AspNetCore.Authorization;
using NodaTime;
using Wolverine.Http;

namespace GrantLedger.Api.Programmes;

public sealed record ProgrammeListItem(
    Guid Id, string Code, string Name, decimal Allocation, decimal Committed, decimal Disbursed, decimal Remaining);

public sealed record ProgrammeGrantLine(Guid Id, string Grantee, decimal Amount, decimal Disbursed, decimal Remaining, decimal Reserved);

public sealed record ProgrammeSummaryResponse(
    Guid Id,
    string Code,
    string Name,
    string Currency,
    decimal Allocation,
    decimal Committed,
    decimal Uncommitted,
    decimal Disbursed,
    decimal Remaining,
    LocalDate WindowStart,
    LocalDate WindowEnd,
    string TimeZone,
    long Version,
    IReadOnlyList<ProgrammeGrantLine> Grants,
    decimal? ApprovalThreshold,
    decimal Reserved,
    int ApprovalWindowDays = ApprovalRules.DefaultWindowDays,
    IReadOnlyList<ApprovalRuleChangeView>? ApprovalRuleChanges = null);

public sealed record ApprovalRuleChangeView(Guid Id, decimal ApprovalThreshold, int WindowDays, string Reason, string ProposedBy, string Status,
    string? DecidedBy, string? RejectionReason);

/// <summary>
/// The programme summary is composed on read from the programme snapshot and its grants' snapshots. Each is kept
/// inline by its own stream, so concurrent payments on different grants never contend on one summary row.
/// </summary>
public static class ProgrammeSummaryEndpoints
{
    [Authorize(Policy = Policies.ReadProgrammes)]
    [WolverineGet("/api/programmes")]
    public static async Task<IReadOnlyList<ProgrammeListItem>> List(IQuerySession session)
    {
        var programmes = await session.Query<Programme>().OrderBy(p => p.Code).ToListAsync();
        var grants = await session.Query<Grant>().ToListAsync();
        return programmes.Select(p =>
        {
            var disbursed = Disbursed(p, grants.Where(g => g.ProgrammeId == p.Id));
            return new ProgrammeListItem(p.Id, p.Code, p.Name, p.Allocation.Amount, p.Committed.Amount,
                disbursed.Amount, (p.Allocation - disbursed).Amount);
        }).ToList();
    }

    [Authorize(Policy = Policies.ReadProgrammes)]
    [WolverineGet("/api/programmes/{id}")]
    public static async Task<IResult> Get(Guid id, IQuerySession session)
    {
        var programme = await session.LoadAsync<Programme>(id);
        if (programme is null)
        {
            return Problems.NotFound("programme", id);
        }

        var grants = await session.Query<Grant>().Where(g => g.ProgrammeId == id).ToListAsync();
        return Results.Ok(Summary(programme,
            grants.Select(g => new ProgrammeGrantLine(g.Id, g.Grantee, g.Amount.Amount, g.Disbursed.Amount, g.Remaining.Amount, g.Reserved.Amount)).ToList()));
    }

    /// <summary>The summary from the programme and a line for each of its grants (the dashboard reads the lines it keeps).</summary>
    internal static ProgrammeSummaryResponse Summary(Programme programme, IReadOnlyCollection<ProgrammeGrantLine> grants)
    {
        var disbursed = new Money(grants.Sum(g => g.Disbursed), programme.Currency);
        var byId = grants.ToDictionary(g => g.Id);
        var lines = programme.Commitments
            .Select(c => byId.GetValueOrDefault(c.GrantId))
            .OfType<ProgrammeGrantLine>()
            .ToList();

        return new ProgrammeSummaryResponse(programme.Id, programme.Code, programme.Name,
            programme.Currency, programme.Allocation.Amount, programme.Committed.Amount, programme.Uncommitted.Amount,
            disbursed.Amount, (programme.Allocation - disbursed).Amount, programme.WindowStart, programme.WindowEnd,
            programme.TimeZone, programme.Version, lines, programme.ApprovalThreshold?.Amount,
            grants.Sum(g => g.Reserved),
            programme.ApprovalWindowDays ?? ApprovalRules.DefaultWindowDays,
            programme.RuleChanges.Select(c => new ApprovalRuleChangeView(c.ProposalId, c.Threshold.Amount, c.WindowDays, c.Reason, c.ProposedBy,
                c.Status.ToString().ToLowerInvariant(), c.DecidedBy, c.RejectionReason)).ToList());
    }

    private static Money Disbursed(Programme programme, IEnumerable<Grant> grants) =>
        grants.Select(g => g.Disbursed).Sum(programme.Currency);
}
