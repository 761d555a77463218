using MathNet.Numerics.Distributions;

namespace ResearchKit.Experiments;

/// <summary>A metric over seeds: mean, sample standard deviation and the half-width of the 95% Student-t confidence
/// interval of the mean (null with one seed: no noise estimate).</summary>
public readonly record struct SeedSummary(int Seeds, double Mean, double? Std, double? Ci95)
{
    public double? Low => Ci95 is { } h ? Mean - h : null;
    public double? High => Ci95 is { } h ? Mean + h : null;

    /// <summary>Whether the two 95% intervals overlap: the difference is not resolved by the seeds we ran.</summary>
    public bool OverlapsWith(SeedSummary other) =>
        Ci95 is not null && other.Ci95 is not null && Low <= other.High && other.Low <= High;
}

public static class SeedStatistics
{
    public static SeedSummary Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("no values to summarise", nameof(values));
        int n = values.Count;
        double mean = values.Average();
        if (n == 1) return new SeedSummary(1, mean, null, null);
        double std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (n - 1));
        return new SeedSummary(n, mean, std, StudentT.InvCDF(0, 1, n - 1, 0.975) * std / Math.Sqrt(n));
    }

    /// <summary>The difference of two arms' means with the 95% Welch interval of that difference (null when either
    /// arm has one seed).</summary>
    public static (double Difference, double? Ci95) Difference(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var sa = Of(a);
        var sb = Of(b);
        double diff = sa.Mean - sb.Mean;
        if (sa.Std is not { } ya || sb.Std is not { } yb) return (diff, null);
        double va = ya * ya / a.Count, vb = yb * yb / b.Count, se = Math.Sqrt(va + vb);
        if (se == 0) return (diff, 0);
        double df = (va + vb) * (va + vb) / (va * va / (a.Count - 1) + vb * vb / (b.Count - 1));
        return (diff, StudentT.InvCDF(0, 1, df, 0.975) * se);
    }
}
