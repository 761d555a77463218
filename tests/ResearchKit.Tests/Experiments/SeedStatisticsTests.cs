using ResearchKit.Experiments;

namespace ResearchKit.Tests.Experiments;

public sealed class SeedStatisticsTests
{
    [Fact]
    public void MeanStdAndStudentTIntervalOnLiteralValues()
    {
        var s = SeedStatistics.Of([1.0, 2.0, 3.0]);
        Assert.Equal(2.0, s.Mean, 12);
        Assert.Equal(1.0, s.Std!.Value, 12);
        // t(0.975, df 2) = 4.302652729911275 (scipy.stats.t.ppf(0.975, 2)); half-width = t·s/√n.
        Assert.Equal(4.302652729911275 / Math.Sqrt(3), s.Ci95!.Value, 9);
        var five = SeedStatistics.Of([0.5, 0.7, 0.6, 0.9, 0.8]);
        Assert.Equal(2.7764451051977987 * Math.Sqrt(0.025) / Math.Sqrt(5), five.Ci95!.Value, 9);   // t(0.975, 4)
    }

    [Fact]
    public void OneSeedHasNoNoiseEstimate()
    {
        var s = SeedStatistics.Of([2.5]);
        Assert.Null(s.Std);
        Assert.Null(s.Ci95);
        Assert.False(s.OverlapsWith(SeedStatistics.Of([2.5])));
        Assert.Null(SeedStatistics.Difference([2.5], [1, 2]).Ci95);
    }

    [Fact]
    public void WelchIntervalOfADifference()
    {
        double[] a = [1.0, 1.2, 1.1], b = [2.0, 2.4, 2.2];
        var (diff, ci) = SeedStatistics.Difference(a, b);
        Assert.Equal(-1.1, diff, 12);
        // va = 0.01/3, vb = 0.04/3; Welch df = (0.05/3)^2 / ((0.01/3)^2/2 + (0.04/3)^2/2) = 2.9411764...
        double se = Math.Sqrt(0.05 / 3), df = (0.05 / 3) * (0.05 / 3) / ((0.01 / 3) * (0.01 / 3) / 2 + (0.04 / 3) * (0.04 / 3) / 2);
        Assert.Equal(MathNet.Numerics.Distributions.StudentT.InvCDF(0, 1, df, 0.975) * se, ci!.Value, 12);
    }

    [Fact]
    public void ReadoutsCallADifferenceOnlyWhenIntervalsDoNotOverlap()
    {
        var runs = new Microsoft.Data.Analysis.DataFrame(
            new Microsoft.Data.Analysis.StringDataFrameColumn("arm", ["base", "base", "base", "close", "close", "close", "far", "far", "far"]),
            new Microsoft.Data.Analysis.Int32DataFrameColumn("seed", [1, 2, 3, 1, 2, 3, 1, 2, 3]),
            new Microsoft.Data.Analysis.DoubleDataFrameColumn("val_bpb", [2.00, 2.10, 2.05, 2.02, 2.12, 2.01, 1.50, 1.52, 1.51]));
        var text = Readouts.AgainstBaseline(runs, "val_bpb", "base");
        Assert.Contains("3 seeds per arm", text);
        Assert.Contains("- close: ", text);
        Assert.Matches(@"- close: .*within noise", text);
        Assert.Matches(@"- far: 1\.5100 ± .*: better", text);
        Assert.Contains("- far", text.Split('\n')[1]);      // best first
        var higher = Readouts.AgainstBaseline(runs, "val_bpb", "base", lowerIsBetter: false);
        Assert.Matches(@"- far: .*: worse", higher);
    }

    /// <summary>Two arms that differ only in their seeds: the 95% interval of their difference covers zero in about
    /// 95% of repeated experiments with 3 seeds each (a z-interval, or a missing √n, would cover far less or far more).</summary>
    [Fact]
    public void IdenticalArmsWithDifferentSeedsAreWithinTheIntervalNineteenTimesInTwenty()
    {
        var random = new Random(17);
        double Noise() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        const int experiments = 4000;
        int covered = 0;
        for (int e = 0; e < experiments; e++)
        {
            double[] a = [2.5 + 0.1 * Noise(), 2.5 + 0.1 * Noise(), 2.5 + 0.1 * Noise()];
            double[] b = [2.5 + 0.1 * Noise(), 2.5 + 0.1 * Noise(), 2.5 + 0.1 * Noise()];
            var (difference, ci) = SeedStatistics.Difference(a, b);
            if (Math.Abs(difference) <= ci!.Value) covered++;
        }
        // Welch's interval is slightly conservative at equal variances: binomial sd at 4000 draws is 0.0035.
        Assert.InRange(covered / (double)experiments, 0.935, 0.975);
    }
}
