using System.Text;
using ResearchKit.Notebooks;
using ResearchKit.Reports;
using ResearchKit.Tests.Reports;

namespace ResearchKit.Tests.Notebooks;

/// <summary>Executed notebooks whose charts every viewer shows: a PNG per chart (image/png and inside the HTML),
/// plotly.js stored once, text/plain beside every HTML output, and a run that still works without a browser.</summary>
[Collection("notebooks")]
public sealed class ChartOutputsTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("rk-nb-charts-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static Notebook ThreeCharts() => new()
    {
        Cells =
        [
            NotebookCell.Markdown("# Charts"),
            NotebookCell.Code(NotebookRunnerTests.ChartCell("a")),
            NotebookCell.Code("display(HTML(\"<p>between <b>charts</b></p>\"));\n" + NotebookRunnerTests.ChartCell("b").Split('\n', 2)[1]),
            NotebookCell.Code(NotebookRunnerTests.ChartCell("c")),
        ],
    };

    static int Count(string s, string part) => (s.Length - s.Replace(part, "").Length) / part.Length;

    [Fact]
    public async Task EveryChartHasAPngAndPlotlyJsIsStoredOnce()
    {
        var result = await NotebookRunner.RunAsync(ThreeCharts(), _dir);
        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Empty(result.Warnings);
        var charts = result.Notebook.Cells.SelectMany(c => c.Outputs).Where(o => o.Data.GetValueOrDefault("text/plain", "").StartsWith(OutputFormatter.ChartText)).ToList();
        Assert.Equal(3, charts.Count);
        foreach (var chart in charts)
        {
            var png = Convert.FromBase64String(chart.Data["image/png"]);
            Assert.True(ChartImages.IsPng(png));
            Assert.True(PngPixels.DistinctColours(png) > 20);
            Assert.Contains("data:image/png;base64," + chart.Data["image/png"], chart.Data["text/html"]);   // the picture for viewers without JavaScript
        }
        Assert.StartsWith(ChartHtml.PlotlyScriptTag, charts[0].Data["text/html"]);
        Assert.DoesNotContain("data-plotly-js", charts[1].Data["text/html"]);

        var html = result.Notebook.Cells[2].Outputs.Single(o => o.OutputType == "display_data");
        Assert.Equal("between charts", html.Data["text/plain"]);

        // The file holds plotly.js once; everything else is small (3.6 MB per chart before).
        var file = NotebookFile.Format(result.Notebook);
        Assert.Equal(1, Count(file, "data-plotly-js="));
        long rest = Encoding.UTF8.GetByteCount(file) - Encoding.UTF8.GetByteCount(ChartHtml.PlotlyScriptTag);
        Assert.True(rest < 3 * 200_000, $"{rest} bytes besides plotly.js for 3 small charts");
    }

    [Fact]
    public async Task AViewerWithoutJavaScriptShowsAPictureForEveryChart()
    {
        var result = await NotebookRunner.RunAsync(ThreeCharts(), _dir);
        Assert.True(result.Succeeded, result.Failure?.Message);
        // Render as GitHub does: per output the richest type (text/html before image/png), scripts removed, no JavaScript.
        var page = new StringBuilder("<!DOCTYPE html><html><body>");
        foreach (var output in result.Notebook.Cells.SelectMany(c => c.Outputs))
            page.Append(output.Data.TryGetValue("text/html", out var h) ? h
                : output.Data.TryGetValue("image/png", out var png) ? $"<img src=\"data:image/png;base64,{png}\">"
                : $"<pre>{HtmlString.Escape(output.Data.GetValueOrDefault("text/plain") ?? output.Text)}</pre>");
        var path = Path.Combine(_dir, "github-like.html");
        File.WriteAllText(path, System.Text.RegularExpressions.Regex.Replace(page.Append("</body></html>").ToString(), "<script\\b.*?</script>", "",
            System.Text.RegularExpressions.RegexOptions.Singleline));

        var shots = await HeadlessBrowser.ScreenshotsWithoutJavaScriptAsync(path, ".rk-chart");
        Assert.Equal(3, shots.Count);
        Assert.All(shots, shot => Assert.True(PngPixels.DistinctColours(shot) > 20, "a chart box without its picture"));
    }

    [Fact]
    public async Task WithoutABrowserTheRunSucceedsAndSaysSoOnce()
    {
        var previous = Environment.GetEnvironmentVariable(HeadlessChromium.EnvironmentVariable);
        Environment.SetEnvironmentVariable(HeadlessChromium.EnvironmentVariable, "none");
        try
        {
            var result = await NotebookRunner.RunAsync(ThreeCharts(), _dir);
            Assert.True(result.Succeeded, result.Failure?.Message);
            var warning = Assert.Single(result.Warnings);
            Assert.Contains("3 chart(s) have no static image", warning);
            var outputs = result.Notebook.Cells.SelectMany(c => c.Outputs).ToList();
            Assert.DoesNotContain(outputs, o => o.Data.ContainsKey("image/png"));
            Assert.Equal(1, outputs.Count(o => o.Data.GetValueOrDefault("text/html", "").Contains("data-plotly-js=")));
        }
        finally { Environment.SetEnvironmentVariable(HeadlessChromium.EnvironmentVariable, previous); }
    }

    [Fact]
    public async Task ACellsProgressReachesTheCallerNotTheCellOutput()
    {
        var seen = new List<WorkProgress>();
        var nb = new Notebook
        {
            Cells =
            [
                NotebookCell.Code("""
                    var view = display(HTML("starting…"));
                    var progress = new ResearchKit.Reports.ProgressDisplay(html => view.Update(HTML(html)));
                    for (int step = 1; step <= 3; step++) progress.Report(new ResearchKit.WorkProgress("train", step, 3, $"loss {4 - step}"));
                    """),
            ],
        };
        var result = await NotebookRunner.RunAsync(nb, _dir, progress: new Recorder(seen));
        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal([1L, 2, 3], seen.Where(p => p.Stage == "train").Select(p => p.Done));
        // The running cell is named by its first line of work (not the display set-up), cut to 60 characters.
        var running = Assert.Single(seen, p => p.Stage == "run notebook" && p.Done == 0).Detail!;
        Assert.StartsWith("cell 1: for (int step = 1; step <= 3; step++)", running);
        Assert.EndsWith("…", running);
        var output = Assert.Single(result.Notebook.Cells[0].Outputs);   // the live display only: no mirrored text
        Assert.Equal("train  3/3 · loss 1", output.Data["text/plain"]);
    }

    sealed class Recorder(List<WorkProgress> seen) : IProgress<WorkProgress>
    {
        public void Report(WorkProgress value) { lock (seen) seen.Add(value); }
    }
}
