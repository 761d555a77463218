namespace ResearchKit.DoReMi;

/// <summary>Numbers about a domain-weight vector: how spread it is (entropy), how far it moved (L1), and how often a
/// batch drawn by it misses a domain (the sampler draws one domain per window, independently).</summary>
public static class DomainWeightStats
{
    /// <summary>Shannon entropy in nats of the normalised weights (ln k for uniform over k domains, 0 for one-hot).</summary>
    public static double Entropy(IReadOnlyList<double> weights)
    {
        double total = weights.Sum(), h = 0;
        foreach (var w in weights)
            if (w > 0) h -= w / total * Math.Log(w / total);
        return h;
    }

    /// <summary>Entropy as a fraction of its maximum ln k: 1 = uniform, 0 = one-hot.</summary>
    public static double EntropyRatio(IReadOnlyList<double> weights) => weights.Count < 2 ? 1 : Entropy(weights) / Math.Log(weights.Count);

    public static double L1(IReadOnlyList<double> a, IReadOnlyList<double> b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Sum();

    /// <summary>Probability that a batch of <paramref name="windows"/> windows holds no window of a domain drawn with
    /// probability <paramref name="p"/>: (1 − p)^n.</summary>
    public static double MissingProbability(double p, long windows) => Math.Pow(1 - p, windows);

    /// <summary>Expected number of domains absent from a batch of <paramref name="windows"/> windows drawn by
    /// <paramref name="weights"/>: Σ (1 − p_i)^n (uniform over 14 domains with 16 windows: 4.3).</summary>
    public static double ExpectedMissingDomains(IReadOnlyList<double> weights, long windows)
    {
        double total = weights.Sum();
        return weights.Sum(w => MissingProbability(w / total, windows));
    }

    /// <summary>The smallest batch (in windows) in which a domain drawn with probability <paramref name="p"/> is missing
    /// with probability below <paramref name="target"/>.</summary>
    public static long WindowsToMissLessThan(double p, double target) =>
        p >= 1 ? 1 : p <= 0 ? long.MaxValue : (long)Math.Ceiling(Math.Log(target) / Math.Log(1 - p));
}
