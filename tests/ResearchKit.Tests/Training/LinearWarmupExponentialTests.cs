using ResearchKit.Training;

namespace ResearchKit.Tests.Training;

/// <summary>DoReMi's reference schedule (Xie et al. 2023): linear warmup from 1e-7, then an exponential decay that ends
/// within 1e-10 of the end rate.</summary>
public class LinearWarmupExponentialTests
{
    [Fact]
    public void MatchesHandComputedRates()
    {
        // peak 1e-3, end 0.1·peak = 1e-4, 6 warmup steps, 106 steps: 100 decay steps with γ^100 = 1e-10/9e-4.
        // t=0: 1e-7 (lr_start); t=3: 1e-7 + (1e-3 - 1e-7)·3/6 = 5.0005e-4; t=6: γ^0 = 1 -> peak;
        // t=56: γ^50 = sqrt(1e-10/9e-4) = 3.3333e-4 -> 1e-4 + 9e-4·3.3333e-4 = 1.003e-4; t=106: 1e-4 + 1e-10.
        var s = new LrSchedule(ScheduleKind.LinearWarmupExponential, WarmupSteps: 6, MinLrRatio: 0.1);
        Assert.Equal(1e-7, s.At(0, 106, 1e-3), 15);
        Assert.Equal(5.0005e-4, s.At(3, 106, 1e-3), 15);
        Assert.Equal(1e-3, s.At(6, 106, 1e-3), 15);
        Assert.Equal(1.003e-4, s.At(56, 106, 1e-3), 13);
        Assert.Equal(1e-4 + 1e-10, s.At(106, 106, 1e-3), 15);
        // Strictly decreasing after warmup, never below the end rate.
        for (int t = 7; t <= 106; t++) Assert.True(s.At(t, 106, 1e-3) < s.At(t - 1, 106, 1e-3) && s.At(t, 106, 1e-3) > 1e-4);
    }

    [Fact]
    public void ReferenceRunEndsAtTheEndRate()
    {
        // The 120M DoReMi runs: 200k steps, warmup ratio 0.06 (12,000 steps), 1e-3 -> 1e-4.
        var s = new LrSchedule(ScheduleKind.LinearWarmupExponential, WarmupSteps: 12_000, MinLrRatio: 0.1);
        Assert.Equal(1e-7 + (1e-3 - 1e-7) / 2, s.At(6_000, 200_000, 1e-3), 15);
        Assert.Equal(1e-4 + 1e-10, s.At(200_000, 200_000, 1e-3), 15);
        // Halfway through the decay the distance to the end rate is the geometric mean of 9e-4 and 1e-10.
        Assert.Equal(1e-4 + Math.Sqrt(9e-4 * 1e-10), s.At(106_000, 200_000, 1e-3), 15);
    }
}
