using System.Text;
using System.Text.RegularExpressions;
using ResearchKit.Reports;

namespace ResearchKit.Notebooks;

/// <summary>A notebook (usually an executed one) as one standalone HTML page: markdown rendered, code with simple
/// highlighting, outputs as they were produced; plotly.js is embedded once, so the page works offline.</summary>
public static partial class NotebookHtml
{
    /// <param name="plotlyJsSource">Load plotly.js from this (relative) URL instead of embedding it; see <see cref="HtmlPage.ToHtml"/>.</param>
    public static string Render(Notebook notebook, string title, NotebookFailure? failure = null, string? plotlyJsSource = null)
    {
        var page = new HtmlPage(title);
        if (failure is not null)
            page.Html($"<div class=\"rk-failed\"><strong>Run failed at cell {failure.Cell}.</strong><pre>{HtmlString.Escape(failure.Message)}</pre></div>");
        foreach (var cell in notebook.Cells)
        {
            if (cell.Tags.Contains("rk-run-failed")) continue;   // the failure banner is shown above
            switch (cell.Kind)
            {
                case CellKind.Markdown: page.Html($"<section class=\"rk-cell\">{Markdown.ToHtml(cell.Source)}</section>"); break;
                case CellKind.Raw: page.Preformatted(cell.Source); break;
                default: page.Html(CodeCell(cell)); break;
            }
        }
        return page.ToHtml(plotlyJsSource);
    }

    static string CodeCell(NotebookCell cell)
    {
        var sb = new StringBuilder("<section class=\"rk-cell\">");
        var label = cell.ExecutionCount is { } n ? $"[{n}]" : "[ ]";
        if (cell.Tags.Contains(NotebookParameters.InjectedTag)) label += " injected parameters";
        if (cell.Tags.Contains("rk-failed-cell")) label += " failed";
        sb.Append($"<div class=\"rk-cell-label\">{HtmlString.Escape(label)}</div><pre><code>{Highlight(cell.Source)}</code></pre>");
        foreach (var o in cell.Outputs)
        {
            if (o.OutputType == "error")
                sb.Append($"<div class=\"rk-output rk-error\"><pre>{HtmlString.Escape($"{o.ErrorName}: {o.ErrorValue}")}</pre></div>");
            else if (o.OutputType == "stream")
                sb.Append($"<div class=\"rk-output\"><pre>{HtmlString.Escape(o.Text)}</pre></div>");
            else if (o.Data.TryGetValue("text/html", out var html))
                sb.Append($"<div class=\"rk-output\">{html}</div>");
            else if (o.Data.TryGetValue("image/png", out var png))
                sb.Append($"<div class=\"rk-output\"><img style=\"max-width:100%\" alt=\"{HtmlString.Escape(o.Data.GetValueOrDefault("text/plain") ?? "image")}\" src=\"data:image/png;base64,{png}\"></div>");
            else if (o.Data.TryGetValue("text/plain", out var text))
                sb.Append($"<div class=\"rk-output\"><pre>{HtmlString.Escape(text)}</pre></div>");
        }
        return sb.Append("</section>").ToString();
    }

    /// <summary>C# source, escaped, with comments, strings, numbers and keywords wrapped in spans.</summary>
    public static string Highlight(string code) =>
        Token().Replace(code, m =>
        {
            var text = HtmlString.Escape(m.Value);
            var cls = m.Groups["com"].Success ? "hl-com" : m.Groups["str"].Success ? "hl-str" : m.Groups["num"].Success ? "hl-num"
                : Keywords.Contains(m.Value) ? "hl-kw" : null;
            return cls is null ? text : $"<span class=\"{cls}\">{text}</span>";
        });

    static readonly HashSet<string> Keywords =
    [
        "var", "new", "using", "return", "if", "else", "for", "foreach", "in", "while", "true", "false", "null", "class", "record",
        "public", "static", "void", "int", "long", "double", "float", "string", "bool", "await", "async", "with", "is", "not", "and", "or",
    ];

    [GeneratedRegex(@"(?<com>//[^\n]*|/\*.*?\*/)|(?<str>@?""(?:[^""\\]|\\.)*""|'(?:[^'\\]|\\.)')|(?<num>\b\d+(\.\d+)?([eE][-+]?\d+)?[fdmL]?\b)|(?<id>[A-Za-z_#][A-Za-z0-9_]*)|[\s\S]", RegexOptions.Singleline)]
    private static partial Regex Token();
}
