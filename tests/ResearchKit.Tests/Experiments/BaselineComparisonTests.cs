using Microsoft.Data.Analysis;
using ResearchKit.Experiments;

namespace ResearchKit.Tests.Experiments;

public class BaselineComparisonTests
{
    /// <summary>The multi-seed schema: per metric the mean over seeds, its std and the 95% t-interval half-width.</summary>
    internal static DataFrame Seeded() => new(
        new StringDataFrameColumn("arm", ["standard", "f0.1", "f0.5", "acc-probe"]),
        new Int32DataFrameColumn("seeds", [3, 3, 3, 3]),
        new DoubleDataFrameColumn("val_loss", [2.60, 2.58, 2.50, 2.62]),
        new DoubleDataFrameColumn("val_loss_std", [0.01, 0.01, 0.01, 0.01]),
        new DoubleDataFrameColumn("val_loss_ci95", [0.015, 0.010, 0.020, 0.001]),
        new DoubleDataFrameColumn("train_seconds", [61.0, 59.5, 60.2, 60.0]));

    [Fact]
    public void WithinNoiseMeansTheTwoIntervalsOverlap()
    {
        var readouts = BaselineComparison.Against(Seeded(), "val_loss", "standard").ToDictionary(r => r.Arm);
        Assert.Equal(Verdict.Baseline, readouts["standard"].Verdict);
        // |2.58 - 2.60| = 0.02 <= 0.010 + 0.015: the intervals [2.57, 2.59] and [2.585, 2.615] overlap.
        Assert.Equal(Verdict.WithinNoise, readouts["f0.1"].Verdict);
        // |2.50 - 2.60| = 0.10 > 0.020 + 0.015, and lower loss is better.
        Assert.Equal(Verdict.Better, readouts["f0.5"].Verdict);
        Assert.Equal(-0.1, readouts["f0.5"].Delta, 12);
        Assert.Equal(-100 * 0.1 / 2.6, readouts["f0.5"].DeltaPercent!.Value, 9);
        // 0.02 > 0.001 + 0.015: worse.
        Assert.Equal(Verdict.Worse, readouts["acc-probe"].Verdict);
        Assert.Equal(3, readouts["f0.5"].Seeds);
    }

    [Fact]
    public void SummaryStatesTheIntervalsBestFirst()
    {
        var summary = BaselineComparison.Summary(Seeded(), "val_loss", "standard");
        Assert.Equal(
            "val_loss (lower is better) of standard: 2.6000 ± 0.0150 (3 seeds). Within noise means the two arms' 95% intervals overlap.\n" +
            "- f0.5: 2.5000 ± 0.0200 (3 seeds), −0.1000 (−3.8%) vs standard: better (the 95% intervals do not overlap)\n" +
            "- f0.1: 2.5800 ± 0.0100 (3 seeds), −0.0200 (−0.8%) vs standard: within noise (the 95% intervals overlap)\n" +
            "- acc-probe: 2.6200 ± 0.0010 (3 seeds), +0.0200 (+0.8%) vs standard: worse (the 95% intervals do not overlap)",
            summary);
    }

    [Fact]
    public void OneSeedSaysThereIsNoNoiseEstimate()
    {
        var single = new DataFrame(new StringDataFrameColumn("arm", ["meco", "standard"]), new DoubleDataFrameColumn("val_loss", [2.5, 2.6]),
            new DoubleDataFrameColumn("cond_own_gain", [0.03, 0.002]));
        Assert.False(BaselineComparison.HasNoiseEstimate(single, "val_loss"));
        Assert.Equal("standard", BaselineComparison.Baseline(single));
        var summary = BaselineComparison.Summary(single, "val_loss", "standard");
        Assert.Contains("One seed: no noise estimate", summary);
        Assert.Contains("- meco: 2.5000, −0.1000 (−3.8%) vs standard: better (one seed)", summary);
        // A gain is better higher.
        Assert.Equal(Verdict.Better, BaselineComparison.Against(single, "cond_own_gain", "standard").Single(r => r.Arm == "meco").Verdict);
    }

    [Theory]
    [InlineData("val_loss", MetricDirection.LowerIsBetter, false)]
    [InlineData("val_bpb", MetricDirection.LowerIsBetter, false)]
    [InlineData("cond_own_gain", MetricDirection.HigherIsBetter, false)]
    [InlineData("train_seconds", MetricDirection.Unknown, true)]
    [InlineData("tokens_per_second", MetricDirection.Unknown, true)]
    [InlineData("mfu", MetricDirection.Unknown, true)]
    [InlineData("prefix_token_share", MetricDirection.Unknown, false)]
    [InlineData("tokens", MetricDirection.Unknown, false)]
    public void MetricNamesSayDirectionAndMachineDependence(string metric, MetricDirection direction, bool machine)
    {
        Assert.Equal(direction, MetricNames.Direction(metric));
        Assert.Equal(machine, MetricNames.IsMachineDependent(metric));
    }

    [Fact]
    public void MetricsLeaveOutArmSeedsAndCompanions() =>
        Assert.Equal(["val_loss", "train_seconds"], MetricNames.Metrics(Seeded()));
}
