using GrantLedger.Api.Identity;
using GrantLedger.Api.Notifications;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantLedger.Api.Pages;

[Authorize(Policy = Policies.ReadGrants)]
public sealed class NotificationsModel(IQuerySession session) : PageModel
{
    public IReadOnlyList<Notification> Items { get; private set; } = [];

    public async Task OnGetAsync() => Items = await NotificationFeedEndpoint.Get(session, null, 100, User);
}
