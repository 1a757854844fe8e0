using GrantLedger.Api.Identity;
using GrantLedger.Domain.Grants;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantLedger.Api.Pages;

[Authorize(Policy = Policies.Approve)]
public sealed class ApprovalsModel(IQuerySession session) : PageModel
{
    public IReadOnlyList<(Grant Grant, Disbursement Disbursement)> Pending { get; private set; } = [];

    /// <summary>Payments others recorded: nobody approves their own.</summary>
    public async Task OnGetAsync() =>
        Pending = (await session.Query<Grant>().ToListAsync())
            .SelectMany(g => g.Disbursements.Where(d => d.IsReserved && d.RecordedBy != CurrentUser.From(User).Id).Select(d => (g, d)))
            .OrderBy(x => x.d.ValueDate)
            .ToList();
}
