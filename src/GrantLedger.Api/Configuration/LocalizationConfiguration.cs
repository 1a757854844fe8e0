using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.Extensions.WebEncoders;
using GrantLedger.Api.Identity;
using Microsoft.AspNetCore.Localization;

namespace GrantLedger.Api.Configuration;

/// <summary>
/// The pages speak English or Russian (docs/ui.md, "Languages"). Only the UI culture changes per request: it picks the
/// texts and the pages' number and date formats (<c>Ui</c>). The culture that <c>ToString()</c> and string
/// interpolation use stays invariant everywhere, so events, hashes, problem details, CSV and JSON never depend on who
/// is reading; the API does not run the localization middleware at all.
/// </summary>
public static class LocalizationConfiguration
{
    public static WebApplicationBuilder AddGrantLedgerLocalization(this WebApplicationBuilder builder)
    {
        // The machine's locale (LANG) must not leak into anything recorded or answered.
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.InvariantCulture;
        builder.Services.AddLocalization(o => o.ResourcesPath = SharedResource.ResourcesPath);
        // Razor writes Cyrillic as it is, not as numeric character references (what is encoded for safety stays encoded).
        builder.Services.Configure<WebEncoderOptions>(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        builder.Services.Configure<RequestLocalizationOptions>(o =>
        {
            o.DefaultRequestCulture = new RequestCulture(CultureInfo.InvariantCulture, new CultureInfo(Languages.English));
            o.SupportedCultures = [CultureInfo.InvariantCulture];
            o.SupportedUICultures = [.. Languages.All.Select(l => new CultureInfo(l))];
            o.FallBackToParentUICultures = true;
            // The profile's language first, then the cookie the switcher sets, then the browser's Accept-Language.
            o.RequestCultureProviders =
            [
                new ProfileLanguageCultureProvider(),
                new CookieRequestCultureProvider(),
                new AcceptLanguageHeaderRequestCultureProvider(),
            ];
        });
        return builder;
    }

    /// <summary>After authentication (the first provider reads the session); pages only, the API stays invariant.</summary>
    public static WebApplication UseGrantLedgerLocalization(this WebApplication app)
    {
        app.UseWhen(context => !context.Request.Path.StartsWithSegments("/api"), pages => pages.UseRequestLocalization());
        return app;
    }
}
