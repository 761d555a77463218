using Microsoft.Data.Analysis;
using Plotly.NET;
using ResearchKit.Reports;

namespace ResearchKit.Tests.Reports;

public class ChartsTests
{
    static string Json(GenericChart chart) => GenericChart.toChartHTML(chart);

    static DataFrame Domains() => new(
        new StringDataFrameColumn("arm", ["meco", "meco", "meco", "standard", "standard", "standard"]),
        new StringDataFrameColumn("domain", ["news", "code", "all", "news", "code", "all"]),
        new DoubleDataFrameColumn("loss", [2.5, 1.5, 2.0, 2.75, 1.25, 2.1]));

    [Fact]
    public void BarsGroupBySeriesAndLeaveOutTotals()
    {
        var html = Json(Charts.Bars(Domains(), "domain", "loss", series: "arm"));
        Assert.Contains("\"x\":[\"news\",\"code\"],\"y\":[2.5,1.5]", html);
        Assert.Contains("\"x\":[\"news\",\"code\"],\"y\":[2.75,1.25]", html);
        Assert.Contains("\"name\":\"standard\"", html);
        Assert.DoesNotContain("\"all\"", html);
        Assert.Contains("\"all\"", Json(Charts.Bars(Domains(), "domain", "loss", series: "arm", keepTotals: true)));
    }

    [Fact]
    public void CurvesSelectOneMetricAndSmoothWithATrailingMean()
    {
        var curves = new DataFrame(
            new StringDataFrameColumn("arm", ["a", "a", "a", "a"]),
            new Int64DataFrameColumn("step", [0L, 1, 2, 0]),
            new StringDataFrameColumn("metric", ["train_loss", "train_loss", "train_loss", "lr"]),
            new DoubleDataFrameColumn("value", [6.0, 4.0, 2.0, 0.1]));
        var html = Json(Charts.Curves(curves, "train_loss", smooth: 2));
        Assert.Contains("\"x\":[0.0,1.0,2.0],\"y\":[6.0,5.0,3.0]", html);
        Assert.Throws<ArgumentException>(() => Charts.Curves(curves, "val_loss"));
    }

    [Fact]
    public void HeatmapPlacesEachValueAtItsRowAndColumn()
    {
        var matrix = new DataFrame(
            new StringDataFrameColumn("domain", ["news", "news", "code"]),
            new StringDataFrameColumn("condition", ["none", "own", "own"]),
            new DoubleDataFrameColumn("loss", [3.0, 2.0, 1.0]));
        var html = Json(Charts.Heatmap(matrix, "domain", "condition", "loss"));
        Assert.Contains("\"z\":[[3.0,2.0],[\"NaN\",1.0]]", html);   // the missing (code, none) cell is a gap
        Assert.Contains("\"x\":[\"none\",\"own\"],\"y\":[\"news\",\"code\"]", html);
    }

    [Fact]
    public void BarsDrawErrorBarsAndCanSpanTheDataInsteadOfStartingAtZero()
    {
        var results = new DataFrame(new StringDataFrameColumn("arm", ["standard", "meco"]), new DoubleDataFrameColumn("val_loss", [2.6, 2.5]),
            new DoubleDataFrameColumn("val_loss_ci95", [0.02, null]));
        var json = GenericChart.toFigureJson(Charts.Bars(results, "arm", "val_loss", error: "val_loss_ci95", startAtZero: false));
        Assert.Contains("\"error_y\":{\"type\":\"data\",\"array\":[0.02,0.0],\"visible\":true}", json);
        // From (2.5 − 0) − 15% of the span to (2.6 + 0.02) + 15%: span 0.12, margin 0.018.
        var range = System.Text.RegularExpressions.Regex.Match(json, "\"range\":\\[([^,]+),([^\\]]+)\\]");
        Assert.True(range.Success, json);
        Assert.Equal(2.482, double.Parse(range.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 9);
        Assert.Equal(2.638, double.Parse(range.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), 9);
        Assert.DoesNotContain("\"range\"", GenericChart.toFigureJson(Charts.Bars(results, "arm", "val_loss")));
        Assert.Throws<ArgumentException>(() => Charts.Bars(results, "arm", "val_loss", error: "val_loss_std"));
    }

    [Fact]
    public void HeatmapsShareAGivenColourRange()
    {
        var matrix = new DataFrame(
            new StringDataFrameColumn("arm", ["meco", "meco", "standard"]),
            new StringDataFrameColumn("domain", ["news", "code", "news"]),
            new StringDataFrameColumn("condition", ["none", "none", "none"]),
            new DoubleDataFrameColumn("loss", [3.0, 1.0, 5.0]));
        var range = Charts.ColorRange(matrix, "loss");
        Assert.Equal((1.0, 5.0), range);
        var json = GenericChart.toFigureJson(Charts.Heatmap(DataFrames.Where(matrix, "arm", "standard"), "domain", "condition", "loss", colorRange: range));
        Assert.Contains("\"zmin\":1.0", json);
        Assert.Contains("\"zmax\":5.0", json);
    }

    [Fact]
    public void WhereKeepsMatchingRowsAndNamesMissingColumns()
    {
        var meco = DataFrames.Where(Domains(), "arm", "meco");
        Assert.Equal(["news", "code", "all"], meco["domain"].Cast<string>());
        var error = Assert.Throws<ArgumentException>(() => DataFrames.Where(Domains(), "preset", "tiny"));
        Assert.Contains("arm, domain, loss", error.Message);
    }
}
