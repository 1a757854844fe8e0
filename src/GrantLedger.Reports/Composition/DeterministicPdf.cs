using System.Globalization;
using System.Security;
using System.Security.Cryptography;
using System.Text;
using PdfSharp.Pdf;

namespace GrantLedger.Reports.Composition;

/// <summary>
/// Saves a laid-out document so the same report always gives the same bytes, as a PDF/A-2u candidate: PDFsharp otherwise
/// tags font subsets with random letters, writes random file and XMP ids, and (6.2.4) has no PDF/A-2 support of its own
/// (its <c>SetPdfA()</c> claims PDF/A-1a and attaches a structure-tree manager that refuses drawing on an earlier page,
/// which the running headers do). Verification re-renders a stored report and compares the figures it prints, so what
/// this writes must not depend on the clock, the machine or the run.
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
        AddOutputIntent(pdf);
        using var output = new MemoryStream();
        pdf.Save(output);
        var metadata = pdf.Internals.Catalog.Elements.GetReference("/Metadata")
            ?? throw new InvalidOperationException("PDFsharp wrote no XMP metadata stream.");
        return ReplaceLastObject(output.ToArray(), metadata.ObjectNumber, Xmp(pdf, document, id));
    }

    /// <summary>
    /// PDF/A needs an output intent for device colours (our RGB inks): sRGB, with the ICC profile PDFsharp ships in its
    /// own assembly (color.org's sRGB2014), the profile its own PDF/A attempt uses.
    /// </summary>
    private static void AddOutputIntent(PdfDocument pdf)
    {
        using var icc = typeof(PdfDocument).Assembly.GetManifestResourceStream("PdfSharp.Resources.sRGB2014.icc")
            ?? throw new InvalidOperationException("PDFsharp's sRGB ICC profile is not in its assembly.");
        using var buffer = new MemoryStream();
        icc.CopyTo(buffer);
        var profile = new PdfDictionary(pdf);
        pdf.Internals.AddObject(profile);
        profile.Elements.SetInteger("/N", 3);
        profile.CreateStream(buffer.ToArray());

        var intent = new PdfDictionary(pdf);
        intent.Elements.SetName("/Type", "/OutputIntent");
        intent.Elements.SetName("/S", "/GTS_PDFA1");
        intent.Elements.SetString("/OutputConditionIdentifier", "sRGB IEC61966-2.1");
        intent.Elements.SetString("/RegistryName", "http://www.color.org");
        intent.Elements.SetString("/Info", "sRGB IEC61966-2.1");
        intent.Elements.SetReference("/DestOutputProfile", profile);
        pdf.Internals.Catalog.Elements["/OutputIntents"] = new PdfArray(pdf, intent);
    }

    /// <summary>
    /// Our XMP packet: PDF/A-2u identification, the information dictionary's entries as PDF/A requires them mirrored
    /// (read back from what PDFsharp wrote, so they are equal), XML-escaped (PDFsharp's own packet is not, so an
    /// ampersand in a grantee's name made it malformed), and ids and dates from the report, never the clock.
    /// </summary>
    private static byte[] Xmp(PdfDocument pdf, ReportDocument document, string id)
    {
        static string X(string text) => SecurityElement.Escape(text);
        var uuid = $"{id[..8]}-{id[8..12]}-{id[12..16]}-{id[16..20]}-{id[20..32]}".ToLowerInvariant();
        var date = document.Stamp.CreatedFor.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);
        var info = pdf.Info;
        var xmp = $"""
            <?xpacket begin="{'\uFEFF'}" id="W5M0MpCehiHzreSzNTczkc9d"?>
            <x:xmpmeta xmlns:x="adobe:ns:meta/">
             <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
              <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
               <pdfaid:part>2</pdfaid:part>
               <pdfaid:conformance>U</pdfaid:conformance>
              </rdf:Description>
              <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
               <dc:format>application/pdf</dc:format>
               <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{X(info.Title)}</rdf:li></rdf:Alt></dc:title>
               <dc:creator><rdf:Seq><rdf:li>{X(info.Author)}</rdf:li></rdf:Seq></dc:creator>
               <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{X(info.Subject)}</rdf:li></rdf:Alt></dc:description>
               <dc:language><rdf:Bag><rdf:li>{X(document.Texts.Language)}</rdf:li></rdf:Bag></dc:language>
              </rdf:Description>
              <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
               <xmp:CreatorTool>{X(info.Creator)}</xmp:CreatorTool>
               <xmp:CreateDate>{date}</xmp:CreateDate>
               <xmp:ModifyDate>{date}</xmp:ModifyDate>
               <xmp:MetadataDate>{date}</xmp:MetadataDate>
              </rdf:Description>
              <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
               <pdf:Producer>{X(info.Producer)}</pdf:Producer>
               <pdf:Keywords>{X(info.Keywords)}</pdf:Keywords>
              </rdf:Description>
              <rdf:Description rdf:about="" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">
               <xmpMM:DocumentID>uuid:{uuid}</xmpMM:DocumentID>
               <xmpMM:InstanceID>uuid:{uuid}</xmpMM:InstanceID>
              </rdf:Description>
             </rdf:RDF>
            </x:xmpmeta>
            <?xpacket end="r"?>
            """;
        return Encoding.UTF8.GetBytes(xmp.ReplaceLineEndings("\n"));
    }

    /// <summary>
    /// Replaces PDFsharp's XMP stream with ours. PDFsharp creates it last while saving (after renumbering), so it is the
    /// highest-numbered object and written last, right before the cross-reference table: replacing it moves no other
    /// object, only the table, so only <c>startxref</c> changes. Anything else found means PDFsharp changed how it
    /// writes, and saving fails rather than writing a broken file.
    /// </summary>
    private static byte[] ReplaceLastObject(byte[] bytes, int objectNumber, byte[] stream)
    {
        var startxrefAt = bytes.AsSpan().LastIndexOf("startxref\n"u8);
        var xrefAt = int.Parse(Encoding.ASCII.GetString(bytes, startxrefAt + 10, bytes.AsSpan(startxrefAt + 10).IndexOf((byte)'\n')),
            NumberStyles.None, CultureInfo.InvariantCulture);
        // "xref", "0 n", then one 20-byte entry per object: "0000012345 00000 n \n".
        var table = Encoding.ASCII.GetString(bytes, xrefAt, startxrefAt - xrefAt).Split('\n');
        var entries = table.Skip(2).TakeWhile(l => l.Length == 19 && l[10] == ' ' && l[16] == ' ').ToList();
        if (table[0] != "xref" || table[1] != $"0 {entries.Count}" || objectNumber >= entries.Count)
        {
            throw new InvalidOperationException("PDFsharp's cross-reference table is not the single section this expects.");
        }

        var offsets = entries.Where(l => l[17] == 'n').Select(l => long.Parse(l[..10], CultureInfo.InvariantCulture)).ToList();
        var at = (int)long.Parse(entries[objectNumber][..10], CultureInfo.InvariantCulture);
        var header = Encoding.ASCII.GetBytes($"{objectNumber} 0 obj\n");
        if (at != offsets.Max() || !bytes.AsSpan(at).StartsWith(header))
        {
            throw new InvalidOperationException("PDFsharp's XMP stream is not the last object written.");
        }

        using var output = new MemoryStream();
        output.Write(bytes, 0, at);
        output.Write(header);
        output.Write(Encoding.ASCII.GetBytes($"<</Type/Metadata/Subtype/XML/Length {stream.Length}>>\nstream\n"));
        output.Write(stream);
        output.Write("\nendstream\nendobj\n"u8);
        var newXrefAt = output.Position;
        output.Write(bytes, xrefAt, startxrefAt - xrefAt);
        output.Write(Encoding.ASCII.GetBytes($"startxref\n{newXrefAt.ToString(CultureInfo.InvariantCulture)}\n%%EOF\n"));
        return output.ToArray();
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
