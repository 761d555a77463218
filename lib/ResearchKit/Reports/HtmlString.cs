using System.Net;

namespace ResearchKit.Reports;

/// <summary>Markup that is already HTML (displayed as is, never escaped again).</summary>
public sealed record HtmlString(string Html)
{
    public override string ToString() => Html;

    /// <summary>Escapes text for HTML element content and attribute values.</summary>
    public static string Escape(string? text) => WebUtility.HtmlEncode(text ?? "");
}
