using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using Marten;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using NodaTime;
using Wolverine;

namespace GrantLedger.Api.Pages.Account;

/// <summary>
/// Change one's own password: the same command as <c>POST /api/me/password</c>. Open to a session signed in with a
/// one-time password (which has no roles), so it checks for a signed-in user itself.
/// </summary>
public sealed class PasswordModel(IMessageBus bus, IQuerySession session, IClock clock) : PageModel
{
    public bool MustChange => User.HasClaim(LedgerClaims.PasswordChangeOnly, "true");
    public Outcome? Outcome { get; private set; }

    public IActionResult OnGet() => User.Identity?.IsAuthenticated == true ? Page() : Redirect("/signin");

    public async Task<IActionResult> OnPostAsync(string currentPassword, string newPassword)
    {
        if (User.Identity?.IsAuthenticated != true || !Guid.TryParse(CurrentUser.From(User).Id, out var id))
        {
            return Redirect("/signin");
        }

        var request = new PasswordChangeRequest(currentPassword ?? "", newPassword ?? "");
        var invalid = ChangeOwnPasswordEndpoint.Validate(request);
        Outcome = invalid.Status is not null ? Pages.Outcome.Invalid(invalid) : Pages.Outcome.From(await bus.Send(
            new ChangeOwnPasswordCommand(id, request.CurrentPassword, request.NewPassword, RequestMetadata.From(HttpContext)),
            outcome => outcome.ToOk(), HttpContext.RequestAborted));
        if (!Outcome.Ok)
        {
            return Page();
        }

        // The change gave the user a new security stamp: this browser gets a session under it (others end within a minute).
        if (await session.LoadAsync<UserAccount>(id, HttpContext.RequestAborted) is { } user)
        {
            await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
                CurrentUser.Principal(user, CookieAuthenticationDefaults.AuthenticationScheme, clock.GetCurrentInstant()));
        }

        TempData["Notice"] = SharedResource.Localizer["Your password was changed."].Value;

        return Redirect("/");
    }
}
