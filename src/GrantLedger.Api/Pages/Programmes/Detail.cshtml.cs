using GrantLedger.Api.Identity;
using GrantLedger.Api.Programmes;
using GrantLedger.Api.Reports;
using GrantLedger.Reports.Models;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NodaTime;

namespace GrantLedger.Api.Pages.Programmes;

/// <summary>
/// The programme dashboard, from stored snapshots only: the summary (as GET /api/programmes/{id}) and the monthly chart
/// from the <c>Programme</c> and <c>Grant</c> documents the inline projections keep, with the same month arithmetic as
/// the PDF report (<see cref="ReportModels.Months"/>). No event is read or folded per view.
/// </summary>
[Authorize(Policy = Policies.ReadProgrammes)]
public sealed class ProgrammeDetailModel(IQuerySession session) : PageModel
{
    public ProgrammeSummaryResponse Programme { get; private set; } = null!;
    public IReadOnlyList<MonthLine> Months { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid id)
    {
        if (await ProgrammeSummaryEndpoints.Get(id, session) is not Ok<ProgrammeSummaryResponse> ok)
        {
            return NotFound();
        }

        Programme = ok.Value!;
        var programme = await session.LoadAsync<GrantLedger.Domain.Programmes.Programme>(id, HttpContext.RequestAborted);
        var grants = await session.Query<GrantLedger.Domain.Grants.Grant>().Where(g => g.ProgrammeId == id).ToListAsync(HttpContext.RequestAborted);
        Months = ReportModels.Months(programme!, grants);
        return Page();
    }
}
