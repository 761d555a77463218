using Microsoft.Data.Analysis;
using ResearchKit.Reports;

namespace ResearchKit.Tests.Reports;

/// <summary>Static chart pictures drawn by plotly.js in Debian's chromium (installed by .ci/install.sh).</summary>
[Collection("notebooks")]
public class ChartImagesTests
{
    const string Chromium = "/usr/bin/chromium";

    static DataFrame Losses() => new(
        new StringDataFrameColumn("arm", ["standard", "meco", "f0.5"]),
        new DoubleDataFrameColumn("val_loss", [2.61, 2.56, 2.55]));

    [Fact]
    public void EachChartBecomesAPngOfItsLayoutSizeWithRealContent()
    {
        var bars = Charts.Bars(Losses(), "arm", "val_loss");
        var heatmap = Charts.Heatmap(new DataFrame(new StringDataFrameColumn("d", ["a", "a", "b"]), new StringDataFrameColumn("c", ["x", "y", "x"]),
            new DoubleDataFrameColumn("v", [1.0, 2.0, 3.0])), "d", "c", "v");
        var images = ChartImages.RenderPng([bars, heatmap], Chromium);

        Assert.Equal(2, images.Count);
        foreach (var png in images)
        {
            Assert.True(ChartImages.IsPng(png));
            Assert.Equal((760, 420), ChartImages.PngSize(png));   // Charts size every chart 760 × 420
            // Axes, labels, bars and a title: many colours, not a blank page.
            Assert.True(PngPixels.DistinctColours(png) > 20, $"only {PngPixels.DistinctColours(png)} colours");
        }
        Assert.NotEqual(images[0], images[1]);
    }

    [Fact]
    public void ABrowserThatFailsIsAnErrorNamingIt()
    {
        var error = Assert.Throws<ChartImageException>(() => ChartImages.RenderPng([Charts.Bars(Losses(), "arm", "val_loss")], "/bin/false"));
        Assert.Contains("/bin/false", error.Message);
    }

    [Fact]
    public void FindHonoursTheEnvironmentVariable()
    {
        var previous = Environment.GetEnvironmentVariable(HeadlessChromium.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(HeadlessChromium.EnvironmentVariable, "none");
            Assert.False(HeadlessChromium.Find().Found);
            Environment.SetEnvironmentVariable(HeadlessChromium.EnvironmentVariable, "/no/such/browser");
            Assert.Contains("no such file", HeadlessChromium.Find().Problem);
            Environment.SetEnvironmentVariable(HeadlessChromium.EnvironmentVariable, null);
            Assert.Equal(Chromium, HeadlessChromium.Find().Path);   // first on PATH (/usr/bin) in CI and the devcontainer
        }
        finally { Environment.SetEnvironmentVariable(HeadlessChromium.EnvironmentVariable, previous); }
    }

    [Fact]
    public void FragmentShowsThePictureUntilPlotlyDrawsAndIsTheSameOnEveryRun()
    {
        var chart = Charts.Bars(Losses(), "arm", "val_loss", title: "val <loss>");
        var png = ChartImages.RenderPng([chart], Chromium)[0];
        var html = ChartHtml.ToHtml(chart, includePlotlyJs: false, png: png);
        Assert.Equal(html, ChartHtml.ToHtml(chart, includePlotlyJs: false, png: png));
        Assert.Contains($"<img class=\"rk-chart-static\" width=\"760\" height=\"420\"", html);
        Assert.Contains("alt=\"val &lt;loss&gt;\"", html);
        Assert.Contains("src=\"data:image/png;base64," + Convert.ToBase64String(png) + "\"", html);
        Assert.Contains("if (!box || !window.Plotly) return;", html);   // no plotly.js: the picture stays
        Assert.DoesNotContain("data-plotly-js", html);
        Assert.StartsWith(ChartHtml.PlotlyScriptTag, ChartHtml.ToHtml(chart));
    }
}
