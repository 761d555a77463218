using ResearchKit.Tokenization;

namespace ResearchKit.Packing;

/// <summary>A sampler's position: each packer's state and the domain-draw generator.</summary>
public sealed record SamplerState(PackerState[] Packers, ulong Rng);

/// <summary>
/// Draws training windows. Natural proportions: one packer over every document (domains mix as they come).
/// Domain weights (e.g. DoReMi's output): each window first draws a domain by weight, then takes that domain's
/// next window from its own packer, so every window holds one domain. Seeded and resumable.
/// </summary>
public sealed class WindowSampler
{
    readonly ConcatPacker[] _packers;
    readonly double[]? _cumulative;
    readonly SeededRandom _rng;

    /// <param name="domainWeights">One weight per domain of <paramref name="data"/> (any positive scale); null = natural proportions.</param>
    /// <param name="shuffle">False keeps the dataset's document order within each stream.</param>
    public WindowSampler(ITokenDataset data, int windowLength, bool includePrefixes, ulong seed, IReadOnlyList<double>? domainWeights = null, bool shuffle = true)
    {
        _rng = new SeededRandom(SeededRandom.Derive(seed, 0xD0));
        if (domainWeights is null)
        {
            _packers = [new ConcatPacker(data, windowLength, includePrefixes, seed, shuffle: shuffle)];
            return;
        }
        if (domainWeights.Count != data.Domains.Count)
            throw new ArgumentException($"{domainWeights.Count} domain weights for {data.Domains.Count} domains ({string.Join(", ", data.Domains)})", nameof(domainWeights));
        if (domainWeights.Any(w => w < 0 || !double.IsFinite(w)) || domainWeights.Sum() <= 0)
            throw new ArgumentException($"domain weights must be finite, non-negative and not all zero: [{string.Join(", ", domainWeights)}]", nameof(domainWeights));
        var byDomain = Enumerable.Range(0, data.DocumentCount).Where(d => data.Body(d).Length > 0).ToLookup(data.DomainOf);
        _packers = new ConcatPacker[data.Domains.Count];
        _cumulative = new double[data.Domains.Count];
        double total = domainWeights.Sum(), running = 0;
        for (int d = 0; d < _packers.Length; d++)
        {
            running += domainWeights[d] / total;
            _cumulative[d] = running;
            if (domainWeights[d] > 0 && !byDomain[d].Any())
                throw new ArgumentException($"domain '{data.Domains[d]}' has weight {domainWeights[d]} but no documents with tokens", nameof(domainWeights));
            if (byDomain[d].Any())
                _packers[d] = new ConcatPacker(data, windowLength, includePrefixes, SeededRandom.Derive(seed, (ulong)d + 1), byDomain[d], shuffle);
        }
    }

    public PackedWindow Next() => _cumulative is null ? _packers[0].Next() : _packers[DrawDomain()].Next();

    int DrawDomain()
    {
        double u = _rng.NextDouble();
        for (int d = 0; d < _cumulative!.Length; d++)
            if (u < _cumulative[d] && _packers[d] is not null) return d;
        return Array.FindLastIndex(_packers, p => p is not null); // u landed in the rounding gap above the last sum
    }

    public SamplerState State => new(_packers.Select(p => p?.State ?? default).ToArray(), _rng.State);

    public void Restore(SamplerState state)
    {
        if (state.Packers.Length != _packers.Length) throw new ArgumentException($"sampler state has {state.Packers.Length} packers, this sampler {_packers.Length}");
        for (int i = 0; i < _packers.Length; i++) _packers[i]?.Restore(state.Packers[i]);
        _rng.State = state.Rng;
    }
}
