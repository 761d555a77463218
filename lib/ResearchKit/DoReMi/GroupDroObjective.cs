using ResearchKit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.DoReMi;

/// <summary>
/// The DoReMi proxy's loss. Per micro-batch it scores each domain's tokens against the frozen reference; once per
/// optimizer step (after the last micro-batch) it updates the domain weights from the pooled statistics, and the
/// loss is the token mean reweighted by the just-updated α over the sampling weights. Earlier micro-batches of an
/// accumulated step use the previous α, as in the reference code.
/// </summary>
internal sealed class GroupDroObjective : IDisposable
{
    readonly GroupDroConfig _config;
    readonly Gpt? _reference;
    readonly double[] _sampling;
    readonly Tensor _sums, _counts;
    Tensor _lossWeights;

    public DomainWeightUpdate Update { get; }

    public GroupDroObjective(GroupDroConfig config, int domainCount, IReadOnlyList<double>? samplingWeights, int vocabSize, Device device, Precision precision)
    {
        _config = config;
        _sampling = (samplingWeights ?? Enumerable.Repeat(1.0, domainCount).ToArray()).ToArray();
        if (_sampling.Length != domainCount) throw new ArgumentException($"{_sampling.Length} sampling weights for {domainCount} domains");
        Update = new DomainWeightUpdate(_sampling, config.Eta, config.Smoothing, config.ReferenceInitScore ? Math.Log(vocabSize) : 0);
        if (config.Variant != DroVariant.Hardest)
        {
            if (config.ReferenceCheckpoint is null) throw new ArgumentException($"Group DRO '{config.Variant}' needs a reference checkpoint");
            _reference = Checkpoint.LoadModel(config.ReferenceCheckpoint, device, precision);
            _reference.eval();
            foreach (var p in _reference.parameters()) p.requires_grad = false;
            if (_reference.Config.VocabSize != vocabSize)
                throw new ArgumentException($"reference model vocabulary {_reference.Config.VocabSize} differs from the proxy's {vocabSize}");
        }
        _sums = torch.zeros(domainCount, ScalarType.Float64, device);
        _counts = torch.zeros(domainCount, ScalarType.Float64, device);
        _lossWeights = torch.tensor(Update.LossWeights(_sampling), ScalarType.Float32, device);
    }

    /// <summary>The proxy loss to backpropagate for one micro-batch.</summary>
    public Tensor Loss(Tensor perTokenLoss, Batch batch, bool lastMicroBatch)
    {
        using (torch.no_grad())
        {
            var proxy = perTokenLoss.detach();
            var reference = _reference is null ? null : TokenLoss.PerToken(_reference.Forward(batch.Tokens, batch.Positions, batch.AttentionMask), batch.Targets);
            var score = _config.Variant switch
            {
                DroVariant.Excess => (proxy - reference!).clamp_min(0),
                DroVariant.Hardest => proxy,
                _ => -reference!,
            };
            var domains = batch.Domains.reshape(-1);
            _sums.index_add_(0, domains, (score * batch.LossMask).reshape(-1).to_type(ScalarType.Float64), 1);
            _counts.index_add_(0, domains, batch.LossMask.reshape(-1).to_type(ScalarType.Float64), 1);
        }
        if (lastMicroBatch)
        {
            Update.Update(_sums.cpu().data<double>().ToArray(), _counts.cpu().data<double>().ToArray());
            _sums.zero_();
            _counts.zero_();
            var next = torch.tensor(Update.LossWeights(_sampling), ScalarType.Float32, _sums.device);
            _lossWeights.Dispose();
            _lossWeights = next.DetachFromDisposeScope();
        }
        var w = _lossWeights[batch.Domains] * batch.LossMask;
        return (w * perTokenLoss).sum() / w.sum().clamp_min(1e-10);
    }

    public void Dispose()
    {
        _reference?.Dispose();
        _sums.Dispose(); _counts.Dispose(); _lossWeights.Dispose();
    }
}
