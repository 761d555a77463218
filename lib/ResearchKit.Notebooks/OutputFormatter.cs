using System.Collections;
using Microsoft.Data.Analysis;
using Plotly.NET;
using ResearchKit.Reports;

namespace ResearchKit.Notebooks;

/// <summary>Turns a displayed value into a MIME bundle, as .NET Interactive's formatters do for the kit's types:
/// HTML for <see cref="HtmlString"/>, DataFrames (table) and Plotly charts, text for everything else. Every HTML output
/// also has a <c>text/plain</c> rendering, for viewers that show no HTML. A chart's HTML here is its box and drawing
/// script only: the runner adds plotly.js once per notebook and a static PNG (<see cref="ChartOutputs"/>).</summary>
public static class OutputFormatter
{
    /// <summary>The text/plain of a chart output starts with this.</summary>
    public const string ChartText = "Plotly chart";

    public static Dictionary<string, string> Format(object? value) => value switch
    {
        null => Text("<null>"),
        HtmlString html => new() { ["text/html"] = html.Html, ["text/plain"] = HtmlText.ToPlain(html.Html) },
        DataFrame frame => new() { ["text/html"] = DataFrameHtml.ToHtml(frame), ["text/plain"] = frame.ToString() },
        GenericChart chart => new() { ["text/html"] = ChartHtml.ToHtml(chart, includePlotlyJs: false), ["text/plain"] = ChartPlain(ChartHtml.Title(chart)) },
        string s => Text(s),
        IDictionary dict => Text("{ " + string.Join(", ", dict.Keys.Cast<object>().Take(100).Select(k => $"{Plain(k)}: {Plain(dict[k])}")) + (dict.Count > 100 ? ", …" : "") + " }"),
        IEnumerable items => Text(FormatSequence(items)),
        _ => Text(Plain(value)),
    };

    /// <summary>A display_data or execute_result output of <paramref name="value"/>; chart outputs remember their figure.</summary>
    internal static CellOutput Output(string outputType, object? value, int? executionCount = null)
    {
        var output = new CellOutput { OutputType = outputType, Data = Format(value), ExecutionCount = executionCount };
        Remember(output, value);
        return output;
    }

    internal static void Remember(CellOutput output, object? value)
    {
        output.FigureJson = value is GenericChart chart ? GenericChart.toFigureJson(chart) : null;
        output.ChartTitle = value is GenericChart c ? ChartHtml.Title(c) : null;
    }

    internal static string ChartPlain(string? title) => title is null ? ChartText : $"{ChartText}: {title}";

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
