using System.CommandLine;
using ResearchKit.Reports;
using Spectre.Console;

namespace ResearchKit.Cli;

/// <summary><c>rk report &lt;results-dir&gt;</c>: one standalone HTML page (config, tables, charts) for a saved ablation.</summary>
static class ReportCommand
{
    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo>("results-dir") { Description = "folder with results.parquet, config.json and optionally curves.parquet" };
        var output = new Option<FileInfo?>("--out") { Description = "HTML file to write (default: <results-dir>/report.html)" };
        var cmd = new Command("report", "Render saved ablation results as one shareable HTML page (works offline)") { dir, output };
        cmd.SetAction(parse =>
        {
            var results = parse.GetValue(dir)!.FullName;
            var path = parse.GetValue(output)?.FullName ?? Path.Combine(results, "report.html");
            AtomicFile.WriteAllText(path, AblationReport.Build(results));
            AnsiConsole.MarkupLineInterpolated($"wrote {path}");
            return 0;
        });
        return cmd;
    }
}
