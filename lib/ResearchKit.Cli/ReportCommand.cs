using System.CommandLine;
using ResearchKit.Reports;
using Spectre.Console;

namespace ResearchKit.Cli;

/// <summary><c>rk report &lt;results-dir&gt;</c>: one standalone HTML page (provenance, readout, charts, tables, config) for a saved ablation.</summary>
static class ReportCommand
{
    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo>("results-dir") { Description = "folder with results.parquet, config.json and optionally curves.parquet, runs/results.parquet, provenance.json, tables/" };
        var output = new Option<FileInfo?>("--out") { Description = "HTML file to write (default: <results-dir>/report.html)" };
        var noImages = new Option<bool>("--no-images") { Description = "skip the static chart pictures (drawn in headless Chromium) that viewers without JavaScript show" };
        var cmd = new Command("report", "Render saved ablation results as one shareable HTML page (works offline)") { dir, output, noImages };
        cmd.SetAction(parse =>
        {
            var results = parse.GetValue(dir)!.FullName;
            var path = parse.GetValue(output)?.FullName ?? Path.Combine(results, "report.html");
            var page = AblationReport.Page(results);
            if (!parse.GetValue(noImages) && page.ChartCount > 0 && page.TryAddChartImages() is { } problem)
                AnsiConsole.MarkupLineInterpolated($"[yellow]warning:[/] charts have no static images (shown only where JavaScript runs): {problem}");
            AtomicFile.WriteAllText(path, page.ToHtml());
            AnsiConsole.MarkupLineInterpolated($"wrote {path}");
            return 0;
        });
        return cmd;
    }
}
