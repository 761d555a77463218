using System.Text;

namespace ResearchKit.Reports;

/// <summary>Builds one standalone HTML page (inline style, no external resources) from headings, paragraphs, tables,
/// charts and raw HTML. Used for notebook renderings and for <c>rk report</c>.</summary>
public sealed class HtmlPage(string title)
{
    readonly StringBuilder _body = new();

    public string Title { get; } = title;

    public HtmlPage Heading(string text, int level = 2) { _body.Append($"<h{level}>{HtmlString.Escape(text)}</h{level}>\n"); return this; }
    public HtmlPage Paragraph(string text) { _body.Append($"<p>{HtmlString.Escape(text)}</p>\n"); return this; }
    public HtmlPage Note(string text) { _body.Append($"<p class=\"rk-note\">{HtmlString.Escape(text)}</p>\n"); return this; }
    public HtmlPage Preformatted(string text) { _body.Append($"<pre>{HtmlString.Escape(text)}</pre>\n"); return this; }
    public HtmlPage Html(string html) { _body.Append(html).Append('\n'); return this; }
    public HtmlPage Table(Microsoft.Data.Analysis.DataFrame frame, int maxRows = 200) => Html(DataFrameHtml.ToHtml(frame, maxRows));
    public HtmlPage Chart(Plotly.NET.GenericChart chart) => Html(ChartHtml.ToHtml(chart));

    /// <summary>The whole document. plotly.js, when any chart needs it, is included once in the head.</summary>
    public string ToHtml()
    {
        var body = _body.ToString();
        bool charts = body.Contains(ChartHtml.PlotlyScriptTag, StringComparison.Ordinal);
        if (charts) body = body.Replace(ChartHtml.PlotlyScriptTag, "", StringComparison.Ordinal);
        return $"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{HtmlString.Escape(Title)}</title>
            <style>{Style}</style>
            {(charts ? ChartHtml.PlotlyScriptTag : "")}
            </head>
            <body>
            <main>
            {body}</main>
            </body>
            </html>

            """;
    }

    public void Save(string path) => AtomicFile.WriteAllText(path, ToHtml());

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
        .rk-progress { display: grid; grid-template-columns: max-content 12rem max-content; gap: 0.25rem 0.75rem; align-items: center; font-size: 0.875rem; }
        .rk-progress progress { width: 12rem; }
        .hl-kw { color: #cf222e; } .hl-str { color: #0a3069; } .hl-com { color: #6e7781; font-style: italic; } .hl-num { color: #0550ae; }
        """;
}
