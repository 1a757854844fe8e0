using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wolverine;

namespace GrantLedger.Api.Pages;

/// <summary>
/// The language switcher on every page (a form in the layout): sets the culture cookie and, for a signed-in user, their
/// profile language through <see cref="ChangeOwnLanguageCommand"/> (the command of <c>PUT /api/me/language</c>), renews
/// the session's language claim, then returns to the page it came from: a local address only, anything else goes home.
/// </summary>
[AllowAnonymous]
public sealed class LanguageModel(IMessageBus bus) : PageModel
{
    public IActionResult OnGet() => LocalRedirect("/");

    public async Task<IActionResult> OnPostAsync(string? language, string? returnUrl)
    {
        var chosen = Languages.Supported(language);
        Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(chosen)),
            new CookieOptions { MaxAge = TimeSpan.FromDays(365), HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = Request.IsHttps, IsEssential = true });

        if (User.Identity?.IsAuthenticated == true && Guid.TryParse(CurrentUser.From(User).Id, out var id))
        {
            var outcome = Outcome.From(await bus.Send(new ChangeOwnLanguageCommand(id, chosen, RequestMetadata.From(HttpContext)),
                o => o.ToOk(), HttpContext.RequestAborted));
            if (outcome.Ok)
            {
                // The same session (sign-in time and stamp kept) with the new language claim.
                var authenticated = await HttpContext.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                if (authenticated.Succeeded)
                {
                    await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
                        CurrentUser.WithLanguage(authenticated.Principal, chosen), authenticated.Properties);
                }
            }
        }

        return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/");
    }
}
