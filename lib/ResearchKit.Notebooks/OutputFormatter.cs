using System.Collections;
using Microsoft.Data.Analysis;
using Plotly.NET;
using ResearchKit.Reports;

namespace ResearchKit.Notebooks;

/// <summary>Turns a displayed value into a MIME bundle, as .NET Interactive's formatters do for the kit's types:
/// HTML for <see cref="HtmlString"/>, DataFrames (table) and Plotly charts (offline), text for everything else.</summary>
public static class OutputFormatter
{
    public static Dictionary<string, string> Format(object? value) => value switch
    {
        null => Text("<null>"),
        HtmlString html => new() { ["text/html"] = html.Html },
        DataFrame frame => new() { ["text/html"] = DataFrameHtml.ToHtml(frame), ["text/plain"] = frame.ToString() },
        GenericChart chart => new() { ["text/html"] = ChartHtml.ToHtml(chart), ["text/plain"] = "Plotly chart" },
        string s => Text(s),
        IDictionary dict => Text("{ " + string.Join(", ", dict.Keys.Cast<object>().Take(100).Select(k => $"{Plain(k)}: {Plain(dict[k])}")) + (dict.Count > 100 ? ", …" : "") + " }"),
        IEnumerable items => Text(FormatSequence(items)),
        _ => Text(Plain(value)),
    };

    static Dictionary<string, string> Text(string text) => new() { ["text/plain"] = text };

    static string FormatSequence(IEnumerable items)
    {
        var shown = items.Cast<object?>().Take(101).ToList();
        return "[ " + string.Join(", ", shown.Take(100).Select(Plain)) + (shown.Count > 100 ? ", …" : "") + " ]";
    }

    static string Plain(object? value) => value switch
    {
        null => "<null>",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
