using GrantLedger.Api.Identity;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantLedger.Api.Pages;

/// <summary>User administration for administrators, through the same handler as POST /api/users.</summary>
[Authorize(Policy = Policies.ManageUsers)]
public sealed class UsersModel(IDocumentSession session, IPasswordHasher<UserAccount> hasher) : PageModel
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
        Outcome = invalid.Status is not null ? Pages.Outcome.Invalid(invalid) : Pages.Outcome.From(await UserAdministration.Post(request, session, hasher, HttpContext));
        if (Outcome.Ok)
        {
            TempData["Notice"] = $"{email} was added.";
            return Redirect("/users");
        }

        Users = await UserListEndpoint.List(session);
        return Page();
    }
}
