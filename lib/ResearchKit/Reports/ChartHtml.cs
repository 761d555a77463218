using System.Security.Cryptography;
using System.Text;
using Plotly.NET;

namespace ResearchKit.Reports;

/// <summary>Plotly.NET charts as offline HTML: plotly.js comes from the copy Plotly.NET ships as an embedded
/// resource, never from a CDN, so pages work without a network and stay the same forever.</summary>
public static class ChartHtml
{
    static readonly Lazy<(string Tag, string Version)> Script = new(LoadPlotlyJs);

    /// <summary>The <c>&lt;script&gt;</c> element carrying plotly.js (3.5 MB). A page or notebook includes it once
    /// (<see cref="HtmlPage"/> moves it to the head); chart fragments draw only where it has been loaded.</summary>
    public static string PlotlyScriptTag => Script.Value.Tag;

    /// <summary>The version of the embedded plotly.js, e.g. "2.27.1".</summary>
    public static string PlotlyVersion => Script.Value.Version;

    /// <summary>plotly.js itself (the content of <see cref="PlotlyScriptTag"/>), for pages that load it from a file.</summary>
    public static string PlotlyJs
    {
        get
        {
            var tag = PlotlyScriptTag;
            int start = tag.IndexOf('>') + 1;
            return tag[start..tag.LastIndexOf("</script>", StringComparison.Ordinal)];
        }
    }

    /// <summary>A chart fragment, with plotly.js in front unless <paramref name="includePlotlyJs"/> is false; see
    /// <see cref="Fragment"/> for <paramref name="png"/>.</summary>
    public static string ToHtml(GenericChart chart, bool includePlotlyJs = true, byte[]? png = null) =>
        (includePlotlyJs ? PlotlyScriptTag + "\n" : "") + Fragment(GenericChart.toFigureJson(chart), png, Title(chart));

    /// <summary>
    /// The chart's box and the script that draws it into the box when plotly.js is loaded. With a <paramref name="png"/>
    /// (<see cref="ChartImages"/>), the box first holds that picture: viewers that run no JavaScript (GitHub, mail,
    /// sanitizing previews) show it, and the script replaces it with the interactive chart. The box id derives from
    /// the figure, so the same figure gives the same HTML on every run.
    /// </summary>
    public static string Fragment(string figureJson, byte[]? png = null, string? title = null)
    {
        var id = "rk-chart-" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(figureJson)))[..16].ToLowerInvariant();
        var sb = new StringBuilder();
        sb.Append($"<div class=\"rk-chart\" id=\"{id}\">");
        if (png is not null)
        {
            var (w, h) = ChartImages.PngSize(png);
            sb.Append($"<img class=\"rk-chart-static\" width=\"{w}\" height=\"{h}\" style=\"max-width:100%;height:auto\" alt=\"{HtmlString.Escape(title ?? "chart")}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\">");
        }
        sb.Append("</div>\n<script type=\"text/javascript\">(function () {\n");
        // document.currentScript finds this fragment's own box even when the same figure appears twice on a page.
        sb.Append($"  var s = document.currentScript, box = s && s.previousElementSibling && s.previousElementSibling.id === '{id}' ? s.previousElementSibling : document.getElementById('{id}');\n");
        sb.Append("  if (!box || !window.Plotly) return;\n");
        sb.Append("  var figure = ").Append(figureJson.Replace("</", "<\\/", StringComparison.Ordinal)).Append(";\n");
        sb.Append("  box.innerHTML = '';\n");
        sb.Append("  Plotly.newPlot(box, figure.data, figure.layout, { responsive: true, displaylogo: false });\n");
        sb.Append("})();</script>");
        return sb.ToString();
    }

    /// <summary>The chart's title text, if it has one.</summary>
    public static string? Title(GenericChart chart)
    {
        var layout = GenericChart.getLayout(chart);
        return layout.TryGetTypedPropertyValue<Plotly.NET.Title>("title") is { Value: { } t }
               && t.TryGetTypedPropertyValue<string>("text") is { Value: { } text } ? text : null;
    }

    static (string, string) LoadPlotlyJs()
    {
        var assembly = typeof(GenericChart).Assembly;
        var name = assembly.GetManifestResourceNames().SingleOrDefault(n => n.StartsWith("Plotly.NET.plotly-") && n.EndsWith(".min.js"))
                   ?? throw new InvalidOperationException($"plotly.js is not embedded in {assembly.GetName()}; cannot render charts offline");
        using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
        var version = name["Plotly.NET.plotly-".Length..^".min.js".Length];
        return ($"<script type=\"text/javascript\" data-plotly-js=\"{version}\">{reader.ReadToEnd()}</script>", version);
    }
}
