namespace ResearchKit.DoReMi;

/// <summary>Saved state of a <see cref="DomainWeightUpdate"/>.</summary>
public sealed record DomainWeightState(double[] Weights, double[] Average, double[] Scores, long Count);

/// <summary>
/// DoReMi's domain-weight update (Xie et al. 2023, with the kit's decisions). Per optimizer step, from per-domain
/// score sums and token counts: λ_i = sum_i/count_i for domains with counted tokens, otherwise the previous λ_i
/// (absent or fully masked domains; initial λ = 0, or ln V with the reference init); then
/// α' = softmax(ln α + η·λ), α = (1−c)·α' + c/k, and the running average over α₀..α_t.
/// </summary>
public sealed class DomainWeightUpdate
{
    readonly double[] _weights, _average, _scores;
    readonly double _eta, _smoothing;

    public DomainWeightUpdate(IReadOnlyList<double> initialWeights, double eta = 1.0, double smoothing = 1e-3, double initialScore = 0.0)
    {
        if (initialWeights.Count == 0 || initialWeights.Any(w => w < 0 || !double.IsFinite(w)) || initialWeights.Sum() <= 0)
            throw new ArgumentException($"initial domain weights must be finite, non-negative, not all zero: [{string.Join(", ", initialWeights)}]", nameof(initialWeights));
        double total = initialWeights.Sum();
        _weights = initialWeights.Select(w => w / total).ToArray();
        _average = (double[])_weights.Clone();
        _scores = Enumerable.Repeat(initialScore, _weights.Length).ToArray();
        _eta = eta;
        _smoothing = smoothing;
    }

    /// <summary>α_t, the smoothed weights after the latest update.</summary>
    public IReadOnlyList<double> Weights => _weights;
    /// <summary>mean(α₀, …, α_t): DoReMi's output.</summary>
    public IReadOnlyList<double> Average => _average;
    /// <summary>The per-domain scores λ used by the latest update.</summary>
    public IReadOnlyList<double> Scores => _scores;
    /// <summary>How many vectors the average holds (1 + updates).</summary>
    public long Count { get; private set; } = 1;

    /// <param name="scoreSums">Per domain, the sum of per-token scores over its counted tokens (for the excess
    /// objective: max(ℓ_proxy − ℓ_ref, 0) per token).</param>
    /// <param name="tokenCounts">Per domain, how many unmasked tokens were summed.</param>
    public void Update(ReadOnlySpan<double> scoreSums, ReadOnlySpan<double> tokenCounts)
    {
        int k = _weights.Length;
        if (scoreSums.Length != k || tokenCounts.Length != k) throw new ArgumentException($"expected {k} domain sums and counts, got {scoreSums.Length} and {tokenCounts.Length}");
        for (int i = 0; i < k; i++)
            if (tokenCounts[i] > 0) _scores[i] = scoreSums[i] / tokenCounts[i];

        // softmax(ln α + η λ) with the max subtracted (logsumexp); zero weights stay zero.
        var logits = new double[k];
        for (int i = 0; i < k; i++) logits[i] = Math.Log(_weights[i]) + _eta * _scores[i];
        double max = logits.Where(double.IsFinite).DefaultIfEmpty(0).Max(), z = 0;
        for (int i = 0; i < k; i++) z += Math.Exp(logits[i] - max);
        for (int i = 0; i < k; i++) _weights[i] = (1 - _smoothing) * Math.Exp(logits[i] - max) / z + _smoothing / k;

        Count++;
        for (int i = 0; i < k; i++) _average[i] = (_average[i] * (Count - 1) + _weights[i]) / Count;
    }

    /// <summary>Per-domain loss weights (α_d/s_d)/Σ_j(α_j/s_j) for sampling weights s: reweighting, not resampling.
    /// A domain never sampled (s = 0) gets weight 0.</summary>
    public double[] LossWeights(IReadOnlyList<double> samplingWeights)
    {
        if (samplingWeights.Count != _weights.Length) throw new ArgumentException($"{samplingWeights.Count} sampling weights for {_weights.Length} domains");
        var w = _weights.Select((a, i) => samplingWeights[i] > 0 ? a / samplingWeights[i] : 0).ToArray();
        double total = w.Sum();
        return w.Select(x => x / total).ToArray();
    }

    public DomainWeightState State => new((double[])_weights.Clone(), (double[])_average.Clone(), (double[])_scores.Clone(), Count);

    public void Restore(DomainWeightState state)
    {
        if (state.Weights.Length != _weights.Length) throw new ArgumentException($"state has {state.Weights.Length} domains, this update {_weights.Length}");
        state.Weights.CopyTo(_weights, 0);
        state.Average.CopyTo(_average, 0);
        state.Scores.CopyTo(_scores, 0);
        Count = state.Count;
    }
}
