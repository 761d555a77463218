using System.Globalization;
using Microsoft.Data.Analysis;
using Microsoft.FSharp.Core;
using Plotly.NET;
using Plotly.NET.CSharp;
using ResearchKit.Packing;
using ResearchKit.Training;
using Chart = Plotly.NET.CSharp.Chart;

namespace ResearchKit.Reports;

/// <summary>
/// Pictures of packing: what a window holds under each strategy (document pieces or domains coloured over the
/// positions), the attention mask a window gets, bars with 95% error bars, and per-position loss curves with their
/// seed band. Plain Plotly.NET charts, like <see cref="Charts"/>.
/// </summary>
public static class PackingCharts
{
    /// <summary>Qualitative colours (Plotly's D3 palette): neighbouring documents always differ.</summary>
    static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
                                        "#393b79", "#e7ba52", "#843c39", "#5254a3"];

    /// <summary>
    /// One row per window (the first <paramref name="windowsPerArm"/> of each arm), one column per position: each token
    /// coloured by the document piece it belongs to (colours cycle; a change of colour is a document border), or by its
    /// document's domain with <paramref name="byDomain"/> (related-document orders show long same-coloured runs).
    /// Padding is left blank; hovering shows piece, domain and whether the token is a target.
    /// </summary>
    public static GenericChart Windows(IEnumerable<(string Arm, WindowPreview Preview)> arms, int windowsPerArm = 2, bool byDomain = false, string? title = null)
    {
        if (windowsPerArm < 1) throw new ArgumentOutOfRangeException(nameof(windowsPerArm), windowsPerArm, "at least one window per arm");
        var rows = new List<(string Label, double[] Z, string[] Text)>();
        int colours = 0;
        foreach (var (arm, preview) in arms)
            foreach (var (w, i) in preview.Windows.Take(windowsPerArm).Select((w, i) => (w, i)))
            {
                var padding = Padding(w);
                var z = new double[w.Length];
                var text = new string[w.Length];
                for (int p = 0; p < w.Length; p++)
                {
                    string domain = preview.Domains.Count > w.Domains[p] ? preview.Domains[w.Domains[p]] : w.Domains[p].ToString(CultureInfo.InvariantCulture);
                    z[p] = padding[p] ? double.NaN : byDomain ? w.Domains[p] % Palette.Length : w.Segments[p] % Palette.Length;
                    text[p] = padding[p] ? "padding" : $"piece {w.Segments[p]} · {domain}{(w.Trainable[p] ? "" : " · not a target")}";
                }
                colours = Math.Max(colours, byDomain ? Math.Min(preview.Domains.Count, Palette.Length) : Palette.Length);
                rows.Add(($"{arm} #{i + 1}", z, text));
            }
        if (rows.Count == 0) throw new ArgumentException("no windows to draw", nameof(arms));
        var chart = Chart.Heatmap<double, int, string, string>(
                zData: rows.Select(r => (IEnumerable<double>)r.Z).ToArray(), X: Enumerable.Range(0, rows.Max(r => r.Z.Length)).ToArray(), Y: rows.Select(r => r.Label).ToArray(),
                ShowScale: false, ReverseYAxis: true)
            .WithXAxisStyle<double, double, string>(TitleText: "position in the window");
        chart = Styled(Discrete(chart, colours), t => t.SetProperty("text", rows.Select(r => r.Text).ToArray()));
        return Charts.Titled(chart, title ?? (byDomain ? "windows coloured by domain" : "windows coloured by document (a colour change is a document border)"),
                            height: Math.Max(260, 40 + 28 * rows.Count));
    }

    /// <summary>Padding: the untrainable end-of-text tokens after a window's last document (a trailing segment that
    /// holds no target).</summary>
    static bool[] Padding(PackedWindow w)
    {
        var padding = new bool[w.Length];
        int last = w.Segments[^1];
        bool anyTarget = false;
        for (int p = w.Length - 1; p >= 0 && w.Segments[p] == last; p--) anyTarget |= w.Trainable[p];
        if (!anyTarget && w.Segments[0] != last)
            for (int p = w.Length - 1; p >= 0 && w.Segments[p] == last; p--) padding[p] = true;
        return padding;
    }

    /// <summary>
    /// Which earlier positions each position may attend to in <paramref name="window"/>, as the trainer builds it
    /// (<see cref="Batch.FromWindows"/>): the causal triangle across documents, or with <paramref name="documentMask"/>
    /// one triangle per document (block diagonal). Shows <paramref name="size"/> positions from <paramref name="start"/>
    /// (default: centred on the window's first document border, so the picture holds one when there is one).
    /// </summary>
    public static GenericChart AttentionMask(PackedWindow window, bool documentMask, int size = 64, int? start = null, string? title = null)
    {
        var allowed = AllowedAttention(window, documentMask);
        int t = allowed.GetLength(0);
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "draw at least one position");
        int n = Math.Min(size, t);
        var borders = Enumerable.Range(1, t - 1).Where(p => window.Segments[p] != window.Segments[p - 1]).ToList();
        int from = Math.Clamp(start ?? (borders.Count > 0 ? borders[0] - n / 2 : 0), 0, t - n);
        var positions = Enumerable.Range(from, n).ToArray();
        var z = positions.Select(q => (IEnumerable<double>)positions.Select(k => allowed[q, k] ? 1.0 : 0.0).ToArray()).ToArray();
        var chart = Chart.Heatmap<double, int, int, string>(zData: z, X: positions, Y: positions, ShowScale: false, ReverseYAxis: true)
            .WithXAxisStyle<double, double, string>(TitleText: "key (attended) position").WithYAxisStyle<double, double, string>(TitleText: "query position");
        chart = GenericChart.mapTrace(FuncConvert.FromFunc<Trace, Trace>(trace =>
        {
            trace.SetProperty("colorscale", new object[] { new object[] { 0.0, "#f2f2f2" }, new object[] { 1.0, "#1f77b4" } });
            trace.SetProperty("zmin", 0.0);
            trace.SetProperty("zmax", 1.0);
            trace.SetProperty("xgap", 0.5);
            trace.SetProperty("ygap", 0.5);
            return trace;
        }), chart);
        var shown = borders.Where(b => b > from && b < from + n).ToList();
        // Two title lines: the chart is narrow (square cells), and one line would be cut in its picture.
        return Charts.Titled(chart, title ?? (documentMask ? "intra-document mask: block-diagonal causal attention" : "full causal attention across documents") +
                                    (shown.Count > 0 ? $"<br>document border{(shown.Count > 1 ? "s" : "")} at {string.Join(", ", shown)}" : "<br>no document border here"), height: 540, width: 560);
    }

    /// <summary>allowed[q, k]: whether input position q may attend to position k, from the trainer's own batch.</summary>
    public static bool[,] AllowedAttention(PackedWindow window, bool documentMask)
    {
        var cpu = Runtime.TorchRuntime.Initialize("cpu").TorchDevice;   // loads libtorch the kit's way (also from a notebook)
        using var batch = Batch.FromWindows([window], documentMask, cpu);
        int t = window.Length - 1;
        var allowed = new bool[t, t];
        var mask = batch.AttentionMask?.reshape(t, t).data<bool>().ToArray();
        for (int q = 0; q < t; q++)
            for (int k = 0; k < t; k++) allowed[q, k] = mask is null ? k <= q : mask[q * t + k];
        return allowed;
    }

    /// <summary>Bars of <paramref name="value"/> per <paramref name="category"/> (one group per <paramref name="series"/>
    /// value), with ± <paramref name="error"/> (a 95% half-width column such as <c>val_bpb_ci95</c>) as error bars. The
    /// value axis spans the data and its bars rather than starting at zero, so differences of a few percent show,
    /// unless <paramref name="startAtZero"/> (shares and counts).</summary>
    public static GenericChart BarsWithError(DataFrame frame, string category, string value, string error, string? series = null, string? title = null, bool startAtZero = false)
    {
        foreach (var name in new[] { category, value, error, series }.OfType<string>())
            if (frame.Columns.IndexOf(name) < 0)
                throw new ArgumentException($"the table has no column '{name}' (it has: {string.Join(", ", frame.Columns.Select(c => c.Name))})");
        var rows = Enumerable.Range(0, (int)frame.Rows.Count).Where(r => frame[value][r] is not null)
            .Select(r => (Category: Convert.ToString(frame[category][r], CultureInfo.InvariantCulture) ?? "", Series: series is null ? value : frame[series][r]?.ToString() ?? "",
                          Value: Convert.ToDouble(frame[value][r], CultureInfo.InvariantCulture),
                          Error: frame[error][r] is { } e ? Convert.ToDouble(e, CultureInfo.InvariantCulture) : 0.0)).ToList();
        if (rows.Count == 0) throw new ArgumentException($"the table has no values in column '{value}'", nameof(value));
        var charts = rows.GroupBy(r => r.Series).Select(g =>
        {
            var bars = Chart.Column<double, string, string>(values: g.Select(r => r.Value), Keys: g.Select(r => r.Category).ToArray(), Name: g.Key);
            var bar = new Plotly.NET.TraceObjects.Error();
            bar.SetProperty("type", "data");
            bar.SetProperty("array", g.Select(r => double.IsFinite(r.Error) ? r.Error : 0).ToArray());
            bar.SetProperty("visible", true);
            return Plotly.NET.Chart.withYError(bar).Invoke(bars);
        });
        double low = rows.Min(r => r.Value - (double.IsFinite(r.Error) ? r.Error : 0)), high = rows.Max(r => r.Value + (double.IsFinite(r.Error) ? r.Error : 0));
        if (startAtZero) low = Math.Min(0, low);
        double margin = Math.Max(high - low, Math.Max(Math.Abs(high), 1e-9) * 1e-3) * 0.15;
        // A positive quantity's axis never dips below zero for the margin's sake.
        double bottom = startAtZero && low == 0 ? 0 : low >= 0 && low - margin < 0 ? 0 : low - margin;
        var chart = Chart.Combine(charts).WithXAxisStyle<double, double, string>(TitleText: category)
            .WithYAxisStyle<double, double, string>(TitleText: value, MinMax: new Tuple<double, double>(bottom, high + margin));
        return Charts.Titled(chart, title ?? $"{value} by {category} (± 95% interval over seeds)");
    }

    /// <summary>Loss per window position, one line per arm (a trailing mean over <paramref name="smooth"/> positions) with
    /// a shaded ± 95% band over seeds (<c>loss_ci95</c> when the table has it), from an ablation's
    /// <c>position_loss</c> table. Whether loss keeps falling later in the window shows how much context is used.</summary>
    public static GenericChart PositionLoss(DataFrame table, int smooth = 8, string? title = null)
    {
        if (smooth < 1) throw new ArgumentOutOfRangeException(nameof(smooth), smooth, "smoothing window is at least 1");
        foreach (var name in new[] { "position", "loss" })
            if (table.Columns.IndexOf(name) < 0) throw new ArgumentException($"the table has no column '{name}' (it has: {string.Join(", ", table.Columns.Select(c => c.Name))})");
        bool hasArm = table.Columns.IndexOf("arm") >= 0, hasBand = table.Columns.IndexOf("loss_ci95") >= 0;
        var points = Enumerable.Range(0, (int)table.Rows.Count).Where(r => table["loss"][r] is not null)
            .Select(r => (Arm: hasArm ? (string)table["arm"][r] : "loss", Position: Convert.ToDouble(table["position"][r], CultureInfo.InvariantCulture),
                          Loss: Convert.ToDouble(table["loss"][r], CultureInfo.InvariantCulture),
                          Band: hasBand && table["loss_ci95"][r] is { } b ? Convert.ToDouble(b, CultureInfo.InvariantCulture) : 0.0)).ToList();
        if (points.Count == 0) throw new ArgumentException("the table has no loss values", nameof(table));
        var traces = new List<GenericChart>();
        int colour = 0;
        foreach (var arm in points.GroupBy(p => p.Arm))
        {
            var ordered = arm.OrderBy(p => p.Position).ToList();
            double Mean(Func<(string Arm, double Position, double Loss, double Band), double> of, int i) =>
                ordered.Skip(Math.Max(0, i - smooth + 1)).Take(Math.Min(smooth, i + 1)).Average(of);
            var x = ordered.Select(p => p.Position).ToArray();
            var y = ordered.Select((_, i) => Mean(p => p.Loss, i)).ToArray();
            var band = ordered.Select((_, i) => Mean(p => double.IsFinite(p.Band) ? p.Band : 0, i)).ToArray();
            string c = Palette[colour++ % Palette.Length];
            if (hasBand && band.Any(b => b > 0))
            {
                traces.Add(Styled(Chart.Line<double, double, string>(x: x, y: y.Zip(band, (v, b) => v + b), Name: arm.Key + " +95%"), t =>
                {
                    t.SetProperty("line", new Dictionary<string, object> { ["width"] = 0, ["color"] = c });
                    t.SetProperty("showlegend", false);
                    t.SetProperty("hoverinfo", "skip");
                }));
                traces.Add(Styled(Chart.Line<double, double, string>(x: x, y: y.Zip(band, (v, b) => v - b), Name: arm.Key + " −95%"), t =>
                {
                    t.SetProperty("line", new Dictionary<string, object> { ["width"] = 0, ["color"] = c });
                    t.SetProperty("fill", "tonexty");
                    t.SetProperty("fillcolor", Rgba(c, 0.18));
                    t.SetProperty("showlegend", false);
                    t.SetProperty("hoverinfo", "skip");
                }));
            }
            traces.Add(Styled(Chart.Line<double, double, string>(x: x, y: y, Name: arm.Key), t => t.SetProperty("line", new Dictionary<string, object> { ["width"] = 2, ["color"] = c })));
        }
        var chart = Chart.Combine(traces).WithXAxisStyle<double, double, string>(TitleText: "position in the window (target index)")
            .WithYAxisStyle<double, double, string>(TitleText: "loss (nats per token)");
        return Charts.Titled(chart, title ?? $"validation loss by position{(smooth > 1 ? $" (mean of {smooth} positions)" : "")}{(hasBand ? ", band: 95% over seeds" : "")}");
    }

    static GenericChart Styled(GenericChart chart, Action<Trace> style) =>
        GenericChart.mapTrace(FuncConvert.FromFunc<Trace, Trace>(t => { style(t); return t; }), chart);

    static string Rgba(string hex, double alpha) =>
        string.Create(CultureInfo.InvariantCulture, $"rgba({Convert.ToInt32(hex[1..3], 16)},{Convert.ToInt32(hex[3..5], 16)},{Convert.ToInt32(hex[5..7], 16)},{alpha})");

    /// <summary>A stepped colour scale: value i (0..n−1) gets palette colour i.</summary>
    static GenericChart Discrete(GenericChart chart, int n) => GenericChart.mapTrace(FuncConvert.FromFunc<Trace, Trace>(trace =>
    {
        var scale = new List<object>();
        for (int i = 0; i < n; i++)
        {
            scale.Add(new object[] { (double)i / n, Palette[i] });
            scale.Add(new object[] { (double)(i + 1) / n, Palette[i] });
        }
        trace.SetProperty("colorscale", scale.ToArray());
        trace.SetProperty("zmin", -0.5);
        trace.SetProperty("zmax", n - 0.5);
        trace.SetProperty("hoverinfo", "text+x+y");
        return trace;
    }), chart);
}
