using System.Text.Json;
using Microsoft.Data.Analysis;
using Parquet;
using Parquet.Serialization;
using PlotlyChart = Plotly.NET.CSharp.Chart;

namespace ResearchKit.Reports;

/// <summary>One shareable HTML page for a saved ablation: <c>config.json</c> (resolved config), <c>results.parquet</c>
/// (one row per arm: arm name + metric columns) as a table and one bar chart per metric, and <c>curves.parquet</c>
/// (arm, step, loss) as loss curves. Missing files are named on the page instead of failing the report.</summary>
public static class AblationReport
{
    public static string Build(string resultsDirectory)
    {
        var dir = Path.GetFullPath(resultsDirectory);
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"results directory not found: {dir}");
        var page = new HtmlPage($"Ablation report: {Path.GetFileName(dir)}");
        page.Heading(page.Title, 1).Note(dir);

        page.Heading("Results");
        var results = Path.Combine(dir, "results.parquet");
        if (File.Exists(results))
        {
            var frame = ReadParquet(results);
            page.Table(frame);
            var arms = frame.Columns.FirstOrDefault(c => c.Name == "arm")
                       ?? throw new DataFormatException(results, null, "arm", "missing: results.parquet needs one row per arm with an 'arm' column");
            var names = Enumerable.Range(0, (int)frame.Rows.Count).Select(r => arms[r]?.ToString() ?? "").ToArray();
            foreach (var metric in frame.Columns.OfType<DoubleDataFrameColumn>())
            {
                page.Heading(metric.Name, 3);
                page.Chart(PlotlyChart.Column<double, string, string>(values: metric.Select(v => v ?? double.NaN), Keys: names, Name: metric.Name));
            }
        }
        else page.Note("results.parquet is missing: no results table.");

        page.Heading("Training curves");
        var curves = Path.Combine(dir, "curves.parquet");
        if (File.Exists(curves))
        {
            var frame = ReadParquet(curves);
            foreach (var field in new[] { "arm", "step", "loss" })
                if (!frame.Columns.Any(c => c.Name == field)) throw new DataFormatException(curves, null, field, "missing column (expected arm, step, loss)");
            var rows = Enumerable.Range(0, (int)frame.Rows.Count)
                .Select(r => (Arm: frame["arm"][r]?.ToString() ?? "", Step: Convert.ToDouble(frame["step"][r]), Loss: Convert.ToDouble(frame["loss"][r])));
            var lines = rows.GroupBy(r => r.Arm).Select(g =>
                PlotlyChart.Line<double, double, string>(x: g.Select(r => r.Step), y: g.Select(r => r.Loss), Name: g.Key));
            page.Chart(Plotly.NET.CSharp.Chart.Combine(lines));
        }
        else page.Note("curves.parquet is missing: no training curves.");

        page.Heading("Configuration");
        var config = Path.Combine(dir, "config.json");
        if (File.Exists(config))
        {
            try { page.Preformatted(JsonSerializer.Serialize(JsonDocument.Parse(File.ReadAllText(config)).RootElement, new JsonSerializerOptions { WriteIndented = true })); }
            catch (JsonException e) { throw new DataFormatException(config, e.LineNumber, null, $"not valid JSON: {e.Message}", e); }
        }
        else page.Note("config.json is missing: the configuration is not shown.");
        return page.ToHtml();
    }

    /// <summary>A Parquet file as a DataFrame: numeric columns as doubles, everything else as strings.</summary>
    public static DataFrame ReadParquet(string path)
    {
        using var stream = File.OpenRead(path);
        var (schema, rows, _) = ParquetSerializer.DeserializeUntypedAsync(stream).GetAwaiter().GetResult();
        var fields = schema.GetDataFields();
        var values = fields.Select(f => rows.Select(r => r.TryGetValue(f.Name, out var v) ? v : null).ToList()).ToArray();
        var columns = new List<DataFrameColumn>();
        for (int f = 0; f < fields.Length; f++)
        {
            var t = Nullable.GetUnderlyingType(fields[f].ClrType) ?? fields[f].ClrType;
            bool numeric = t == typeof(double) || t == typeof(float) || t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(decimal);
            columns.Add(numeric
                ? new DoubleDataFrameColumn(fields[f].Name, values[f].Select(v => v is null ? (double?)null : Convert.ToDouble(v)))
                : new StringDataFrameColumn(fields[f].Name, values[f].Select(v => v?.ToString())));
        }
        return new DataFrame(columns);
    }
}
