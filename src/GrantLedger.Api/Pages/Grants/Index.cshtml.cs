using GrantLedger.Api.Grants;
using GrantLedger.Api.Identity;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantLedger.Api.Pages.Grants;

[Authorize(Policy = Policies.ReadGrants)]
public sealed class GrantsIndexModel(IQuerySession session) : PageModel
{
    public IReadOnlyList<GrantListItem> Grants { get; private set; } = [];
    public bool IsGrantee { get; private set; }

    public async Task OnGetAsync()
    {
        IsGrantee = CurrentUser.From(User).IsGrantee;
        Grants = await GrantDetailsEndpoints.List(session, User);
    }
}
