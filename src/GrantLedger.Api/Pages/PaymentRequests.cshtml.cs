using GrantLedger.Api.Grants;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wolverine;

namespace GrantLedger.Api.Pages;

/// <summary>
/// The payment-request queue: what grantees asked for, oldest first. Finance pays a request from the grant page (the
/// record-disbursement form of that request, <c>/grants/{id}#request-{requestId}</c>) or declines it here with a reason;
/// both send the same commands as the API.
/// </summary>
[Authorize(Policy = Policies.ReadGrants)]
public sealed class PaymentRequestsModel(IQuerySession session, IMessageBus bus, IAuthorizationService authorization) : PageModel
{
    public IReadOnlyList<PaymentRequestListItem> Requests { get; private set; } = [];
    public IReadOnlyDictionary<string, string> Requesters { get; private set; } = new Dictionary<string, string>();
    public string Status { get; private set; } = "open";
    public Outcome? Outcome { get; private set; }
    public Guid? ActedOn { get; private set; }
    public bool Finance { get; private set; }

    public async Task OnGetAsync(string? status) => await Load(status);

    public async Task<IActionResult> OnPostDeclineAsync(Guid grantId, Guid requestId, string reason)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.Finance)).Succeeded)
        {
            return Forbid();
        }

        var request = new DeclinePaymentRequestRequest(reason ?? "");
        var invalid = DeclinePaymentRequestEndpoint.Validate(request);
        var outcome = invalid.Status is not null ? Pages.Outcome.Invalid(invalid)
            : Pages.Outcome.From(await DeclinePaymentRequestEndpoint.Post(grantId, requestId, request, bus, HttpContext));
        if (outcome.Ok)
        {
            TempData["Notice"] = "The payment request was declined; the grantee sees your reason.";
            return Redirect("/payment-requests");
        }

        (Outcome, ActedOn) = (outcome, requestId);
        await Load("open");
        return Page();
    }

    private async Task Load(string? status)
    {
        Status = status is "declined" or "paid" ? status : "open";
        Finance = (await authorization.AuthorizeAsync(User, Policies.Finance)).Succeeded;
        Requests = await PaymentRequestQueryEndpoints.For(session, CurrentUser.From(User), Status);
        Requesters = await NamesOf(session, Requests.Select(r => r.Request.RequestedBy));
    }

    /// <summary>Display names of the users who asked, by user id (events name users by id).</summary>
    public static async Task<IReadOnlyDictionary<string, string>> NamesOf(IQuerySession session, IEnumerable<string> userIds)
    {
        var ids = userIds.Select(id => Guid.TryParse(id, out var g) ? g : Guid.Empty).Where(g => g != Guid.Empty).Distinct().ToArray();
        if (ids.Length == 0)
        {
            return new Dictionary<string, string>();
        }

        var users = await session.LoadManyAsync<UserAccount>(ids);
        return users.ToDictionary(u => u.Id.ToString(), u => u.DisplayName);
    }
}
