using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Analysis;
using ResearchKit.Experiments;

namespace ResearchKit.Reports;

/// <summary>
/// One shareable HTML page for an ablation saved by <see cref="AblationRunner"/>:
/// <list type="bullet">
/// <item>a provenance header (commit, date, kit and TorchSharp versions, device, machine; paths relative only);</item>
/// <item>the readout: each arm against the baseline, with the seed-noise band where the results have one
///   (<c>m_ci95</c> columns: within noise = the 95% intervals overlap) and a plain-language summary;</item>
/// <item>a bar chart per result metric, with 95% error bars, on an axis that does not start at zero for losses;
///   machine-dependent metrics (seconds, tokens/s) go to a run-cost table instead of the charts;</item>
/// <item>the results, per-seed runs (<c>runs/results.parquet</c>), training curves, each named table (<c>tables/*.parquet</c>:
///   per-domain loss as grouped bars, a conditional-inference table as heatmaps sharing one colour scale) and the
///   resolved config.</item>
/// </list>
/// Tables scroll sideways instead of being cut off. Missing files are named on the page instead of failing the report.
/// </summary>
public static class AblationReport
{
    public static string Build(string resultsDirectory) => Page(resultsDirectory).ToHtml();

    /// <summary>The report as a page, so a caller can add static chart images (<see cref="HtmlPage.TryAddChartImages"/>) before writing it.</summary>
    public static HtmlPage Page(string resultsDirectory)
    {
        var dir = Path.GetFullPath(resultsDirectory);
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"results directory not found: {resultsDirectory}");
        var root = GitRepository.Root(dir);
        var page = new HtmlPage($"Ablation report: {Path.GetFileName(dir)}");
        page.Heading(page.Title, 1);

        var configPath = Path.Combine(dir, AblationRunner.ConfigFile);
        JsonDocument? config = null;
        if (File.Exists(configPath))
        {
            try { config = JsonDocument.Parse(File.ReadAllText(configPath)); }
            catch (JsonException e) { throw new DataFormatException(configPath, e.LineNumber + 1, null, $"not valid JSON: {e.Message}", e); }
            if (config.RootElement.TryGetProperty("description", out var description)) page.Paragraph(description.GetString() ?? "");
        }
        var preset = config is not null && config.RootElement.TryGetProperty("preset", out var p) ? p.ToString() : null;
        page.Note($"results folder: {Relative(dir, root)}{(preset is null ? "" : $" · preset: {preset}")}");
        page.Html(ProvenanceHtml(dir, root, config));

        var resultsPath = Path.Combine(dir, AblationRunner.ResultsFile);
        DataFrame? results = null;
        if (File.Exists(resultsPath))
        {
            results = DataFrameParquet.Read(resultsPath);
            if (results.Columns.IndexOf("arm") < 0) throw new DataFormatException(resultsPath, null, "arm", "missing: results need one row per arm with an 'arm' column");
        }

        page.Heading("Readout");
        if (results is not null && results.Rows.Count > 0) Readout(page, results, config);
        else page.Note($"{AblationRunner.ResultsFile} is missing: no readout.");

        page.Heading("Results");
        if (results is not null)
        {
            var metrics = MetricNames.Metrics(results);
            // A chart per result metric that differs between arms (equal token budgets or parameter counts need no chart).
            foreach (var metric in metrics.Where(m => !MetricNames.IsMachineDependent(m) && Varies(results, m)))
            {
                var ci = metric + MetricNames.Ci95Suffix;
                bool hasCi = results.Columns.IndexOf(ci) >= 0;
                page.Chart(Charts.Bars(results, "arm", metric, error: hasCi ? ci : null, startAtZero: !MetricNames.IsLossLike(metric),
                    title: hasCi ? $"{metric} (mean ± 95% interval over seeds)" : metric));
            }
            page.Table(Columns(results, c => !MetricNames.IsMachineDependent(BaseName(c))));
            var cost = metrics.Where(MetricNames.IsMachineDependent).ToList();
            if (cost.Count > 0)
            {
                page.Heading("Run cost (machine-dependent)", 3);
                page.Note("Time and throughput depend on the machine and what else ran on it: they are not results of the method and are not charted.");
                page.Table(Columns(results, c => c == "arm" || c == MetricNames.Seeds || MetricNames.IsMachineDependent(BaseName(c))));
            }
        }
        else page.Note($"{AblationRunner.ResultsFile} is missing: no results table.");

        var runsPath = Path.Combine(dir, AblationRunner.RunsFolder, AblationRunner.ResultsFile);
        if (File.Exists(runsPath))
        {
            page.Heading("Runs (one row per arm and seed)", 3);
            page.Table(DataFrameParquet.Read(runsPath), maxRows: 500);
        }

        page.Heading("Training curves");
        var curvesPath = Path.Combine(dir, AblationRunner.CurvesFile);
        if (File.Exists(curvesPath))
        {
            var curves = DataFrameParquet.Read(curvesPath);
            foreach (var field in new[] { "arm", "step", "metric", "value" })
                if (curves.Columns.IndexOf(field) < 0) throw new DataFormatException(curvesPath, null, field, "missing column (expected arm, step, metric, value)");
            foreach (var metric in curves["metric"].Cast<string>().Distinct())
                page.Chart(Charts.Curves(curves, metric, smooth: metric.Contains("loss") ? 10 : 1,
                    title: metric.Contains("loss") ? $"{metric} (mean of 10 points)" : metric));
        }
        else page.Note($"{AblationRunner.CurvesFile} is missing: no training curves.");

        var tablesDir = Path.Combine(dir, "tables");
        if (Directory.Exists(tablesDir))
            foreach (var file in Directory.EnumerateFiles(tablesDir, "*.parquet").Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileNameWithoutExtension(file);
                var table = DataFrameParquet.Read(file);
                page.Heading(name);
                bool has(string column) => table.Columns.IndexOf(column) >= 0;
                if (has("arm") && has("domain") && has("condition") && has("loss"))
                {
                    page.Note("One heatmap per arm, all on the same colour scale, so equal colours mean equal loss.");
                    var range = Charts.ColorRange(table, "loss");
                    foreach (var arm in table["arm"].Cast<string>().Distinct())
                        page.Chart(Charts.Heatmap(DataFrames.Where(table, "arm", arm), "domain", "condition", "loss", $"{name}: {arm}", range));
                }
                else if (has("domain") && has("loss"))
                    page.Chart(Charts.Bars(table, "domain", "loss", has("arm") ? "arm" : null, name, startAtZero: false));
                page.Table(table, maxRows: 500);
            }

        ReportSections.Append(dir, page);

        page.Heading("Configuration");
        if (config is not null)
            page.Preformatted(RelativePaths(JsonNode.Parse(config.RootElement.GetRawText()), root)?.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) ?? "null");
        else page.Note($"{AblationRunner.ConfigFile} is missing: the configuration is not shown.");
        return page;
    }

    /// <summary>The primary metric's plain-language readout, then every result metric's difference from the baseline.</summary>
    static void Readout(HtmlPage page, DataFrame results, JsonDocument? config)
    {
        var preferred = config is not null && config.RootElement.TryGetProperty("baseline", out var b) ? b.GetString() : null;
        var baseline = BaselineComparison.Baseline(results, preferred);
        var metrics = MetricNames.Metrics(results)
            .Where(m => !MetricNames.IsMachineDependent(m) && Varies(results, m) && BaselineComparison.BaselineHas(results, m, baseline)).ToList();
        if (metrics.Count == 0) { page.Note("No result metric differs between arms."); return; }
        var primary = metrics.Contains("val_bpb") ? "val_bpb" : metrics.Contains("val_loss") ? "val_loss"
            : metrics.FirstOrDefault(m => MetricNames.Direction(m) == MetricDirection.LowerIsBetter) ?? metrics[0];
        bool noise = BaselineComparison.HasNoiseEstimate(results, primary);

        var readouts = BaselineComparison.Against(results, primary, baseline);
        var sb = new StringBuilder("<div class=\"rk-readout\">");
        sb.Append($"<p><strong>{HtmlString.Escape(primary)}</strong>{HtmlString.Escape(BaselineComparison.DirectionText(primary))} of the baseline <strong>{HtmlString.Escape(baseline)}</strong>: {HtmlString.Escape(BaselineComparison.ValueText(readouts[0]))}. ");
        sb.Append(noise
            ? "Each value is the mean over seeds ± the half-width of its 95% t-interval; <em>within noise</em> means the two arms' intervals overlap.</p>"
            : "<strong>One seed: no noise estimate</strong>, so any difference below may be seed-to-seed noise.</p>");
        sb.Append("<ul>");
        foreach (var r in readouts.Skip(1).OrderBy(r => MetricNames.Direction(primary) == MetricDirection.HigherIsBetter ? -r.Mean : r.Mean))
        {
            var cls = r.Verdict switch { Verdict.Better => "rk-better", Verdict.Worse => "rk-worse", _ => "rk-noise" };
            sb.Append($"<li><strong>{HtmlString.Escape(r.Arm)}</strong>: {HtmlString.Escape(BaselineComparison.ValueText(r))}, ");
            sb.Append(HtmlString.Escape(BaselineComparison.Signed(r.Delta) + (r.DeltaPercent is { } pct ? $" ({BaselineComparison.Signed(pct, "F1")}%)" : "")));
            sb.Append($" vs {HtmlString.Escape(baseline)}: <span class=\"{cls}\">{HtmlString.Escape(BaselineComparison.VerdictText(r.Verdict, noise))}</span></li>");
        }
        sb.Append("</ul></div>");
        page.Html(sb.ToString());

        if (metrics.Count > 1)
        {
            page.Heading("Difference from the baseline, every result metric", 3);
            var arms = readouts.Select(r => r.Arm).ToList();
            var columns = new List<DataFrameColumn> { new StringDataFrameColumn("arm", arms) };
            foreach (var metric in metrics)
            {
                var byArm = BaselineComparison.Against(results, metric, baseline).ToDictionary(r => r.Arm);
                columns.Add(new StringDataFrameColumn(metric + DirectionArrow(metric), arms.Select(a => !byArm.TryGetValue(a, out var r) ? ""
                    : r.Verdict == Verdict.Baseline ? BaselineComparison.ValueText(r)
                    : $"{BaselineComparison.Signed(r.Delta)} ({(r.Verdict == Verdict.WithinNoise ? "within noise" : r.Verdict.ToString().ToLowerInvariant())})")));
            }
            page.Table(new DataFrame(columns));
            page.Note("Baseline row: its value; other rows: the difference from it and the verdict (↓ lower is better, ↑ higher is better).");
        }
    }

    static string DirectionArrow(string metric) => MetricNames.Direction(metric) switch
    {
        MetricDirection.LowerIsBetter => " ↓",
        MetricDirection.HigherIsBetter => " ↑",
        _ => "",
    };

    /// <summary>The results' own provenance.json when the run wrote one; else what can be said now, marked as such.</summary>
    static string ProvenanceHtml(string dir, string? root, JsonDocument? config)
    {
        var saved = Provenance.TryRead(Path.Combine(dir, Provenance.FileName));
        // A run that never started torch (its stages all came from the store) saved no device: the config names it.
        var provenance = saved is null ? Provenance.Capture(root ?? Environment.CurrentDirectory, ConfigDevice(config))
            : saved.Device is null ? saved with { Device = ConfigDevice(config) } : saved;
        var sb = new StringBuilder("<table class=\"rk-table rk-provenance\"><tbody>");
        foreach (var (label, value) in provenance.Describe())
            sb.Append($"<tr><th>{HtmlString.Escape(label)}</th><td>{HtmlString.Escape(value)}</td></tr>");
        sb.Append("</tbody></table>");
        if (saved is null)
            sb.Append($"<p class=\"rk-note\">The results folder has no {Provenance.FileName}: this is the checkout and machine that made the report; the device is the one the config asks for.</p>");
        return sb.ToString();
    }

    /// <summary>The device the config asks for (any "Device" property, e.g. Train.Device).</summary>
    static string? ConfigDevice(JsonDocument? config)
    {
        static string? Find(JsonElement e)
        {
            if (e.ValueKind != JsonValueKind.Object) return null;
            foreach (var p in e.EnumerateObject())
            {
                if (p.Name.Equals("device", StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind == JsonValueKind.String) return p.Value.GetString();
                if (Find(p.Value) is { } found) return found;
            }
            return null;
        }
        return config is not null && config.RootElement.TryGetProperty("base", out var b) ? Find(b) : null;
    }

    static bool Varies(DataFrame frame, string column) =>
        Enumerable.Range(0, (int)frame.Rows.Count).Select(r => frame[column][r]).Distinct().Count() > 1;

    /// <summary>"val_loss" of "val_loss_ci95" / "val_loss_std".</summary>
    static string BaseName(string column) =>
        column.EndsWith(MetricNames.Ci95Suffix, StringComparison.Ordinal) ? column[..^MetricNames.Ci95Suffix.Length]
        : column.EndsWith(MetricNames.StdSuffix, StringComparison.Ordinal) ? column[..^MetricNames.StdSuffix.Length] : column;

    static DataFrame Columns(DataFrame frame, Func<string, bool> keep) => new(frame.Columns.Where(c => keep(c.Name)).Select(c => c.Clone()));

    static string Relative(string path, string? root) =>
        root is not null && path.StartsWith(root, StringComparison.Ordinal) ? Path.GetRelativePath(root, path) : Path.GetFileName(path);

    /// <summary>The config with every absolute path made relative, so a shared page names no machine's folders: paths
    /// inside the checkout relative to its root, others shortened to "…/folder/file".</summary>
    internal static JsonNode? RelativePaths(JsonNode? node, string? root)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList())
                    if (RelativePaths(o[key], root) is var changed && !ReferenceEquals(changed, o[key])) o[key] = changed;
                return o;
            case JsonArray a:
                for (int i = 0; i < a.Count; i++)
                    if (RelativePaths(a[i], root) is var changed && !ReferenceEquals(changed, a[i])) a[i] = changed;
                return a;
            case JsonValue v when v.TryGetValue<string>(out var s) && Path.IsPathFullyQualified(s):
                if (root is not null && (s == root || s.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
                    return JsonValue.Create(Path.GetRelativePath(root, s));
                var parts = s.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
                return JsonValue.Create("…/" + string.Join('/', parts.TakeLast(2)));
            default:
                return node;
        }
    }
}
