using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace GrantLedger.Reports.Composition;

/// <summary>
/// DejaVu Sans, shipped inside this assembly (no system fonts needed on a server), embedded as a subset in every PDF.
/// Covers Latin and Cyrillic, including Kyrgyz, Tajik and Kazakh letters (Кыргызстан, Тоҷикистон, Қазақстан).
/// Always Unicode-encoded (Identity-H with a ToUnicode map): PDFsharp's default would write ASCII-only strings with a
/// WinAnsi font that has no ToUnicode map, a second subset of the same face that PDF/A-2u does not accept.
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

    /// <summary>A DejaVu Sans font at a size, Unicode-encoded and embedded as a subset.</summary>
    public static XFont Font(double size, XFontStyleEx style) =>
        new(Family, size, style, new XPdfFontOptions(PdfFontEncoding.Unicode));

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
