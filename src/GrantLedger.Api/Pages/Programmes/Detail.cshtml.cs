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

[Authorize(Policy = Policies.ReadProgrammes)]
public sealed class ProgrammeDetailModel(IQuerySession session, IClock clock) : PageModel
{
    public ProgrammeSummaryResponse Programme { get; private set; } = null!;
    public ProgrammeFinancialModel Report { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(Guid id)
    {
        if (await ProgrammeSummaryEndpoints.Get(id, session) is not Ok<ProgrammeSummaryResponse> ok)
        {
            return NotFound();
        }

        Programme = ok.Value!;
        // The same model the PDF report is built from, as of now.
        var now = clock.GetCurrentInstant();
        var scope = new ReportScope(ReportKind.ProgrammeFinancial, id, null, null, null, now);
        Report = (ProgrammeFinancialModel)ReportBuilder.Model(scope, await ReportBuilder.EventsAsOf(session, now, HttpContext.RequestAborted)).Model;
        return Page();
    }
}
