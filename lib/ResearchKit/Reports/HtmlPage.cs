using System.Text;

namespace ResearchKit.Reports;

/// <summary>Builds one standalone HTML page (inline style, no external resources) from headings, paragraphs, tables,
/// charts and raw HTML. Used for notebook renderings and for <c>rk report</c>.</summary>
public sealed class HtmlPage(string title)
{
    /// <summary>The page so far: HTML text, or charts kept as figures until the page is written (so their static
    /// images can be drawn together, <see cref="TryAddChartImages"/>).</summary>
    readonly List<object> _parts = [];

    sealed class ChartPart(string figureJson, string? title)
    {
        public string FigureJson { get; } = figureJson;
        public string? Title { get; } = title;
        public byte[]? Png { get; set; }
    }

    public string Title { get; } = title;

    public HtmlPage Heading(string text, int level = 2) => Html($"<h{level}>{HtmlString.Escape(text)}</h{level}>");
    public HtmlPage Paragraph(string text) => Html($"<p>{HtmlString.Escape(text)}</p>");
    public HtmlPage Note(string text) => Html($"<p class=\"rk-note\">{HtmlString.Escape(text)}</p>");
    public HtmlPage Preformatted(string text) => Html($"<pre>{HtmlString.Escape(text)}</pre>");
    public HtmlPage Html(string html) { _parts.Add(html + "\n"); return this; }
    public HtmlPage Table(Microsoft.Data.Analysis.DataFrame frame, int maxRows = 200) => Html(DataFrameHtml.ToHtml(frame, maxRows));

    /// <summary>An interactive chart (drawn by plotly.js, included once per page).</summary>
    public HtmlPage Chart(Plotly.NET.GenericChart chart)
    {
        _parts.Add(new ChartPart(Plotly.NET.GenericChart.toFigureJson(chart), ChartHtml.Title(chart)));
        return this;
    }

    /// <summary>How many charts the page holds.</summary>
    public int ChartCount => _parts.OfType<ChartPart>().Count();

    /// <summary>Draws a static PNG of every chart (one headless Chromium run, <see cref="ChartImages.TryRenderPng"/>),
    /// shown where no JavaScript runs and replaced by the interactive chart where it does.</summary>
    /// <returns>Why the charts got no images (no browser, or it failed; the page is then unchanged), or null.</returns>
    public string? TryAddChartImages(CancellationToken cancellationToken = default)
    {
        var charts = _parts.OfType<ChartPart>().ToList();
        var problem = ChartImages.TryRenderPng(charts.Select(c => c.FigureJson).ToList(), out var images, cancellationToken: cancellationToken);
        if (images is not null)
            for (int i = 0; i < charts.Count; i++) charts[i].Png = images[i];
        return problem;
    }

    /// <summary>The whole document. plotly.js, when any chart needs it, is included once in the head: embedded, or
    /// as <c>&lt;script src="<paramref name="plotlyJsSource"/>"&gt;</c> when given (pages kept side by side, e.g. a
    /// results gallery, share one file).</summary>
    public string ToHtml(string? plotlyJsSource = null)
    {
        var sb = new StringBuilder();
        foreach (var part in _parts)
            sb.Append(part is ChartPart c ? ChartHtml.Fragment(c.FigureJson, c.Png, c.Title) + "\n" : (string)part);
        var body = sb.ToString();
        bool charts = body.Contains(ChartHtml.PlotlyScriptTag, StringComparison.Ordinal) || body.Contains("class=\"rk-chart\"", StringComparison.Ordinal);
        body = body.Replace(ChartHtml.PlotlyScriptTag, "", StringComparison.Ordinal);
        var plotly = !charts ? "" : plotlyJsSource is null ? ChartHtml.PlotlyScriptTag
            : $"<script type=\"text/javascript\" src=\"{HtmlString.Escape(plotlyJsSource)}\"></script>";
        return $"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{HtmlString.Escape(Title)}</title>
            <style>{Style}</style>
            {plotly}
            </head>
            <body>
            <main>
            {body}</main>
            </body>
            </html>

            """;
    }

    public void Save(string path, string? plotlyJsSource = null) => AtomicFile.WriteAllText(path, ToHtml(plotlyJsSource));

    const string Style = """
        body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1f2328; background: #fff; }
        main { max-width: 1100px; margin: 0 auto; padding: 1.5rem; }
        h1, h2, h3 { line-height: 1.25; }
        pre, code { font-family: ui-monospace, "Cascadia Code", Menlo, monospace; font-size: 0.875rem; }
        pre { background: #f6f8fa; padding: 0.75rem; overflow-x: auto; border-radius: 6px; }
        .rk-table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.875rem; }
        .rk-table th, .rk-table td { border: 1px solid #d0d7de; padding: 0.25rem 0.6rem; text-align: left; }
        .rk-table td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .rk-table thead { background: #f6f8fa; }
        .rk-note { color: #656d76; font-size: 0.875rem; }
        .rk-cell { margin: 1rem 0; }
        .rk-cell-label { color: #656d76; font-size: 0.75rem; font-family: ui-monospace, monospace; }
        .rk-output { border-left: 3px solid #d0d7de; padding-left: 0.75rem; margin-top: 0.25rem; overflow-x: auto; }
        .rk-error { border-left-color: #cf222e; color: #cf222e; }
        .rk-failed { background: #ffebe9; border: 1px solid #cf222e; padding: 0.5rem 0.75rem; border-radius: 6px; }
        .rk-scroll { overflow-x: auto; max-width: 100%; }
        .rk-chart { max-width: 100%; overflow-x: auto; }
        .rk-provenance { font-size: 0.875rem; color: #656d76; border: 1px solid #d0d7de; border-radius: 6px; padding: 0.5rem 0.75rem; }
        .rk-provenance dt { font-weight: 600; color: #1f2328; float: left; clear: left; width: 9rem; }
        .rk-provenance dd { margin-left: 9.5rem; }
        .rk-readout li { margin: 0.15rem 0; }
        .rk-better { color: #1a7f37; } .rk-worse { color: #cf222e; } .rk-noise { color: #656d76; }
        .rk-progress { border-collapse: collapse; font-size: 0.875rem; }
        .rk-progress td { padding: 0.1rem 0.75rem 0.1rem 0; }
        .rk-progress progress { width: 12rem; }
        .hl-kw { color: #cf222e; } .hl-str { color: #0a3069; } .hl-com { color: #6e7781; font-style: italic; } .hl-num { color: #0550ae; }
        """;
}
