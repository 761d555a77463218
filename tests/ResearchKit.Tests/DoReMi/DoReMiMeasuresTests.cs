using Microsoft.Data.Analysis;
using ResearchKit.DoReMi;
using ResearchKit.Experiments;

namespace ResearchKit.Tests.DoReMi;

/// <summary>The numbers DoReMi's readouts are built from, on small literal inputs.</summary>
public class DoReMiMeasuresTests
{
    [Fact]
    public void StepsToReachInterpolatesBetweenCurvePoints()
    {
        // Points (25, 3.0), (50, 2.6), (75, 2.2), (100, 2.0); target 2.4 is crossed between 50 and 75:
        // 50 + 25·(2.6 − 2.4)/(2.6 − 2.2) = 62.5.
        (long, double)[] curve = [(25, 3.0), (50, 2.6), (75, 2.2), (100, 2.0)];
        Assert.Equal(62.5, DoReMiSummaryStage.StepsToReach(curve, 2.4)!.Value, 12);
        Assert.Equal(25, DoReMiSummaryStage.StepsToReach(curve, 3.5));   // already below at the first point: no extrapolation before it
        Assert.Equal(100, DoReMiSummaryStage.StepsToReach(curve, 2.0));  // reached exactly at the last point
        Assert.Null(DoReMiSummaryStage.StepsToReach(curve, 1.9));
        // A curve that dips below and comes back: the first crossing counts.
        Assert.Equal(37.5, DoReMiSummaryStage.StepsToReach([(25, 3.0), (50, 2.0), (75, 2.8)], 2.5)!.Value, 12);
    }

    [Fact]
    public void IteratedRoundsStopAtTheFirstSmallChange()
    {
        // L1 changes: round 2: |0.6-0.5| + |0.4-0.5| = 0.2; round 3: 0.04; round 4: 0.02. Tolerance 0.05: round 3.
        double[][] rounds = [[0.5, 0.5], [0.6, 0.4], [0.62, 0.38], [0.63, 0.37]];
        var r = IteratedRounds.Select(rounds, 0.05);
        Assert.Equal(3, r.SelectedRound);
        Assert.True(r.Converged);
        Assert.Null(r.L1Change[0]);
        Assert.Equal(0.2, r.L1Change[1]!.Value, 12);
        Assert.Equal(0.04, r.L1Change[2]!.Value, 12);
        var never = IteratedRounds.Select(rounds, 0.01);
        Assert.Equal((4, false), (never.SelectedRound, never.Converged));   // none below: the last round
        Assert.Equal((1, false), (IteratedRounds.Select([[1.0]], 0.05).SelectedRound, IteratedRounds.Select([[1.0]], 0.05).Converged));
    }

    [Fact]
    public void WeightStatisticsMatchHandValues()
    {
        Assert.Equal(Math.Log(4), DomainWeightStats.Entropy([1, 1, 1, 1]), 12);
        Assert.Equal(1.0, DomainWeightStats.EntropyRatio([0.25, 0.25, 0.25, 0.25]), 12);
        Assert.Equal(0.0, DomainWeightStats.Entropy([0, 1, 0]), 12);
        // -(0.5 ln 0.5 + 2·0.25 ln 0.25) = 1.0397208; ÷ ln 3 = 0.9463946.
        Assert.Equal(1.0397207708, DomainWeightStats.Entropy([0.5, 0.25, 0.25]), 9);
        Assert.Equal(0.9463946304, DomainWeightStats.EntropyRatio([2, 1, 1]), 9);
        // Uniform over 14 domains, 16 windows: each domain missing with (13/14)^16 = e^(16·ln(13/14)) = e^-1.18573 = 0.30552; 4.28 domains per batch.
        Assert.Equal(0.30552, DomainWeightStats.MissingProbability(1.0 / 14, 16), 5);
        Assert.Equal(14 * Math.Pow(13.0 / 14, 16), DomainWeightStats.ExpectedMissingDomains(Enumerable.Repeat(1.0, 14).ToArray(), 16), 12);
        // Below 5%: ceil(ln 0.05 / ln(13/14)) = ceil(40.42) = 41 windows.
        Assert.Equal(41, DomainWeightStats.WindowsToMissLessThan(1.0 / 14, 0.05));
        Assert.Equal(0.6, DomainWeightStats.L1([0.2, 0.8], [0.5, 0.5]), 12);
    }

    [Fact]
    public void CurveStepsAreEvenAndEndAtTheLastStep()
    {
        Assert.Equal([25, 50, 75, 100], ValidationCurveTrainStage.CurveSteps(100, 4));
        Assert.Equal([1, 2, 3], ValidationCurveTrainStage.CurveSteps(3, 8));   // more points than steps: each step once
        Assert.Equal([67, 133, 200], ValidationCurveTrainStage.CurveSteps(200, 3));
    }

    static DataFrame Runs(params (string Arm, double Bpb, double Collapsed, double Missing)[] rows) => new(
        new StringDataFrameColumn("arm", rows.Select(r => r.Arm)),
        new Int32DataFrameColumn("seed", rows.Select((_, i) => i)),
        new DoubleDataFrameColumn("val_bpb_domain_mean", rows.Select(r => r.Bpb)),
        new DoubleDataFrameColumn("collapsed", rows.Select(r => r.Collapsed)),
        new DoubleDataFrameColumn("weights_entropy_ratio", rows.Select(r => r.Collapsed > 0 ? 0.2 : 0.95)),
        new DoubleDataFrameColumn("domains", rows.Select(_ => 14.0)),
        new DoubleDataFrameColumn("proxy_windows_per_step", rows.Select(_ => 16.0)),
        new DoubleDataFrameColumn("proxy_missing_expected", rows.Select(r => r.Missing)));

    [Fact]
    public void ReadoutsSayWhichDifferencesExceedSeedNoiseAndWarn()
    {
        var runs = Runs(
            ("uniform", 2.50, 0, 0), ("uniform", 2.51, 0, 0), ("uniform", 2.49, 0, 0),
            ("doremi", 2.40, 1, 0.3055), ("doremi", 2.41, 0, 0.3055), ("doremi", 2.39, 0, 0.3055),   // 0.10 better, intervals apart
            ("natural", 2.52, 0, 0), ("natural", 2.47, 0, 0), ("natural", 2.53, 0, 0));           // overlaps uniform
        var noise = DoReMiReadouts.Noise(runs);
        Assert.Contains("val_bpb_domain_mean (vs uniform 2.5000): beyond seed noise: doremi -0.1000, better; within noise: natural +0.0067", noise);
        var warnings = DoReMiReadouts.Warnings(runs);
        Assert.Equal(2, warnings.Count);
        Assert.Contains("collapsed toward few domains in 1 of 3 seeds (entropy down to 20% of uniform's ln k)", warnings[0]);
        Assert.Contains("larger proxy batches so every domain appears in each step (here 16 windows per proxy step over 14 domains)", warnings[0]);
        Assert.Contains("natural proportions", warnings[0]);
        Assert.Contains("smaller step size η", warnings[0]);
        Assert.Contains("a domain is missing from 31% of steps", warnings[1]);
        Assert.Contains("41 windows per step", warnings[1]);
    }
}
