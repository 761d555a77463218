using System.Text.Json;
using System.Text.Json.Nodes;
using ResearchKit.Tokenization;

namespace ResearchKit.Packing;

/// <summary>
/// Draws training windows. Natural proportions: one packer over every document (domains mix as they come).
/// Domain weights (e.g. DoReMi's output): each window first draws a domain by weight, then takes that domain's
/// next window from its own packer, so every window holds one domain. Seeded and resumable; the weights may change
/// between training phases while every domain's stream continues.
/// </summary>
public sealed class WindowSampler : IWindowSource
{
    sealed record SamplerState(JsonNode?[] Packers, ulong Rng);

    readonly IPacker?[] _packers;
    readonly IReadOnlyList<string> _domains;
    readonly bool _perDomain;
    double[]? _cumulative;
    readonly SeededRandom _rng;

    /// <param name="domainWeights">One weight per domain of <paramref name="data"/> (any positive scale); null = natural proportions.</param>
    /// <param name="order">Document indices in the order to pack (an upstream order); null = the dataset's documents.</param>
    public WindowSampler(ITokenDataset data, int windowLength, PackingSpec packing, PackerOptions options, ulong seed,
        IReadOnlyList<double>? domainWeights = null, IReadOnlyList<int>? order = null)
    {
        _rng = new SeededRandom(SeededRandom.Derive(seed, 0xD0));
        _domains = data.Domains;
        var documents = order ?? Enumerable.Range(0, data.DocumentCount).ToArray();
        foreach (var d in documents)
            if ((uint)d >= (uint)data.DocumentCount) throw new ArgumentException($"the document order names document {d}; the dataset has {data.DocumentCount}", nameof(order));
        if (domainWeights is null)
        {
            _packers = [packing.Build(data, documents, windowLength, seed, options)];
            return;
        }
        var byDomain = documents.Where(d => data.BodyLength(d) > 0).ToLookup(data.DomainOf);
        _packers = new IPacker?[data.Domains.Count];
        _perDomain = true;
        for (int d = 0; d < _packers.Length; d++)
            if (byDomain[d].Any())
                _packers[d] = packing.Build(data, byDomain[d].ToArray(), windowLength, SeededRandom.Derive(seed, (ulong)d + 1), options);
        SetDomainWeights(domainWeights);
    }

    /// <summary>Changes the domain weights from the next window on (a training phase); each domain's stream continues.</summary>
    public void SetDomainWeights(IReadOnlyList<double> weights)
    {
        if (!_perDomain)
            throw new InvalidOperationException("this sampler draws natural proportions from one stream; domain weights need a sampler built with weights");
        if (weights.Count != _domains.Count)
            throw new ArgumentException($"{weights.Count} domain weights for {_domains.Count} domains ({string.Join(", ", _domains)})", nameof(weights));
        if (weights.Any(w => w < 0 || !double.IsFinite(w)) || weights.Sum() <= 0)
            throw new ArgumentException($"domain weights must be finite, non-negative and not all zero: [{string.Join(", ", weights)}]", nameof(weights));
        for (int d = 0; d < weights.Count; d++)
            if (weights[d] > 0 && _packers[d] is null)
                throw new ArgumentException($"domain '{_domains[d]}' has weight {weights[d]} but no documents with tokens", nameof(weights));
        double total = weights.Sum(), running = 0;
        _cumulative = weights.Select(w => running += w / total).ToArray();
    }

    public bool IncludePrefixes
    {
        get => _packers.First(p => p is not null)!.IncludePrefixes;
        set { foreach (var p in _packers) if (p is not null) p.IncludePrefixes = value; }
    }

    public PackedWindow Next() => _cumulative is null ? _packers[0]!.Next() : _packers[DrawDomain()]!.Next();

    int DrawDomain()
    {
        double u = _rng.NextDouble();
        for (int d = 0; d < _cumulative!.Length; d++)
            if (u < _cumulative[d] && _packers[d] is not null) return d;
        return Array.FindLastIndex(_packers, p => p is not null); // u landed in the rounding gap above the last sum
    }

    public JsonNode State => JsonSerializer.SerializeToNode(new SamplerState(_packers.Select(p => p?.State).ToArray(), _rng.State))!;

    public void Restore(JsonNode state)
    {
        var s = state.Deserialize<SamplerState>() ?? throw new ArgumentException("empty sampler state");
        if (s.Packers.Length != _packers.Length) throw new ArgumentException($"sampler state has {s.Packers.Length} packers, this sampler {_packers.Length}");
        for (int i = 0; i < _packers.Length; i++)
            if (_packers[i] is { } p && s.Packers[i] is { } ps) p.Restore(ps);
        _rng.State = s.Rng;
    }
}
