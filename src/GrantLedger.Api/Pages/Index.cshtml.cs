using GrantLedger.Api.Grants;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Programmes;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantLedger.Api.Pages;

/// <summary>
/// Home: the work queue of each role the user holds (<see cref="WorkQueue"/>), each item linking to where it is done;
/// below it staff see the programmes and a grantee its grants. An administrator (and nothing else) goes to the users.
/// </summary>
public sealed class IndexModel(IQuerySession session, WorkQueue queue) : PageModel
{
    public IReadOnlyList<QueueSection> Queue { get; private set; } = [];
    public IReadOnlyList<ProgrammeListItem> Programmes { get; private set; } = [];
    public IReadOnlyList<GrantListItem> MyGrants { get; private set; } = [];
    public bool ShowsProgrammes { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var user = CurrentUser.From(User);
        ShowsProgrammes = user.Roles.Any(r => r is Roles.Finance or Roles.Auditor or Roles.Approver);
        if (!ShowsProgrammes && !user.IsGrantee)
        {
            return Redirect(user.Roles.Contains(Roles.Admin) ? "/users" : "/grants");
        }

        Queue = await queue.For(User, HttpContext.RequestAborted);
        if (ShowsProgrammes)
        {
            Programmes = await ProgrammeSummaryEndpoints.List(session);
        }
        else
        {
            MyGrants = await GrantDetailsEndpoints.List(session, User);
        }

        return Page();
    }
}
