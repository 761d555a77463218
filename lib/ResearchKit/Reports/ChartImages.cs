using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Plotly.NET;

namespace ResearchKit.Reports;

/// <summary>
/// Static PNGs of Plotly charts, drawn by plotly.js itself (<c>Plotly.toImage</c>) in headless Chromium from the same
/// figure JSON the interactive chart uses, so the picture and the chart cannot disagree. All charts of a call share one
/// browser process and one copy of plotly.js.
/// </summary>
public static partial class ChartImages
{
    static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>One PNG per chart, in order (<see cref="GenericChart.toFigureJson"/> of each).</summary>
    public static IReadOnlyList<byte[]> RenderPng(IReadOnlyList<GenericChart> charts, string browser, CancellationToken cancellationToken = default) =>
        RenderPng(charts.Select(GenericChart.toFigureJson).ToList(), browser, cancellationToken);

    /// <summary>One PNG per Plotly figure (<c>{"data": [...], "layout": {...}}</c>), sized by the layout's width and
    /// height (Plotly's 700 × 450 when unset).</summary>
    /// <exception cref="ChartImageException">The browser failed or a figure could not be drawn.</exception>
    public static IReadOnlyList<byte[]> RenderPng(IReadOnlyList<string> figureJson, string browser, CancellationToken cancellationToken = default)
    {
        if (figureJson.Count == 0) return [];
        var dir = Directory.CreateTempSubdirectory("rk-chart-images-").FullName;
        try
        {
            var page = Path.Combine(dir, "render.html");
            File.WriteAllText(page, Page(figureJson));
            var timeout = TimeSpan.FromSeconds(60 + 5 * figureJson.Count);
            var dom = HeadlessChromium.DumpDom(browser, page, timeout, cancellationToken);
            var match = Output().Match(dom);
            if (!match.Success) throw new ChartImageException("the render page left no result (plotly.js did not run)");
            string[] results;
            try
            {
                using var json = JsonDocument.Parse(WebUtility.HtmlDecode(match.Groups[1].Value));
                results = json.RootElement.EnumerateArray().Select(e => e.GetString() ?? "").ToArray();
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException) { throw new ChartImageException($"the render page left no readable result: {e.Message}", e); }
            if (results.Length != figureJson.Count) throw new ChartImageException($"{results.Length} images for {figureJson.Count} charts");
            var images = new byte[results.Length][];
            for (int i = 0; i < results.Length; i++)
            {
                const string prefix = "data:image/png;base64,";
                if (!results[i].StartsWith(prefix, StringComparison.Ordinal))
                    throw new ChartImageException($"chart {i + 1} of {results.Length} could not be drawn: {results[i]}");
                images[i] = Convert.FromBase64String(results[i][prefix.Length..]);
                if (!IsPng(images[i])) throw new ChartImageException($"chart {i + 1}: the browser returned something that is not a PNG");
            }
            return images;
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>One PNG per figure, drawn in the browser <see cref="HeadlessChromium.Find"/> finds; for callers that
    /// carry on without images and say why.</summary>
    /// <param name="images">One PNG per figure; null when there is no browser or it failed.</param>
    /// <param name="progress">Told when drawing starts (with the browser's name) and ends; not told when there is no browser.</param>
    /// <returns>Why there are no images, or null when there are.</returns>
    public static string? TryRenderPng(IReadOnlyList<string> figureJson, out IReadOnlyList<byte[]>? images,
        IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        images = null;
        var browser = HeadlessChromium.Find();
        if (browser.Path is null) return browser.Problem;
        progress?.Report(new WorkProgress("chart images", 0, figureJson.Count, Path.GetFileName(browser.Path)));
        string? problem = null;
        try { images = RenderPng(figureJson, browser.Path, cancellationToken); }
        catch (ChartImageException e) { problem = e.Message; }
        progress?.Report(new WorkProgress("chart images", figureJson.Count, figureJson.Count));
        return problem;
    }

    /// <summary>Whether <paramref name="bytes"/> start with the PNG signature and an IHDR chunk.</summary>
    public static bool IsPng(ReadOnlySpan<byte> bytes) =>
        bytes.Length > 24 && bytes[..8].SequenceEqual(PngSignature) && bytes.Slice(12, 4).SequenceEqual("IHDR"u8);

    /// <summary>Width and height from a PNG's IHDR chunk.</summary>
    public static (int Width, int Height) PngSize(ReadOnlySpan<byte> png)
    {
        if (!IsPng(png)) throw new ArgumentException("not a PNG", nameof(png));
        return (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png[16..20]), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png[20..24]));
    }

    /// <summary>A page that draws each figure with plotly.js, writes the data URLs (or errors) as a JSON array into
    /// <c>#rk-out</c> and removes its scripts, so the dumped DOM is small.</summary>
    static string Page(IReadOnlyList<string> figures)
    {
        var sb = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\">");
        sb.Append(ChartHtml.PlotlyScriptTag);
        sb.Append("</head><body><pre id=\"rk-out\"></pre><script>\nconst figures = [\n");
        sb.AppendJoin(",\n", figures.Select(f => f.Replace("</", "<\\/", StringComparison.Ordinal)));
        sb.Append("""

            ];
            (async () => {
              const out = [];
              for (const f of figures) {
                try {
                  const l = f.layout || {};
                  out.push(await Plotly.toImage({ data: f.data, layout: l, config: { staticPlot: true } },
                                                { format: 'png', width: l.width || 700, height: l.height || 450 }));
                } catch (e) { out.push('error: ' + e); }
              }
              return out;
            })().catch(e => ['error: ' + e]).then(out => {
              document.getElementById('rk-out').textContent = JSON.stringify(out);
              document.querySelectorAll('script').forEach(s => s.remove());
            });
            </script></body></html>
            """);
        return sb.ToString();
    }

    [GeneratedRegex("<pre id=\"rk-out\">(.+?)</pre>", RegexOptions.Singleline)]
    private static partial Regex Output();
}
