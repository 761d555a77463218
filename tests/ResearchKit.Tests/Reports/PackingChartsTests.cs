using Microsoft.Data.Analysis;
using Plotly.NET;
using ResearchKit.Packing;
using ResearchKit.Reports;

namespace ResearchKit.Tests.Reports;

public class PackingChartsTests
{
    static string Html(GenericChart chart) => GenericChart.toChartHTML(chart);

    // Window of 7: document piece 0 (tokens 1 2 3, domain 4), its end-of-text, piece 1 (5 6, domain 2), then padding
    // (an untrainable trailing piece 2).
    static PackedWindow Window() => new(
        tokens: [1, 2, 3, 99, 5, 6, 99],
        trainable: [true, true, true, true, true, true, false],
        segments: [0, 0, 0, 0, 1, 1, 2],
        domains: [4, 4, 4, 4, 2, 2, 2]);

    static readonly string[] DomainNames = ["a", "b", "c", "d", "e"];

    [Fact]
    public void WindowsColourEachTokenByPieceOrDomainAndLeavePaddingBlank()
    {
        var arms = new[] { ("random", new WindowPreview([Window()], DomainNames, DocumentMask: false)) };
        var byPiece = Html(PackingCharts.Windows(arms, windowsPerArm: 1));
        Assert.Contains("\"z\":[[0.0,0.0,0.0,0.0,1.0,1.0,\"NaN\"]]", byPiece);
        Assert.Contains("\"random #1\"", byPiece);
        Assert.Contains("piece 1 · c", byPiece);   // hover text names the piece and its domain
        var byDomain = Html(PackingCharts.Windows(arms, windowsPerArm: 1, byDomain: true));
        Assert.Contains("\"z\":[[4.0,4.0,4.0,4.0,2.0,2.0,\"NaN\"]]", byDomain);
        Assert.Throws<ArgumentException>(() => PackingCharts.Windows([]));
    }

    [Fact]
    public void AWindowOfOneUntrainedPieceOrATrainedLastPieceHasNoPadding()
    {
        // The last piece has a target: a document cut by the window's end, not padding.
        var cut = new PackedWindow([1, 2, 3, 4], [true, true, true, true], [0, 0, 1, 1], [0, 0, 0, 0]);
        Assert.Contains("\"z\":[[0.0,0.0,1.0,1.0]]", Html(PackingCharts.Windows([("x", new WindowPreview([cut], ["d"], false))], 1)));
        // A window that is one masked piece (e.g. a prefix) is not padding either.
        var masked = new PackedWindow([1, 2, 3], [false, false, false], [0, 0, 0], [0, 0, 0]);
        Assert.Contains("\"z\":[[0.0,0.0,0.0]]", Html(PackingCharts.Windows([("x", new WindowPreview([masked], ["d"], false))], 1)));
    }

    [Fact]
    public void AttentionMaskPictureIsCentredOnTheFirstBorderAndFollowsTheMask()
    {
        // Inputs are positions 0..5; the border is at 4. size 4 -> positions 2..5.
        var full = Html(PackingCharts.AttentionMask(Window(), documentMask: false, size: 4));
        Assert.Contains("\"x\":[2,3,4,5]", full);
        Assert.Contains("\"z\":[[1.0,0.0,0.0,0.0],[1.0,1.0,0.0,0.0],[1.0,1.0,1.0,0.0],[1.0,1.0,1.0,1.0]]", full);
        Assert.Contains("document border at 4", full);
        var masked = Html(PackingCharts.AttentionMask(Window(), documentMask: true, size: 4));
        Assert.Contains("\"z\":[[1.0,0.0,0.0,0.0],[1.0,1.0,0.0,0.0],[0.0,0.0,1.0,0.0],[0.0,0.0,1.0,1.0]]", masked);
        Assert.Contains("\"x\":[0,1,2]", Html(PackingCharts.AttentionMask(Window(), documentMask: true, size: 3, start: 0)));
    }

    static void AssertRange(string html, double low, double high)
    {
        var m = System.Text.RegularExpressions.Regex.Match(html, "\"range\":\\[([^,\\]]+),([^\\]]+)\\]");
        Assert.True(m.Success, "no axis range");
        Assert.Equal(low, double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 9);
        Assert.Equal(high, double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), 9);
    }

    [Fact]
    public void BarsCarryTheirIntervalsAsErrorBarsAndAPositiveAxisStaysAboveZero()
    {
        var results = new DataFrame(
            new StringDataFrameColumn("arm", ["random", "iclm"]),
            new DoubleDataFrameColumn("val_bpb", [2.5, 2.25]),
            new DoubleDataFrameColumn("val_bpb_ci95", [0.125, double.NaN]));
        var html = Html(PackingCharts.BarsWithError(results, "arm", "val_bpb", "val_bpb_ci95"));
        Assert.Contains("\"x\":[\"random\",\"iclm\"],\"y\":[2.5,2.25]", html);
        Assert.Contains("\"array\":[0.125,0.0]", html);   // a missing interval draws no bar
        // The bars and their intervals span [2.25, 2.625]; the axis adds 15% of that on each side.
        AssertRange(html, 2.19375, 2.68125);
        // From zero, the margin is 15% of the top.
        AssertRange(Html(PackingCharts.BarsWithError(results, "arm", "val_bpb", "val_bpb_ci95", startAtZero: true)), 0, 2.625 * 1.15);
        var missing = Assert.Throws<ArgumentException>(() => PackingCharts.BarsWithError(results, "arm", "incontext_gain", "val_bpb_ci95"));
        Assert.Contains("arm, val_bpb, val_bpb_ci95", missing.Message);
    }

    [Fact]
    public void PositionLossIsATrailingMeanPerArmWithItsBand()
    {
        var table = new DataFrame(
            new StringDataFrameColumn("arm", ["a", "a", "a", "b", "b", "b"]),
            new Int32DataFrameColumn("position", [2, 0, 1, 0, 1, 2]),
            new DoubleDataFrameColumn("loss", [2.0, 6.0, 4.0, 1.0, 1.0, 1.0]),
            new DoubleDataFrameColumn("loss_ci95", [0.5, 0.5, 0.5, 0.0, 0.0, 0.0]));
        var html = Html(PackingCharts.PositionLoss(table, smooth: 2));
        // Arm a in position order: 6, 4, 2 -> trailing means of two: 6, 5, 3; band ± 0.5.
        Assert.Contains("\"x\":[0.0,1.0,2.0],\"y\":[6.0,5.0,3.0]", html);
        Assert.Contains("\"y\":[6.5,5.5,3.5]", html);
        Assert.Contains("\"y\":[5.5,4.5,2.5]", html);
        Assert.Contains("\"x\":[0.0,1.0,2.0],\"y\":[1.0,1.0,1.0]", html);
        Assert.DoesNotContain("\"name\":\"b +95%\"", html);   // no band where every interval is zero
        Assert.Throws<ArgumentOutOfRangeException>(() => PackingCharts.PositionLoss(table, smooth: 0));
    }
}
