using PdfSharp.Fonts;

namespace GrantLedger.Reports.Composition;

/// <summary>
/// DejaVu Sans, shipped inside this assembly (no system fonts needed on a server), embedded as a subset in every PDF.
/// Covers Latin and Cyrillic, including Kyrgyz, Tajik and Kazakh letters (Кыргызстан, Тоҷикистон, Қазақстан).
/// </summary>
public sealed class EmbeddedFonts : IFontResolver
{
    public const string Family = "DejaVu Sans";
    private const string Regular = "DejaVuSans";
    private const string Bold = "DejaVuSans-Bold";
    private static readonly object Gate = new();
    private static bool _installed;

    /// <summary>PDFsharp's font resolver is process-wide; install ours once.</summary>
    public static void Install()
    {
        lock (Gate)
        {
            if (!_installed)
            {
                GlobalFontSettings.FontResolver = new EmbeddedFonts();
                _installed = true;
            }
        }
    }

    public FontResolverInfo ResolveTypeface(string familyName, bool isBold, bool isItalic) =>
        new(isBold ? Bold : Regular);

    public byte[] GetFont(string faceName)
    {
        using var stream = typeof(EmbeddedFonts).Assembly.GetManifestResourceStream($"GrantLedger.Reports.Fonts.{faceName}.ttf")
            ?? throw new InvalidOperationException($"Font {faceName} is not embedded.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
