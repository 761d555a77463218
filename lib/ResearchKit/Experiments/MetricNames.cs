using Microsoft.Data.Analysis;

namespace ResearchKit.Experiments;

/// <summary>Which way a metric is better.</summary>
public enum MetricDirection { LowerIsBetter, HigherIsBetter, Unknown }

/// <summary>
/// What a results column holds, read from its name. Results tables (<c>results.parquet</c>) have an <c>arm</c> column,
/// optionally <c>seeds</c> (how many seeds each row averages), and per metric <c>m</c> (the mean over seeds),
/// optionally <c>m_std</c> and <c>m_ci95</c> (half-width of the 95% t-interval). A single-seed table has only <c>m</c>.
/// </summary>
public static class MetricNames
{
    public const string Arm = "arm", Seeds = "seeds", Seed = "seed", StdSuffix = "_std", Ci95Suffix = "_ci95";

    /// <summary>The metric columns of a results table, in column order: numeric, not arm/seeds/seed and not a
    /// <c>_std</c>/<c>_ci95</c> companion.</summary>
    public static IReadOnlyList<string> Metrics(DataFrame results) =>
        results.Columns.Where(c => c.IsNumericColumn() && c.Name is not (Arm or Seeds or Seed)
                                   && !c.Name.EndsWith(StdSuffix, StringComparison.Ordinal) && !c.Name.EndsWith(Ci95Suffix, StringComparison.Ordinal))
            .Select(c => c.Name).ToList();

    /// <summary>Depends on the machine rather than on the method (wall time, throughput, memory): shown as run cost,
    /// never charted or compared as a result.</summary>
    public static bool IsMachineDependent(string metric)
    {
        var m = metric.ToLowerInvariant();
        return m.Contains("second") || m.EndsWith("_s", StringComparison.Ordinal) || m.Contains("per_s") || m.Contains("tok_s")
               || m.Contains("tokens_per") || m.Contains("throughput") || m.Contains("mfu") || m.Contains("memory")
               || m.Contains("wall") || m.Contains("elapsed") || m.Contains("duration") || m.EndsWith("_ms", StringComparison.Ordinal);
    }

    /// <summary>Losses, bits per byte, perplexities and errors are better lower; accuracies, gains and scores higher.</summary>
    public static MetricDirection Direction(string metric)
    {
        var m = metric.ToLowerInvariant();
        if (m.Contains("gain") || m.Contains("acc") || m.Contains("score") || m.Contains("f1") || m.Contains("win")) return MetricDirection.HigherIsBetter;
        if (m.Contains("loss") || m.Contains("bpb") || m.Contains("bits_per") || m.Contains("perplexity") || m.Contains("ppl") || m.Contains("error"))
            return MetricDirection.LowerIsBetter;
        return MetricDirection.Unknown;
    }

    /// <summary>A loss-like value whose differences matter far from zero: its bar axis should not start at zero.</summary>
    public static bool IsLossLike(string metric) => Direction(metric) == MetricDirection.LowerIsBetter && !metric.Contains("error", StringComparison.OrdinalIgnoreCase);
}
