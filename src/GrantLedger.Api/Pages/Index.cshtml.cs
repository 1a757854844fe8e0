using GrantLedger.Api.Identity;
using GrantLedger.Api.Programmes;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantLedger.Api.Pages;

/// <summary>Home: staff see the programmes; a grantee goes to its grants, an administrator to the users.</summary>
public sealed class IndexModel(IQuerySession session) : PageModel
{
    public IReadOnlyList<ProgrammeListItem> Programmes { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        var user = CurrentUser.From(User);
        if (!user.Roles.Any(r => r is Roles.Finance or Roles.Auditor or Roles.Approver))
        {
            return Redirect(user.Roles.Contains(Roles.Admin) ? "/users" : "/grants");
        }

        Programmes = await ProgrammeSummaryEndpoints.List(session);
        return Page();
    }
}
