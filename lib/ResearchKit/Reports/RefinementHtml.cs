using System.Text;
using ResearchKit.ProX;

namespace ResearchKit.Reports;

/// <summary>A refined document before and after, as HTML: the programs the refining models wrote (document level, then
/// the chunk programs joined), what each did, and every line of the original numbered as the chunk model saw it,
/// removed lines struck through and lines the labels call boilerplate shaded, so a reader sees where model and labels
/// agree.</summary>
public static class RefinementHtml
{
    const string Style = "font-family:ui-monospace,monospace;font-size:12px;line-height:1.35;";

    /// <param name="maxLines">Lines shown; the rest are counted.</param>
    public static HtmlString BeforeAfter(RefinementTrace trace, int maxLines = 120)
    {
        var html = new StringBuilder();
        var lines = trace.Input.Text.Split('\n');
        var removed = trace.RemovedLines;
        var boilerplate = ProxLabel.Of(trace.Input).Boilerplate ?? [];
        html.Append($"<div style=\"{Style}\"><p><b>{HtmlString.Escape(trace.Input.Id)}</b> ({HtmlString.Escape(trace.Input.Domain)}): ");
        long gone = removed.Sum(r => r.Count);
        html.Append(trace.Dropped ? "dropped" : $"{gone:N0} of {lines.Length:N0} lines removed");
        if (boilerplate.Count > 0) html.Append($"; the labels call {boilerplate.Sum(r => r.Count):N0} lines boilerplate (shaded)");
        html.Append("</p>");
        foreach (var step in trace.Steps)
        {
            var (program, result, level) = step.ChunkResult is { } c ? (step.ChunkProgram, c, "ProX-C") : (step.DocumentProgram, step.DocumentResult!, "ProX-D");
            html.Append($"<p>{level}: {HtmlString.Escape(result.Reason)}{(result.Errors.Count > 0 ? $", {result.Errors.Count} error(s): {HtmlString.Escape(string.Join("; ", result.Errors.Take(3)))}" : "")}</p>");
            html.Append($"<pre style=\"background:#f4f4f4;padding:6px;max-height:12em;overflow:auto;white-space:pre-wrap\">{HtmlString.Escape(program)}</pre>");
        }
        html.Append("<div>");
        for (int i = 0; i < Math.Min(lines.Length, maxLines); i++)
        {
            bool cut = removed.Any(r => r.Contains(i));
            string shade = boilerplate.Any(r => r.Contains(i)) ? "background:#e8e8e8;" : "";
            string text = HtmlString.Escape(lines[i].Length == 0 ? " " : lines[i]);
            html.Append($"<div style=\"{shade}white-space:pre-wrap\"><span style=\"color:#999\">{HtmlString.Escape(ProxChunker.LinePrefix(i))}</span>");
            html.Append(cut ? $"<del style=\"color:#b00\">{text}</del>" : text).Append("</div>");
        }
        if (lines.Length > maxLines) html.Append($"<div style=\"color:#999\">… {lines.Length - maxLines:N0} more lines</div>");
        html.Append("</div></div>");
        return new HtmlString(html.ToString());
    }
}
