using System.Text;
using System.Text.RegularExpressions;
using ResearchKit.Reports;

namespace ResearchKit.Notebooks;

/// <summary>The Markdown notebooks use, as HTML: ATX headings, paragraphs, bullet and numbered lists, fenced code,
/// pipe tables (a header row, then a <c>| --- |</c> separator row), inline code, bold, italic and links. Everything else is escaped text (no raw HTML passes through).</summary>
public static partial class Markdown
{
    public static string ToHtml(string markdown)
    {
        var html = new StringBuilder();
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var paragraph = new List<string>();
        string? list = null;

        void FlushParagraph()
        {
            if (paragraph.Count > 0) html.Append("<p>").Append(Inline(string.Join(" ", paragraph))).Append("</p>\n");
            paragraph.Clear();
        }
        void CloseList()
        {
            if (list is not null) html.Append($"</{list}>\n");
            list = null;
        }

        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.TrimStart().StartsWith("```"))
            {
                FlushParagraph(); CloseList();
                var code = new List<string>();
                while (++i < lines.Length && !lines[i].TrimStart().StartsWith("```")) code.Add(lines[i]);
                html.Append("<pre><code>").Append(HtmlString.Escape(string.Join("\n", code))).Append("</code></pre>\n");
                continue;
            }
            if (IsTableRow(line) && i + 1 < lines.Length && TableSeparator().IsMatch(lines[i + 1].Trim()))
            {
                FlushParagraph(); CloseList();
                html.Append("<table>\n<thead><tr>");
                foreach (var cell in Cells(line)) html.Append("<th>").Append(Inline(cell)).Append("</th>");
                html.Append("</tr></thead>\n<tbody>\n");
                for (i += 2; i < lines.Length && IsTableRow(lines[i]); i++)
                {
                    html.Append("<tr>");
                    foreach (var cell in Cells(lines[i])) html.Append("<td>").Append(Inline(cell)).Append("</td>");
                    html.Append("</tr>\n");
                }
                i--;
                html.Append("</tbody>\n</table>\n");
                continue;
            }
            if (Heading().Match(line) is { Success: true } h)
            {
                FlushParagraph(); CloseList();
                int level = h.Groups[1].Length;
                html.Append($"<h{level}>{Inline(h.Groups[2].Value.Trim())}</h{level}>\n");
                continue;
            }
            if (ListItem().Match(line) is { Success: true } item)
            {
                FlushParagraph();
                var kind = char.IsDigit(item.Groups[1].Value[0]) ? "ol" : "ul";
                if (list != kind) { CloseList(); html.Append($"<{kind}>\n"); list = kind; }
                html.Append("<li>").Append(Inline(item.Groups[2].Value)).Append("</li>\n");
                continue;
            }
            if (string.IsNullOrWhiteSpace(line)) { FlushParagraph(); CloseList(); continue; }
            if (list is not null && char.IsWhiteSpace(line[0])) { html.Length -= "</li>\n".Length; html.Append(' ').Append(Inline(line.Trim())).Append("</li>\n"); continue; }
            CloseList();
            paragraph.Add(line.Trim());
        }
        FlushParagraph(); CloseList();
        return html.ToString();
    }

    static bool IsTableRow(string line) => line.TrimStart().StartsWith('|');

    static IEnumerable<string> Cells(string row)
    {
        var trimmed = row.Trim();
        if (trimmed.StartsWith('|')) trimmed = trimmed[1..];
        if (trimmed.EndsWith('|')) trimmed = trimmed[..^1];
        return trimmed.Split('|').Select(c => c.Trim());
    }

    /// <summary>Inline spans on escaped text; code spans are cut out first so their content stays literal.</summary>
    static string Inline(string text)
    {
        var parts = text.Split('`');
        var sb = new StringBuilder();
        for (int i = 0; i < parts.Length; i++)
        {
            var escaped = HtmlString.Escape(parts[i]);
            if (i % 2 == 1 && i < parts.Length - 1) { sb.Append("<code>").Append(escaped).Append("</code>"); continue; }
            if (i % 2 == 1) sb.Append('`');
            escaped = Link().Replace(escaped, m => $"<a href=\"{SafeUrl(m.Groups[2].Value)}\">{m.Groups[1].Value}</a>");
            escaped = Bold().Replace(escaped, "<strong>$2</strong>");
            escaped = Italic().Replace(escaped, "<em>$2</em>");
            sb.Append(escaped);
        }
        return sb.ToString();
    }

    // Only ordinary links: a javascript: URL in a notebook must not run when someone opens the report.
    static string SafeUrl(string url) => url.StartsWith("javascript:", StringComparison.OrdinalIgnoreCase) ? "#" : url;

    [GeneratedRegex(@"^(#{1,6})\s+(.*)$")] private static partial Regex Heading();
    [GeneratedRegex(@"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")] private static partial Regex TableSeparator();
    [GeneratedRegex(@"^\s{0,3}([-*+]|\d+[.)])\s+(.*)$")] private static partial Regex ListItem();
    [GeneratedRegex(@"\[([^\]]+)\]\(([^)\s]+)\)")] private static partial Regex Link();
    [GeneratedRegex(@"(\*\*|__)(.+?)\1")] private static partial Regex Bold();
    [GeneratedRegex(@"(?<![\w*])(\*|_)(?!\s)(.+?)(?<!\s)\1(?![\w*])")] private static partial Regex Italic();
}
