using System.Globalization;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace GrantLedger.Reports.Composition;

/// <summary>
/// Lays a <see cref="ReportDocument"/> out on A4 pages with PDFsharp: running header, "Page x of y" footer with the
/// report's position and hash, tables that repeat their header row across page breaks, vector charts. Layout only:
/// <see cref="DeterministicPdf"/> saves it so the same document gives the same bytes.
/// </summary>
public static class PdfComposer
{
    private const double PageWidth = 595.28;
    private const double PageHeight = 841.89;
    private const double Margin = 48;
    private const double Top = 76;
    private const double Bottom = PageHeight - 60;
    private const double ContentWidth = PageWidth - 2 * Margin;
    private const double LineHeight = 12.5;

    private static readonly XColor Ink = XColor.FromArgb(33, 37, 41);
    private static readonly XColor Muted = XColor.FromArgb(108, 117, 125);
    private static readonly XColor Rule = XColor.FromArgb(206, 212, 218);
    private static readonly XColor Shade = XColor.FromArgb(241, 243, 245);
    private static readonly XColor[] Palette =
    [
        XColor.FromArgb(31, 94, 140), XColor.FromArgb(214, 129, 43), XColor.FromArgb(76, 145, 65), XColor.FromArgb(153, 72, 120),
    ];

    public static byte[] Render(ReportDocument document)
    {
        EmbeddedFonts.Install();
        var pdf = new PdfDocument();
        pdf.Info.Title = document.Title;
        pdf.Info.Subject = document.Subtitle;
        pdf.Info.Author = "GrantLedger";
        pdf.Info.Creator = "GrantLedger";
        // The report's instant, not the clock's; set here, with the rest of the information dictionary, as its entries are
        // written in the order they were set and stored reports are verified byte for byte.
        pdf.Info.CreationDate = document.Stamp.CreatedFor.UtcDateTime;
        pdf.Info.ModificationDate = document.Stamp.CreatedFor.UtcDateTime;
        pdf.Info.Keywords = $"position={document.Stamp.Position}; sha256={document.Stamp.Hash}";
        pdf.Language = document.Texts.Language;
        foreach (var (key, value) in document.Stamp.Metadata)
        {
            pdf.Info.Elements.SetString("/" + key, value);
        }

        var writer = new PageWriter(pdf, document);
        foreach (var block in document.Blocks)
        {
            writer.Write(block);
        }

        writer.Finish();
        return DeterministicPdf.Save(pdf, document);
    }

    private sealed class PageWriter(PdfDocument pdf, ReportDocument document)
    {
        private readonly XFont _body = EmbeddedFonts.Font(8.5, XFontStyleEx.Regular);
        private readonly XFont _bold = EmbeddedFonts.Font(8.5, XFontStyleEx.Bold);
        private readonly XFont _cell = EmbeddedFonts.Font(7.5, XFontStyleEx.Regular);
        private readonly XFont _cellBold = EmbeddedFonts.Font(7.5, XFontStyleEx.Bold);
        private readonly XFont _small = EmbeddedFonts.Font(7, XFontStyleEx.Regular);
        private readonly XFont _h1 = EmbeddedFonts.Font(15, XFontStyleEx.Bold);
        private readonly XFont _h2 = EmbeddedFonts.Font(11, XFontStyleEx.Bold);
        private readonly List<PdfPage> _pages = [];
        private XGraphics? _gfx;
        private double _y;

        private XGraphics Gfx => _gfx ?? NewPage();

        public void Write(Block block)
        {
            switch (block)
            {
                case Heading h:
                    WriteHeading(h);
                    break;
                case Paragraph p:
                    WriteWrapped(p.Text, p.Bold ? _bold : _body, p.Muted ? Muted : Ink, Margin, ContentWidth);
                    _y += 4;
                    break;
                case Facts f:
                    WriteFacts(f);
                    break;
                case Table t:
                    WriteTable(t);
                    break;
                case LineChart c:
                    WriteLineChart(c);
                    break;
                case BarChart c:
                    WriteBarChart(c);
                    break;
                case PageBreak:
                    NewPage();
                    break;
            }
        }

        /// <summary>Headers and footers go on last, when the number of pages is known.</summary>
        public void Finish()
        {
            _ = Gfx;
            _gfx?.Dispose();
            for (var i = 0; i < _pages.Count; i++)
            {
                using var gfx = XGraphics.FromPdfPage(_pages[i]);
                gfx.DrawString(document.Title, _bold, new XSolidBrush(Ink), new XRect(Margin, 30, ContentWidth, 12), XStringFormats.TopLeft);
                gfx.DrawString(document.Stamp.AsOf, _small, new XSolidBrush(Muted), new XRect(Margin, 44, ContentWidth, 10), XStringFormats.TopLeft);
                gfx.DrawLine(new XPen(Rule, 0.6), Margin, 58, PageWidth - Margin, 58);
                gfx.DrawLine(new XPen(Rule, 0.6), Margin, PageHeight - 44, PageWidth - Margin, PageHeight - 44);
                gfx.DrawString(string.Format(CultureInfo.InvariantCulture, document.Texts.Footer, document.Stamp.Position, document.Stamp.Hash), _small,
                    new XSolidBrush(Muted), new XRect(Margin, PageHeight - 40, ContentWidth - 70, 10), XStringFormats.TopLeft);
                gfx.DrawString(string.Format(CultureInfo.InvariantCulture, document.Texts.PageOf, i + 1, _pages.Count), _small, new XSolidBrush(Muted),
                    new XRect(Margin, PageHeight - 40, ContentWidth, 10), XStringFormats.TopRight);
            }
        }

        private XGraphics NewPage()
        {
            _gfx?.Dispose();
            var page = pdf.AddPage();
            page.Width = XUnit.FromPoint(PageWidth);
            page.Height = XUnit.FromPoint(PageHeight);
            _pages.Add(page);
            _gfx = XGraphics.FromPdfPage(page);
            _y = Top;
            return _gfx;
        }

        private void EnsureSpace(double height)
        {
            if (_gfx is null || _y + height > Bottom)
            {
                NewPage();
            }
        }

        private void WriteHeading(Heading h)
        {
            var font = h.Level == 1 ? _h1 : _h2;
            EnsureSpace(font.Size * 2 + 40);
            _y += h.Level == 1 ? 2 : 8;
            Gfx.DrawString(h.Text, font, new XSolidBrush(Ink), new XRect(Margin, _y, ContentWidth, font.Size + 4), XStringFormats.TopLeft);
            _y += font.Size + 8;
        }

        private void WriteFacts(Facts facts)
        {
            foreach (var (key, value) in facts.Rows)
            {
                var lines = Wrap(value, _body, ContentWidth * 0.65);
                // A label longer than its column (Russian ones can be) wraps too, rather than running into the value.
                var labels = Wrap(key, _bold, ContentWidth * 0.35 - 6);
                EnsureSpace(Math.Max(lines.Count, labels.Count) * LineHeight);
                for (var i = 0; i < labels.Count; i++)
                {
                    Gfx.DrawString(labels[i], _bold, new XSolidBrush(Ink), new XRect(Margin, _y + i * LineHeight, ContentWidth * 0.35, LineHeight), XStringFormats.TopLeft);
                }

                var top = _y;
                foreach (var line in lines)
                {
                    Gfx.DrawString(line, _body, new XSolidBrush(Ink), new XRect(Margin + ContentWidth * 0.35, _y, ContentWidth * 0.65, LineHeight), XStringFormats.TopLeft);
                    _y += LineHeight;
                }

                _y = Math.Max(_y, top + labels.Count * LineHeight);
            }

            _y += 6;
        }

        private void WriteTable(Table table)
        {
            var total = table.Columns.Sum(c => c.Width);
            var widths = table.Columns.Select(c => c.Width / total * ContentWidth).ToArray();
            const double pad = 3;

            void Row(IReadOnlyList<string> cells, XFont font, XColor? fill)
            {
                // Figures are never broken across lines; text wraps at word boundaries.
                var wrapped = cells.Select((c, i) => table.Columns[i].Align == Align.Right && font != _cellBold || c.Length == 0
                    ? [c] : Wrap(c, font, widths[i] - 2 * pad)).ToList();
                var height = wrapped.Max(w => w.Count) * LineHeight + 2;
                if (_gfx is null || _y + height > Bottom)
                {
                    NewPage();
                    Row(table.Columns.Select(c => c.Title).ToList(), _cellBold, Shade); // the header again on each page
                }

                if (fill is { } color)
                {
                    Gfx.DrawRectangle(new XSolidBrush(color), Margin, _y, ContentWidth, height);
                }

                var x = Margin;
                for (var i = 0; i < cells.Count; i++)
                {
                    var format = table.Columns[i].Align == Align.Right ? XStringFormats.TopRight : XStringFormats.TopLeft;
                    for (var line = 0; line < wrapped[i].Count; line++)
                    {
                        Gfx.DrawString(wrapped[i][line], font, new XSolidBrush(Ink),
                            new XRect(x + pad, _y + 1 + line * LineHeight, widths[i] - 2 * pad, LineHeight), format);
                    }

                    x += widths[i];
                }

                _y += height;
                Gfx.DrawLine(new XPen(Rule, 0.4), Margin, _y, PageWidth - Margin, _y);
            }

            EnsureSpace(3 * LineHeight);
            Row(table.Columns.Select(c => c.Title).ToList(), _cellBold, Shade);
            foreach (var row in table.Rows)
            {
                Row(row, _cell, null);
            }

            if (table.Totals is { } totals)
            {
                Row(totals, _cellBold, Shade);
            }

            _y += 10;
        }

        private (double Left, double Top, double Width, double Height) ChartFrame(string title, double height)
        {
            EnsureSpace(height + 40);
            Gfx.DrawString(title, _bold, new XSolidBrush(Ink), new XRect(Margin, _y, ContentWidth, LineHeight), XStringFormats.TopLeft);
            _y += LineHeight + 16;
            var frame = (Left: Margin + 56, Top: _y, Width: ContentWidth - 60, Height: height);
            _y += height + 30;
            return frame;
        }

        private static decimal NiceMax(decimal max)
        {
            if (max <= 0m)
            {
                return 1m;
            }

            var magnitude = (decimal)Math.Pow(10, Math.Floor(Math.Log10((double)max)));
            foreach (var step in new[] { 1m, 2m, 2.5m, 5m, 10m })
            {
                if (step * magnitude >= max)
                {
                    return step * magnitude;
                }
            }

            return 10m * magnitude;
        }

        private void Axes((double Left, double Top, double Width, double Height) f, decimal max, string unit)
        {
            var pen = new XPen(Rule, 0.5);
            for (var i = 0; i <= 4; i++)
            {
                var y = f.Top + f.Height - f.Height * i / 4;
                Gfx.DrawLine(pen, f.Left, y, f.Left + f.Width, y);
                Gfx.DrawString(Amount(max * i / 4), _small, new XSolidBrush(Muted), new XRect(Margin, y - 5, 52, 10), XStringFormats.TopRight);
            }

            Gfx.DrawString(unit, _small, new XSolidBrush(Muted), new XRect(Margin, f.Top - 12, 60, 10), XStringFormats.TopLeft);
        }

        private void Legend(IReadOnlyList<Series> series, double y)
        {
            var x = Margin + 56;
            for (var i = 0; i < series.Count; i++)
            {
                var pen = new XPen(Palette[i % Palette.Length], 2) { DashStyle = series[i].Dashed ? XDashStyle.Dash : XDashStyle.Solid };
                Gfx.DrawLine(pen, x, y + 4, x + 14, y + 4);
                Gfx.DrawString(series[i].Name, _small, new XSolidBrush(Ink), new XRect(x + 18, y, 150, 10), XStringFormats.TopLeft);
                x += 160;
            }
        }

        private void WriteLineChart(LineChart chart)
        {
            var f = ChartFrame(chart.Title, 170);
            var max = NiceMax(chart.Series.SelectMany(s => s.Values).DefaultIfEmpty(0m).Max());
            Axes(f, max, chart.Unit);
            var count = Math.Max(chart.XLabels.Count, 2);
            double X(int i) => f.Left + f.Width * i / (count - 1);
            double Y(decimal v) => f.Top + f.Height - f.Height * (double)(v / max);
            var labelEvery = Math.Max(1, chart.XLabels.Count / 9);
            for (var i = 0; i < chart.XLabels.Count; i += labelEvery)
            {
                Gfx.DrawString(chart.XLabels[i], _small, new XSolidBrush(Muted), new XRect(X(i) - 25, f.Top + f.Height + 3, 50, 10), XStringFormats.TopCenter);
            }

            for (var s = 0; s < chart.Series.Count; s++)
            {
                var values = chart.Series[s].Values;
                if (values.Count < 2)
                {
                    continue;
                }

                var pen = new XPen(Palette[s % Palette.Length], 1.6) { DashStyle = chart.Series[s].Dashed ? XDashStyle.Dash : XDashStyle.Solid };
                Gfx.DrawLines(pen, values.Select((v, i) => new XPoint(X(i), Y(v))).ToArray());
            }

            Legend(chart.Series, f.Top + f.Height + 15);
        }

        private void WriteBarChart(BarChart chart)
        {
            var f = ChartFrame(chart.Title, 150);
            var max = NiceMax(chart.Series.SelectMany(s => s.Values).DefaultIfEmpty(0m).Max());
            Axes(f, max, chart.Unit);
            var groupWidth = f.Width / Math.Max(chart.Categories.Count, 1);
            var barWidth = groupWidth * 0.7 / Math.Max(chart.Series.Count, 1);
            for (var c = 0; c < chart.Categories.Count; c++)
            {
                var x0 = f.Left + c * groupWidth + groupWidth * 0.15;
                for (var s = 0; s < chart.Series.Count; s++)
                {
                    var value = c < chart.Series[s].Values.Count ? chart.Series[s].Values[c] : 0m;
                    var height = f.Height * (double)(value / max);
                    Gfx.DrawRectangle(new XSolidBrush(Palette[s % Palette.Length]), x0 + s * barWidth, f.Top + f.Height - height, barWidth * 0.92, height);
                }

                var label = Wrap(chart.Categories[c], _small, groupWidth - 4).FirstOrDefault() ?? "";
                Gfx.DrawString(label, _small, new XSolidBrush(Muted), new XRect(f.Left + c * groupWidth, f.Top + f.Height + 3, groupWidth, 10), XStringFormats.TopCenter);
            }

            Legend(chart.Series, f.Top + f.Height + 15);
        }

        private void WriteWrapped(string text, XFont font, XColor color, double x, double width)
        {
            foreach (var line in Wrap(text, font, width))
            {
                EnsureSpace(LineHeight);
                Gfx.DrawString(line, font, new XSolidBrush(color), new XRect(x, _y, width, LineHeight), XStringFormats.TopLeft);
                _y += LineHeight;
            }
        }

        private List<string> Wrap(string text, XFont font, double width)
        {
            var lines = new List<string>();
            foreach (var paragraph in (text ?? "").Split('\n'))
            {
                var current = "";
                foreach (var word in paragraph.Split(' '))
                {
                    var candidate = current.Length == 0 ? word : current + " " + word;
                    if (current.Length > 0 && Measure(candidate, font) > width)
                    {
                        lines.Add(current);
                        current = word;
                    }
                    else
                    {
                        current = candidate;
                    }

                    while (Measure(current, font) > width && current.Length > 1)
                    {
                        var cut = current.Length - 1;
                        while (cut > 1 && Measure(current[..cut], font) > width)
                        {
                            cut--;
                        }

                        lines.Add(current[..cut]);
                        current = current[cut..];
                    }
                }

                lines.Add(current);
            }

            return lines;
        }

        private double Measure(string text, XFont font) => Gfx.MeasureString(text, font).Width;
    }

    /// <summary>Money as finance staff read it: thousands separators, two decimals.</summary>
    public static string Amount(decimal value) => value.ToString("#,##0.00", CultureInfo.InvariantCulture);
}
