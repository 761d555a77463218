using System.Text.Json;
using Microsoft.Data.Analysis;
using ResearchKit.Experiments;

namespace ResearchKit.Reports;

/// <summary>
/// One shareable HTML page for an ablation saved by <see cref="AblationRunner"/>: the results table (one row per arm)
/// with a bar chart per metric, training curves per metric (arm, step, metric, value), each named table
/// (<c>tables/*.parquet</c>, e.g. per-domain loss as grouped bars, a conditional-inference table as one heatmap per
/// arm) and the resolved config. Missing files are named on the page instead of failing the report.
/// </summary>
public static class AblationReport
{
    public static string Build(string resultsDirectory)
    {
        var dir = Path.GetFullPath(resultsDirectory);
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"results directory not found: {dir}");
        var page = new HtmlPage($"Ablation report: {Path.GetFileName(dir)}");
        page.Heading(page.Title, 1).Note(dir);

        var configPath = Path.Combine(dir, AblationRunner.ConfigFile);
        JsonDocument? config = null;
        if (File.Exists(configPath))
        {
            try { config = JsonDocument.Parse(File.ReadAllText(configPath)); }
            catch (JsonException e) { throw new DataFormatException(configPath, e.LineNumber + 1, null, $"not valid JSON: {e.Message}", e); }
            if (config.RootElement.TryGetProperty("description", out var description)) page.Paragraph(description.GetString() ?? "");
            if (config.RootElement.TryGetProperty("preset", out var preset)) page.Note($"preset: {preset}");
        }

        page.Heading("Results");
        var resultsPath = Path.Combine(dir, AblationRunner.ResultsFile);
        if (File.Exists(resultsPath))
        {
            var results = DataFrameParquet.Read(resultsPath);
            if (results.Columns.IndexOf("arm") < 0) throw new DataFormatException(resultsPath, null, "arm", "missing: results need one row per arm with an 'arm' column");
            page.Table(results);
            // A chart per metric that differs between arms (equal token budgets or parameter counts need no chart).
            foreach (var metric in results.Columns.Where(c => c.Name is not "arm" and not "seeds" && !c.Name.EndsWith("_std") && !c.Name.EndsWith("_ci95") && c.IsNumericColumn()))
                if (Enumerable.Range(0, (int)results.Rows.Count).Select(r => metric[r]).Distinct().Count() > 1)
                    page.Chart(Charts.Bars(results, "arm", metric.Name, title: metric.Name));
        }
        else page.Note($"{AblationRunner.ResultsFile} is missing: no results table.");

        page.Heading("Training curves");
        var curvesPath = Path.Combine(dir, AblationRunner.CurvesFile);
        if (File.Exists(curvesPath))
        {
            var curves = DataFrameParquet.Read(curvesPath);
            foreach (var field in new[] { "arm", "step", "metric", "value" })
                if (curves.Columns.IndexOf(field) < 0) throw new DataFormatException(curvesPath, null, field, "missing column (expected arm, step, metric, value)");
            foreach (var metric in curves["metric"].Cast<string>().Distinct())
                page.Chart(Charts.Curves(curves, metric, smooth: metric.Contains("loss") ? 10 : 1));
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
                    foreach (var arm in table["arm"].Cast<string>().Distinct())
                        page.Chart(Charts.Heatmap(DataFrames.Where(table, "arm", arm), "domain", "condition", "loss", $"{name}: {arm}"));
                else if (has("domain") && has("loss"))
                    page.Chart(Charts.Bars(table, "domain", "loss", has("arm") ? "arm" : null, name));
                page.Table(table, maxRows: 500);
            }

        ReportSections.Append(dir, page);

        page.Heading("Configuration");
        if (config is not null) page.Preformatted(JsonSerializer.Serialize(config.RootElement, new JsonSerializerOptions { WriteIndented = true }));
        else page.Note($"{AblationRunner.ConfigFile} is missing: the configuration is not shown.");
        return page.ToHtml();
    }
}
