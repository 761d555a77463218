using Plotly.NET;

namespace ResearchKit.Reports;

/// <summary>Plotly.NET charts as offline HTML: plotly.js comes from the copy Plotly.NET ships as an embedded
/// resource, never from a CDN, so pages work without a network and stay the same forever.</summary>
public static class ChartHtml
{
    static readonly Lazy<string> Script = new(LoadPlotlyJs);

    /// <summary>The <c>&lt;script&gt;</c> element carrying plotly.js. Pages that show several charts keep only the first
    /// (see <see cref="HtmlPage"/>), so each chart fragment can be self-contained without repeating 3.5 MB.</summary>
    public static string PlotlyScriptTag => Script.Value;

    /// <summary>A self-contained fragment: plotly.js (unless <paramref name="includePlotlyJs"/> is false), the chart's
    /// div and the script that draws it.</summary>
    public static string ToHtml(GenericChart chart, bool includePlotlyJs = true) =>
        (includePlotlyJs ? PlotlyScriptTag + "\n" : "") + GenericChart.toChartHTML(chart);

    static string LoadPlotlyJs()
    {
        var assembly = typeof(GenericChart).Assembly;
        var name = assembly.GetManifestResourceNames().SingleOrDefault(n => n.StartsWith("Plotly.NET.plotly-") && n.EndsWith(".min.js"))
                   ?? throw new InvalidOperationException($"plotly.js is not embedded in {assembly.GetName()}; cannot render charts offline");
        using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
        var version = name["Plotly.NET.plotly-".Length..^".min.js".Length];
        return $"<script type=\"text/javascript\" data-plotly-js=\"{version}\">{reader.ReadToEnd()}</script>";
    }
}
