using Microsoft.Data.Analysis;
using Microsoft.FSharp.Core;
using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace ResearchKit.Reports;

/// <summary>
/// The kit's charts, built from the DataFrames it returns (results, curves, per-domain and conditional tables). Plain
/// Plotly.NET <see cref="GenericChart"/>s: they render in VS Code (Plotly.NET.Interactive) and offline in the headless
/// runner's HTML (<see cref="ChartHtml"/>).
/// </summary>
public static class Charts
{
    /// <summary>Bars of <paramref name="value"/> per <paramref name="category"/>; with <paramref name="series"/>, one
    /// group of bars per series value (e.g. category = domain, series = arm). Rows whose category is "all" or
    /// <see cref="Corpus.CorpusStats.TotalRow"/> are left out unless <paramref name="keepTotals"/>.</summary>
    /// <param name="error">A column of ± half-widths drawn as error bars, e.g. <c>val_loss_ci95</c> (empty cells: no bar).</param>
    /// <param name="startAtZero">False: the value axis spans the data (and error bars) with a margin instead of starting
    /// at zero, so differences of a few percent between losses stay visible.</param>
    public static GenericChart Bars(DataFrame frame, string category, string value, string? series = null, string? title = null, bool keepTotals = false,
        string? error = null, bool startAtZero = true)
    {
        if (error is not null && frame.Columns.IndexOf(error) < 0)
            throw new ArgumentException($"the table has no column '{error}' (it has: {string.Join(", ", frame.Columns.Select(c => c.Name))})", nameof(error));
        var rows = Rows(frame, category, value, series).Where(r => keepTotals || !IsTotal(r.Category)).ToList();
        var charts = rows.GroupBy(r => r.Series).Select(g =>
        {
            var bars = Chart.Column<double, string, string>(values: g.Select(r => r.Value), Keys: g.Select(r => r.Category).ToArray(), Name: g.Key ?? value);
            if (error is null) return bars;
            var halfWidths = g.Select(r => frame[error][r.Row] is { } e ? Convert.ToDouble(e, System.Globalization.CultureInfo.InvariantCulture) : 0.0).ToArray();
            var bar = new Plotly.NET.TraceObjects.Error();
            bar.SetProperty("type", "data");
            bar.SetProperty("array", halfWidths);
            bar.SetProperty("visible", true);
            return Plotly.NET.Chart.withYError(bar).Invoke(bars);
        });
        var chart = Chart.Combine(charts).WithXAxisStyle<double, double, string>(TitleText: category);
        if (!startAtZero && rows.Count > 0)
        {
            var spans = rows.Select(r => (Low: r.Value - HalfWidth(frame, error, r.Row), High: r.Value + HalfWidth(frame, error, r.Row))).ToList();
            double low = spans.Min(s => s.Low), high = spans.Max(s => s.High), margin = Math.Max(high - low, Math.Abs(high) * 1e-3) * 0.15;
            chart = chart.WithYAxisStyle<double, double, string>(TitleText: value, MinMax: new Tuple<double, double>(low - margin, high + margin));
        }
        else chart = chart.WithYAxisStyle<double, double, string>(TitleText: value);
        return Titled(chart, title ?? (series is null ? $"{value} by {category}" : $"{value} by {category} and {series}"));
    }

    static double HalfWidth(DataFrame frame, string? error, long row) =>
        error is not null && frame[error][row] is { } e ? Convert.ToDouble(e, System.Globalization.CultureInfo.InvariantCulture) : 0;

    /// <summary>Lines of <paramref name="y"/> against <paramref name="x"/>, one per <paramref name="series"/> value,
    /// smoothed by a trailing mean over <paramref name="smooth"/> points (1 = raw) so noisy per-step losses compare.</summary>
    public static GenericChart Lines(DataFrame frame, string x, string y, string? series = null, int smooth = 1, string? title = null)
    {
        if (smooth < 1) throw new ArgumentOutOfRangeException(nameof(smooth), "smoothing window is at least 1");
        var points = Rows(frame, x, y, series).Select(r => (X: Convert.ToDouble(r.Key ?? throw new ArgumentException($"column '{x}' has an empty cell")), r.Series, Y: r.Value)).ToList();
        if (points.Count == 0) throw new ArgumentException($"the table has no values in column '{y}'", nameof(y));
        var lines = points.GroupBy(p => p.Series).Select(g =>
        {
            var ordered = g.OrderBy(p => p.X).ToList();
            var smoothed = ordered.Select((_, i) => ordered.Skip(Math.Max(0, i - smooth + 1)).Take(Math.Min(smooth, i + 1)).Average(q => q.Y));
            return Chart.Line<double, double, string>(x: ordered.Select(p => p.X), y: smoothed, Name: g.Key ?? y);
        });
        var chart = Chart.Combine(lines).WithXAxisStyle<double, double, string>(TitleText: x).WithYAxisStyle<double, double, string>(TitleText: y);
        return Titled(chart, title ?? (smooth > 1 ? $"{y} (mean of {smooth} points)" : y));
    }

    /// <summary>One line per arm for <paramref name="metric"/> of a curves table (arm, step, metric, value), as
    /// <see cref="Experiments.AblationResults.Curves"/> holds; see <see cref="Lines"/> for <paramref name="smooth"/>.</summary>
    public static GenericChart Curves(DataFrame curves, string metric = "train_loss", int smooth = 10, string? title = null)
    {
        var selected = DataFrames.Where(curves, "metric", metric);
        if (selected.Rows.Count == 0) throw new ArgumentException($"the curves table has no points for metric '{metric}'", nameof(metric));
        selected.Columns["value"].SetName(metric);
        return Lines(selected, "step", metric, selected.Columns.IndexOf("arm") >= 0 ? "arm" : null, smooth, title);
    }

    /// <summary>A heatmap of <paramref name="value"/> with one row per <paramref name="rows"/> value and one column per
    /// <paramref name="columns"/> value, in first-seen order; missing cells are left blank. Heatmaps that are read side
    /// by side need the same <paramref name="colorRange"/> (<see cref="ColorRange"/> of all of them), or equal colours
    /// would mean different values.</summary>
    public static GenericChart Heatmap(DataFrame frame, string rows, string columns, string value, string? title = null, (double Min, double Max)? colorRange = null)
    {
        var cells = Rows(frame, rows, value, columns).ToList();
        var rowKeys = cells.Select(c => c.Category).Distinct().ToArray();
        var columnKeys = cells.Select(c => c.Series ?? "").Distinct().ToArray();
        var lookup = cells.ToDictionary(c => (c.Category, c.Series ?? ""), c => c.Value);
        var z = rowKeys.Select(r => columnKeys.Select(c => lookup.TryGetValue((r, c), out var v) ? v : double.NaN).ToArray()).ToArray();
        var chart = Chart.Heatmap<double, string, string, string>(zData: z, X: columnKeys, Y: rowKeys, Name: value)
            .WithXAxisStyle<double, double, string>(TitleText: columns).WithYAxisStyle<double, double, string>(TitleText: rows);
        if (colorRange is { } range)
            chart = GenericChart.mapTrace(FuncConvert.FromFunc<Trace, Trace>(trace =>
            {
                trace.SetProperty("zmin", range.Min);
                trace.SetProperty("zmax", range.Max);
                return trace;
            }), chart);
        return Titled(chart, title ?? $"{value}: {rows} × {columns}");
    }

    /// <summary>The smallest and largest <paramref name="value"/> in <paramref name="frame"/>, for heatmaps that share
    /// one colour scale.</summary>
    public static (double Min, double Max) ColorRange(DataFrame frame, string value)
    {
        if (frame.Columns.IndexOf(value) < 0)
            throw new ArgumentException($"the table has no column '{value}' (it has: {string.Join(", ", frame.Columns.Select(c => c.Name))})", nameof(value));
        var values = Enumerable.Range(0, (int)frame.Rows.Count).Select(r => frame[value][r]).OfType<object>()
            .Select(v => Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture)).Where(double.IsFinite).ToList();
        if (values.Count == 0) throw new ArgumentException($"column '{value}' has no finite values", nameof(value));
        return (values.Min(), values.Max());
    }

    /// <summary>Titled, and sized for a notebook column or a report page rather than Plotly's 600 × 600 square.</summary>
    internal static GenericChart Titled(GenericChart chart, string title, int width = 760, int height = 420) =>
        Plotly.NET.Chart.withTitle(title, FSharpOption<Font>.None).Invoke(chart).WithSize(Width: width, Height: height);

    static bool IsTotal(string category) => category is "all" or Corpus.CorpusStats.TotalRow;

    /// <summary>The rows that have a <paramref name="value"/>: the category's raw cell (<c>Key</c>), its invariant text and the row index.</summary>
    static IEnumerable<(object? Key, string Category, string? Series, double Value, long Row)> Rows(DataFrame frame, string category, string value, string? series)
    {
        foreach (var name in new[] { category, value, series })
            if (name is not null && frame.Columns.IndexOf(name) < 0)
                throw new ArgumentException($"the table has no column '{name}' (it has: {string.Join(", ", frame.Columns.Select(c => c.Name))})");
        for (long r = 0; r < frame.Rows.Count; r++)
        {
            if (frame[value][r] is not { } v) continue;
            var key = frame[category][r];
            yield return (key, Convert.ToString(key, System.Globalization.CultureInfo.InvariantCulture) ?? "", series is null ? null : frame[series][r]?.ToString() ?? "", Convert.ToDouble(v), r);
        }
    }
}
