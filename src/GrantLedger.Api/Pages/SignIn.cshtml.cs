using GrantLedger.Api.Identity;
using Marten;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using NodaTime;

namespace GrantLedger.Api.Pages;

[AllowAnonymous]
public sealed class SignInModel(IDocumentSession session, IPasswordHasher<UserAccount> hasher, IClock clock, IOptions<AuthOptions> options,
    IOptions<OidcOptions> oidc) : PageModel
{
    public OidcOptions Oidc => oidc.Value;

    /// <summary>Sign in with the organisation's identity provider (when configured); the ledger user is found by e-mail.</summary>
    public IActionResult OnGetOrganisation() =>
        oidc.Value.Enabled
            ? Challenge(new AuthenticationProperties { RedirectUri = "/" }, Microsoft.AspNetCore.Authentication.OpenIdConnect.OpenIdConnectDefaults.AuthenticationScheme)
            : NotFound();

    [BindProperty]
    public string Email { get; set; } = "";

    [BindProperty]
    public string Password { get; set; } = "";

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    /// <summary>The same password check, lockout included, as the token endpoint; then a cookie for the browser.</summary>
    public async Task<IActionResult> OnPostAsync(string? returnUrl)
    {
        var outcome = await Identity.SignIn.Check(session, hasher, clock, options.Value, Email, Password);
        if (outcome.User is not { } user)
        {
            Error = outcome.Problem is Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult { ProblemDetails.Status: 423 }
                ? "Too many failed attempts: the account is locked for a while. Try again later or ask an administrator."
                : "The e-mail or password is not right.";
            return Page();
        }

        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
            CurrentUser.Principal(user, CookieAuthenticationDefaults.AuthenticationScheme));
        return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/");
    }
}
