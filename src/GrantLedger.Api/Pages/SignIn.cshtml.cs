using GrantLedger.Api.Configuration;
using GrantLedger.Api.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using NodaTime;

namespace GrantLedger.Api.Pages;

[AllowAnonymous]
public sealed class SignInModel(SignInGate gate, IClock clock, IOptions<OidcOptions> oidc) : PageModel
{
    public OidcOptions Oidc => oidc.Value;

    /// <summary>Sign in with the organisation's identity provider (when configured); the ledger user is bound by issuer and subject.</summary>
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

    /// <summary>The same password check, lockout and throttling included, as the token endpoint; then a cookie for the browser.</summary>
    public async Task<IActionResult> OnPostAsync(string? returnUrl)
    {
        var email = Email.Length <= 320 ? Email : "";
        var password = Password.Length <= UserRules.MaximumPasswordLength ? Password : "";
        var outcome = await gate.Check(email, password, RateLimitConfiguration.AddressOf(HttpContext), HttpContext.RequestAborted);
        if (outcome.User is not { } user)
        {
            if (outcome.RetryAfterSeconds is { } seconds)
            {
                Response.StatusCode = StatusCodes.Status429TooManyRequests;
                Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                Error = SharedResource.Localizer["Too many sign-in attempts for this e-mail address. Try again in {0} seconds.", seconds];
                return Page();
            }

            Error = SharedResource.Localizer[SignInGate.FailureMessage];

            return Page();
        }

        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
            CurrentUser.Principal(user, CookieAuthenticationDefaults.AuthenticationScheme, clock.GetCurrentInstant()));
        if (user.MustChangePassword)
        {
            return Redirect("/account/password");
        }

        return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/");
    }
}
