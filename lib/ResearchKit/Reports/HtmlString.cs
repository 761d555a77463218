using System.Text;

namespace ResearchKit.Reports;

/// <summary>Markup that is already HTML (displayed as is, never escaped again).</summary>
public sealed record HtmlString(string Html)
{
    public override string ToString() => Html;

    /// <summary>Escapes text for HTML element content and attribute values: &amp;, &lt;, &gt;, quotes. Other characters
    /// stay as they are (pages are UTF-8), so "±" and "·" read as themselves in the page source.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        if (text.AsSpan().IndexOfAny("&<>\"'") < 0) return text;
        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
            sb.Append(c switch { '&' => "&amp;", '<' => "&lt;", '>' => "&gt;", '"' => "&quot;", '\'' => "&#39;", _ => c.ToString() });
        return sb.ToString();
    }
}
