using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace ResearchKit.Reports;

/// <summary>
/// The text of the kit's HTML (tables, progress, notes) for viewers that show only <c>text/plain</c>: tables become
/// aligned columns, block elements start new lines, scripts and styles are dropped and entities decoded. Made for the
/// markup this kit writes, not for arbitrary web pages.
/// </summary>
public static partial class HtmlText
{
    public static string ToPlain(string html)
    {
        var text = ScriptOrStyle().Replace(html, "");
        text = Table().Replace(text, m => "\n" + TableText(m.Value) + "\n");
        text = Image().Replace(text, m => Alt().Match(m.Value) is { Success: true } alt ? $"[{alt.Groups[1].Value}]" : "");
        text = LineBreak().Replace(text, "\n");
        text = BlockEnd().Replace(text, "\n");
        text = ListItem().Replace(text, "\n- ");
        text = WebUtility.HtmlDecode(Tag().Replace(text, ""));
        var lines = text.Replace("\r", "").Split('\n').Select(l => l.TrimEnd()).ToList();
        return string.Join('\n', lines.Where(l => l.Trim().Length > 0));
    }

    /// <summary>One line per row, columns padded to their widest cell; columns of numbers (cells of class "num"),
    /// header included, right-aligned; columns empty in every row (a progress bar) left out.</summary>
    static string TableText(string table)
    {
        var rows = Row().Matches(table).Select(r => Cell().Matches(r.Value)
            .Select(c => (Text: Collapse(WebUtility.HtmlDecode(Tag().Replace(c.Groups["content"].Value, " "))), Number: c.Groups["attrs"].Value.Contains("num", StringComparison.Ordinal)))
            .ToList()).Where(r => r.Count > 0).ToList();
        if (rows.Count == 0) return "";
        int columns = rows.Max(r => r.Count);
        var kept = Enumerable.Range(0, columns).Where(c => rows.Any(r => c < r.Count && r[c].Text.Length > 0)).ToList();
        var widths = kept.ToDictionary(c => c, c => rows.Max(r => c < r.Count ? r[c].Text.Length : 0));
        var right = kept.ToDictionary(c => c, c => rows.Any(r => c < r.Count && r[c].Number));
        var sb = new StringBuilder();
        foreach (var row in rows)
        {
            var cells = kept.Select(c => (Column: c, Text: c < row.Count ? row[c].Text : "")).ToList();
            for (int i = 0; i < cells.Count; i++)
            {
                var (c, text) = cells[i];
                if (i > 0) sb.Append("  ");
                sb.Append(right[c] ? text.PadLeft(widths[c]) : i == cells.Count - 1 ? text : text.PadRight(widths[c]));
            }
            sb.Append('\n');
        }
        return string.Join('\n', sb.ToString().Split('\n').Select(l => l.TrimEnd())).TrimEnd('\n');
    }

    static string Collapse(string s) => Whitespace().Replace(s, " ").Trim();

    [GeneratedRegex(@"<(script|style)\b[^>]*>.*?</\1>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex ScriptOrStyle();
    [GeneratedRegex(@"<table\b.*?</table>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Table();
    [GeneratedRegex(@"<tr\b.*?</tr>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Row();
    [GeneratedRegex(@"<t[dh](?<attrs>\b[^>]*)>(?<content>.*?)</t[dh]>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Cell();
    [GeneratedRegex(@"<img\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex Image();
    [GeneratedRegex(@"\balt=""([^""]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex Alt();
    [GeneratedRegex(@"<br\s*/?>", RegexOptions.IgnoreCase)]
    private static partial Regex LineBreak();
    [GeneratedRegex(@"</(p|div|h[1-6]|pre|section|ul|ol|dl|dd|tr|table|li)>|<(hr|p|div|h[1-6]|pre|section|ul|ol|dl|dt)\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockEnd();
    [GeneratedRegex(@"<li\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex ListItem();
    [GeneratedRegex(@"<[^>]+>")]
    private static partial Regex Tag();
    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
