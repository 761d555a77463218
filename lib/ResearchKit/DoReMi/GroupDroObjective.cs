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

    /// <param name="reference">The frozen reference model; null loads <see cref="GroupDroConfig.ReferenceCheckpoint"/>
    /// (when set). Without either, callers pass reference losses to <see cref="Loss"/> themselves.</param>
    public GroupDroObjective(GroupDroConfig config, int domainCount, IReadOnlyList<double>? samplingWeights, int vocabSize, Device device, Precision precision, Gpt? reference = null)
    {
        _config = config;
        _sampling = (samplingWeights ?? Enumerable.Repeat(1.0, domainCount).ToArray()).ToArray();
        if (_sampling.Length != domainCount) throw new ArgumentException($"{_sampling.Length} sampling weights for {domainCount} domains");
        Update = new DomainWeightUpdate(_sampling, config.Eta, config.Smoothing, config.ReferenceInitScore ? Math.Log(vocabSize) : 0);
        if (config.Variant != DroVariant.Hardest)
        {
            _reference = reference ?? (config.ReferenceCheckpoint is { } path ? Checkpoint.LoadModel(path, device, precision) : null);
            if (_reference is not null)
            {
                _reference.eval();
                foreach (var p in _reference.parameters()) p.requires_grad = false;
                if (_reference.Config.VocabSize != vocabSize)
                    throw new ArgumentException($"reference model vocabulary {_reference.Config.VocabSize} differs from the proxy's {vocabSize}");
            }
        }
        _sums = torch.zeros(domainCount, ScalarType.Float64, device);
        _counts = torch.zeros(domainCount, ScalarType.Float64, device);
        _lossWeights = torch.tensor(Update.LossWeights(_sampling), ScalarType.Float32, device);
    }

    /// <summary>Per-token loss of the frozen reference model on the batch; null for the hardest variant (no reference).</summary>
    public Tensor? ReferenceLoss(Batch batch)
    {
        if (_reference is null) return null;
        using var _ = torch.no_grad();
        return TokenLoss.PerToken(_reference.Forward(batch.Tokens, batch.Positions, batch.AttentionMask), batch.Targets);
    }

    /// <summary>The proxy loss to backpropagate for one micro-batch, given the proxy's per-token loss (with its graph)
    /// and the reference's (<see cref="ReferenceLoss"/>).</summary>
    public Tensor Loss(Tensor proxyPerToken, Tensor? referencePerToken, Batch batch, bool lastMicroBatch)
    {
        using (torch.no_grad())
        {
            var proxy = proxyPerToken.detach();
            if (_config.Variant != DroVariant.Hardest && referencePerToken is null) throw new ArgumentNullException(nameof(referencePerToken));
            // Excess is clipped per token, before the per-domain token mean.
            var score = _config.Variant switch
            {
                DroVariant.Excess => (proxy - referencePerToken!).clamp_min(0),
                DroVariant.Hardest => proxy,
                _ => -referencePerToken!,
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
        return (w * proxyPerToken).sum() / w.sum().clamp_min(1e-10);
    }

    public void Dispose()
    {
        _reference?.Dispose();
        _sums.Dispose(); _counts.Dispose(); _lossWeights.Dispose();
    }
}
