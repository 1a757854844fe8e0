using GrantLedger.Api.Identity;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantLedger.Api.Pages;

/// <summary>The security log for administrators and auditors: sign-ins, failures, lockouts, refused sessions and 403s.</summary>
[Authorize(Policy = Policies.SecurityLog)]
public sealed class SecurityModel(IQuerySession session) : PageModel
{
    public const int PageSize = 50;

    public SecurityLogPage Log { get; private set; } = new([], 1, PageSize, false);

    public IReadOnlyDictionary<Guid, string> Users { get; private set; } = new Dictionary<Guid, string>();

    public Guid? UserId { get; private set; }

    public async Task OnGetAsync(int? page, Guid? userId)
    {
        UserId = userId;
        Log = await SecurityLogEndpoint.Read(session, Math.Clamp(page ?? 1, 1, 10_000), PageSize, userId);
        Users = (await session.Query<UserAccount>().OrderBy(u => u.Email).ToListAsync()).ToDictionary(u => u.Id, u => u.Email);
    }
}
