using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wolverine;

namespace GrantLedger.Api.Pages;

/// <summary>User administration for administrators: the same command and handler as POST /api/users.</summary>
[Authorize(Policy = Policies.ManageUsers)]
public sealed class UsersModel(IQuerySession session, IMessageBus bus) : PageModel
{
    public IReadOnlyList<UserView> Users { get; private set; } = [];
    public Outcome? Outcome { get; private set; }

    public async Task OnGetAsync() => Users = await UserListEndpoint.List(session);

    public async Task<IActionResult> OnPostAsync(string email, string displayName, string password, string role, string? granteeOrganisation)
    {
        var roles = role == Roles.Approver ? new[] { Roles.Finance, Roles.Approver } : [role];
        var request = new CreateUserRequest(email ?? "", displayName ?? "", password ?? "", roles,
            string.IsNullOrWhiteSpace(granteeOrganisation) ? null : granteeOrganisation.Trim());
        var invalid = UserAdministration.Validate(request);
        Outcome = invalid.Status is not null ? Pages.Outcome.Invalid(invalid) : Pages.Outcome.From(
            await bus.Send(new AddUserCommand(request, RequestMetadata.From(HttpContext)), outcome => outcome.ToOk(), HttpContext.RequestAborted));
        if (Outcome.Ok)
        {
            TempData["Notice"] = $"{email} was added.";
            return Redirect("/users");
        }

        Users = await UserListEndpoint.List(session);
        return Page();
    }
}
