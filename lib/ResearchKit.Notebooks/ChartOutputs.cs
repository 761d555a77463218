using ResearchKit.Reports;

namespace ResearchKit.Notebooks;

/// <summary>
/// Makes an executed notebook's charts readable everywhere: plotly.js goes into the first chart output only (later
/// charts draw with that copy, as Jupyter, VS Code and nbviewer run a notebook's outputs in one page), and every chart
/// gets a PNG drawn from its own figure in headless Chromium, both as an <c>image/png</c> output and inside its HTML,
/// which viewers without JavaScript (GitHub) show instead of an empty box. All charts share one browser run.
/// </summary>
static class ChartOutputs
{
    /// <returns>A warning when the charts got no static images (no browser, or it failed), else null.</returns>
    public static string? Finish(Notebook notebook, IProgress<WorkProgress>? progress, CancellationToken cancellationToken)
    {
        var charts = notebook.Cells.SelectMany(c => c.Outputs).Where(o => o.FigureJson is not null).ToList();
        if (charts.Count == 0) return null;

        var problem = ChartImages.TryRenderPng(charts.Select(c => c.FigureJson!).ToList(), out var images, progress, cancellationToken);
        var warning = problem is null ? null : $"{charts.Count} chart(s) have no static image (shown only where JavaScript runs): {problem}";

        for (int i = 0; i < charts.Count; i++)
        {
            var output = charts[i];
            var png = images?[i];
            var html = ChartHtml.Fragment(output.FigureJson!, png, output.ChartTitle);
            output.Data["text/html"] = i == 0 ? ChartHtml.PlotlyScriptTag + "\n" + html : html;
            output.Data["text/plain"] = OutputFormatter.ChartPlain(output.ChartTitle);
            if (png is not null) output.Data["image/png"] = Convert.ToBase64String(png);
            else output.Data.Remove("image/png");
        }
        return warning;
    }
}
