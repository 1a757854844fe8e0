using System.Security.Cryptography;
using System.Text;
using PdfSharp.Pdf;

namespace GrantLedger.Reports.Composition;

/// <summary>
/// Saves a laid-out document so the same report always gives the same bytes: PDFsharp otherwise tags font subsets with
/// random letters and writes random file and XMP ids. Verification re-renders a stored report and compares bytes, so
/// what this writes must not change between versions.
/// </summary>
internal static class DeterministicPdf
{
    public static byte[] Save(PdfDocument pdf, ReportDocument document)
    {
        MakeSubsetTagsDeterministic(pdf);
        // The file identifier (and the XMP ids derived from it) come from the report, not from a random GUID.
        var id = Convert.ToHexString(SHA256.HashData(
            Encoding.UTF8.GetBytes($"{document.Stamp.Hash}|{document.Title}|{document.Stamp.Position}"))[..16]);
        pdf.Internals.FirstDocumentID = id;
        pdf.Internals.SecondDocumentID = id;
        using var output = new MemoryStream();
        pdf.Save(output);
        return FixXmpIds(output.ToArray(), id);
    }

    /// <summary>
    /// PDFsharp writes random XMP DocumentID/InstanceID uuids when it saves. Replace them, in place and at the same
    /// length (so every cross-reference offset stays valid), with uuids derived from the report's identifier.
    /// </summary>
    private static byte[] FixXmpIds(byte[] bytes, string id)
    {
        var marker = "uuid:"u8.ToArray();
        var replacement = Encoding.ASCII.GetBytes(
            $"{id[..8]}-{id[8..12]}-{id[12..16]}-{id[16..20]}-{id[20..32]}".ToLowerInvariant());
        for (var at = bytes.AsSpan().IndexOf(marker); at >= 0;)
        {
            var start = at + marker.Length;
            if (start + 36 <= bytes.Length && bytes[start + 8] == '-' && bytes[start + 13] == '-')
            {
                replacement.CopyTo(bytes, start);
            }

            var next = bytes.AsSpan(start).IndexOf(marker);
            at = next < 0 ? -1 : start + next;
        }

        return bytes;
    }

    /// <summary>
    /// PDFsharp tags embedded font subsets with six random letters (Guid-based); derive them from the font name instead.
    /// </summary>
    private static void MakeSubsetTagsDeterministic(PdfDocument pdf)
    {
        foreach (var dictionary in pdf.Internals.GetAllObjects().OfType<PdfDictionary>())
        {
            foreach (var key in new[] { "/BaseFont", "/FontName" })
            {
                var name = dictionary.Elements.GetName(key);
                if (name.Length > 8 && name[7] == '+' && name[1..7].All(char.IsAsciiLetterUpper))
                {
                    var face = name[8..];
                    var digest = SHA256.HashData(Encoding.UTF8.GetBytes(face));
                    var tag = new string(digest.Take(6).Select(b => (char)('A' + b % 26)).ToArray());
                    dictionary.Elements.SetName(key, $"/{tag}+{face}");
                }
            }
        }
    }
}
