using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wolverine;

namespace GrantLedger.Api.Pages;

/// <summary>User administration for administrators: the same commands and handlers as the /api/users endpoints.</summary>
[Authorize(Policy = Policies.ManageUsers)]
public sealed class UsersModel(IQuerySession session, IMessageBus bus) : PageModel
{
    public IReadOnlyList<UserView> Users { get; private set; } = [];

    /// <summary>The organisations a grantee user can be bound to (by id).</summary>
    public IReadOnlyList<GrantLedger.Domain.Organisations.Organisation> Organisations { get; private set; } = [];
    public Outcome? Outcome { get; private set; }

    public async Task OnGetAsync()
    {
        Users = await UserListEndpoint.List(session);
        Organisations = await session.Query<GrantLedger.Domain.Organisations.Organisation>().OrderBy(o => o.ShortName).ToListAsync();
    }

    public async Task<IActionResult> OnPostAsync(string email, string displayName, string password, string role, Guid? granteeOrganisationId)
    {
        var request = new CreateUserRequest(email ?? "", displayName ?? "", password ?? "", RolesFor(role), granteeOrganisationId);
        return await Send(UserAdministration.Validate(request), () => new AddUserCommand(request, RequestMetadata.From(HttpContext)), SharedResource.Localizer["{0} was added.", email ?? ""]
);
    }

    public Task<IActionResult> OnPostDisableAsync(Guid id, string reason) =>
        Send(DisableUserEndpoint.Validate(new UserChangeRequest(reason ?? "")),
            () => new DisableUserCommand(id, (reason ?? "").Trim(), RequestMetadata.From(HttpContext)), "The user was disabled; their sessions end within a minute.");

    public Task<IActionResult> OnPostEnableAsync(Guid id, string reason) =>
        Send(EnableUserEndpoint.Validate(new UserChangeRequest(reason ?? "")),
            () => new EnableUserCommand(id, (reason ?? "").Trim(), RequestMetadata.From(HttpContext)), "The user was enabled.");

    public Task<IActionResult> OnPostRolesAsync(Guid id, string role, Guid? granteeOrganisationId, string reason)
    {
        var request = new UserRolesRequest(RolesFor(role), reason ?? "", granteeOrganisationId);
        return Send(ChangeUserRolesEndpoint.Validate(request),
            () => new ChangeUserRolesCommand(id, request.Roles, request.GranteeOrganisationId, request.Reason.Trim(), RequestMetadata.From(HttpContext)),
            "The roles were changed; the user signs in again within a minute.");
    }

    public Task<IActionResult> OnPostResetAsync(Guid id, string oneTimePassword, string reason) =>
        Send(ResetUserPasswordEndpoint.Validate(new PasswordResetRequest(oneTimePassword ?? "", reason ?? "")),
            () => new ResetUserPasswordCommand(id, oneTimePassword ?? "", (reason ?? "").Trim(), RequestMetadata.From(HttpContext)),
            "The one-time password was set: give it to the user; they must change it when they sign in.");

    private static string[] RolesFor(string? role) => role == Roles.Approver ? [Roles.Finance, Roles.Approver] : [role ?? ""];

    private async Task<IActionResult> Send(ProblemDetails invalid, Func<ILedgerCommand> command, string notice)
    {
        Outcome = invalid.Status is not null ? Pages.Outcome.Invalid(invalid) : Pages.Outcome.From(
            await bus.Send(command(), outcome => outcome.ToOk(), HttpContext.RequestAborted));
        if (Outcome.Ok)
        {
            TempData["Notice"] = notice;
            return Redirect("/users");
        }

        await OnGetAsync();
        return Page();
    }
}
