using System.Globalization;

namespace GrantLedger.Api.Pages;

/// <summary>
/// Geometry for the pages' SVG charts: a value axis with round ticks, coordinates written culture-invariant (SVG
/// wants dots) and tick labels in the reader's culture. Every chart also has its figures as a table beside it.
/// </summary>
public static class Charts
{
    /// <summary>Round ticks from zero up to at least <paramref name="max"/>: steps of 1, 2, 2.5 or 5 × 10ⁿ, about <paramref name="steps"/> of them.</summary>
    public static IReadOnlyList<decimal> Ticks(decimal max, int steps = 4)
    {
        if (max <= 0m)
        {
            return [0m, 1m];
        }

        var raw = max / steps;
        var magnitude = 1m;
        while (magnitude * 10m <= raw)
        {
            magnitude *= 10m;
        }

        while (magnitude > raw)
        {
            magnitude /= 10m;
        }

        var step = new[] { 1m, 2m, 2.5m, 5m, 10m }.Select(f => f * magnitude).First(s => s >= raw);
        var ticks = new List<decimal>();
        for (var tick = 0m; ticks.Count == 0 || ticks[^1] < max; tick += step)
        {
            ticks.Add(tick);
        }

        return ticks;
    }

    /// <summary>A coordinate for an SVG attribute (always a dot, whatever the page's culture).</summary>
    public static string At(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>A tick or value label: whole euros with the reader's group separator.</summary>
    public static string Label(decimal amount) => Math.Round(amount, 0, MidpointRounding.AwayFromZero).ToString("#,##0", Ui.Culture);

    /// <summary>Where <paramref name="value"/> falls between <paramref name="from"/> (at zero) and <paramref name="to"/> (at <paramref name="top"/>).</summary>
    public static double Scale(decimal value, decimal top, double from, double to) =>
        top <= 0m ? from : from + (double)(Math.Clamp(value, 0m, top) / top) * (to - from);

    /// <summary>Which of <paramref name="count"/> categories get a label so that at most <paramref name="labels"/> do (first and last always).</summary>
    public static bool Labelled(int index, int count, int labels = 7)
    {
        var every = Math.Max(1, (int)Math.Ceiling((count - 1) / (double)Math.Max(1, labels - 1)));
        return index == count - 1 || (index % every == 0 && count - 1 - index >= every / 2);
    }
}
