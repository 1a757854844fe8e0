using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GrantLedger.Api;

/// <summary>
/// The pages' texts in every language: <c>Resources/SharedResource.resx</c> (English, the key is the English text) and
/// <c>Resources/SharedResource.ru.resx</c> (Russian; docs/glossary-ru.md fixes the domain terms). Views use it as
/// <c>T["…"]</c> (<c>IStringLocalizer&lt;SharedResource&gt;</c>, injected in <c>_ViewImports</c>).
/// </summary>
public sealed class SharedResource
{
    public const string ResourcesPath = "Resources";

    /// <summary>
    /// The same localizer for static helpers (<c>Ui.FieldError</c>): a resource-manager localizer holds no state
    /// but the resources, and reads the request's UI culture at each lookup.
    /// </summary>
    public static IStringLocalizer Localizer { get; } = new ResourceManagerStringLocalizerFactory(
            Options.Create(new LocalizationOptions { ResourcesPath = ResourcesPath }), NullLoggerFactory.Instance)
        .Create(typeof(SharedResource));
}
