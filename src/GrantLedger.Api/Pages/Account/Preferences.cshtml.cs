using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using Marten;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wolverine;

namespace GrantLedger.Api.Pages.Account;

/// <summary>
/// One's own preferences: the language of the pages, e-mail and grantee PDFs (<c>PUT /api/me/language</c>'s command) and
/// whether non-essential e-mail is wanted (<c>PUT /api/me/preferences</c>'s command).
/// </summary>
public sealed class PreferencesModel(IMessageBus bus, IQuerySession session) : PageModel
{
    public string Language { get; private set; } = Languages.English;
    public bool NonEssentialMail { get; private set; } = true;
    public Outcome? Outcome { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (await Me() is not { } user)
        {
            return Redirect("/signin");
        }

        Language = Languages.Supported(user.Language);
        NonEssentialMail = user.NonEssentialMail;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? language, bool nonEssentialMail)
    {
        if (await Me() is not { } user)
        {
            return Redirect("/signin");
        }

        var invalid = ChangeOwnLanguageEndpoint.Validate(new LanguageRequest(language ?? ""));
        Outcome = invalid.Status is not null ? Pages.Outcome.Invalid(invalid) : Pages.Outcome.From(await bus.Send(
            new ChangeOwnLanguageCommand(user.Id, language!.Trim().ToLowerInvariant(), RequestMetadata.From(HttpContext)),
            outcome => outcome.ToOk(), HttpContext.RequestAborted));
        if (Outcome.Ok && nonEssentialMail != user.NonEssentialMail)
        {
            Outcome = Pages.Outcome.From(await bus.Send(new Notifications.SetMailPreferencesCommand(user.Id, nonEssentialMail, RequestMetadata.From(HttpContext)),
                outcome => outcome.ToOk(), HttpContext.RequestAborted));
        }

        if (!Outcome.Ok)
        {
            Language = Languages.Supported(user.Language);
            NonEssentialMail = user.NonEssentialMail;
            return Page();
        }

        var chosen = Languages.Supported(language);
        var authenticated = await HttpContext.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        if (authenticated.Succeeded)
        {
            await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
                CurrentUser.WithLanguage(authenticated.Principal, chosen), authenticated.Properties);
        }

        TempData["Notice"] = "Your preferences were saved.";
        return Redirect("/account/preferences");
    }

    private async Task<UserAccount?> Me() =>
        User.Identity?.IsAuthenticated == true && Guid.TryParse(CurrentUser.From(User).Id, out var id)
            ? await session.LoadAsync<UserAccount>(id, HttpContext.RequestAborted)
            : null;
}
