using System.Text.Json;
using System.Text.Json.Nodes;
using ResearchKit.Packing;
using ResearchKit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.DoReMi;

/// <summary>
/// The running Group-DRO objective of a proxy model. Per micro-batch it scores each domain's counted tokens against
/// the frozen reference; on the step's last micro-batch it updates the domain weights from the pooled statistics, and
/// the loss is the token mean reweighted by the just-updated α over the sampling weights. Earlier micro-batches of an
/// accumulated step use the previous α, as in the reference code.
/// </summary>
internal sealed class GroupDro : ITrainingObjective
{
    readonly GroupDroObjective _spec;
    readonly Gpt? _reference;
    readonly IReadOnlyList<string> _domains;
    readonly double[] _sampling;
    readonly Tensor _sums, _counts;
    Tensor _lossWeights;

    public DomainWeightUpdate Update { get; }

    /// <param name="reference">The frozen reference model; null for the hardest variant, or for callers that pass
    /// reference losses to <see cref="Loss(Tensor, Tensor?, Batch, MicroBatch)"/> themselves.</param>
    public GroupDro(GroupDroObjective spec, ObjectiveContext context, Gpt? reference)
    {
        _spec = spec;
        _domains = context.Domains;
        _sampling = (context.SamplingWeights ?? throw new ArgumentException(
            "Group DRO needs explicit sampling weights (Data.DomainWeights, e.g. uniform): its loss reweights α over them, " +
            "and natural proportions would silently mis-weight it")).ToArray();
        int k = _domains.Count;
        if (_sampling.Length != k) throw new ArgumentException($"{_sampling.Length} sampling weights for {k} domains");
        Update = new DomainWeightUpdate(_sampling, spec.Eta, spec.Smoothing, spec.ReferenceInitScore ? Math.Log(context.VocabSize) : 0);
        _reference = reference;
        if (_reference is not null)
        {
            _reference.eval();
            foreach (var p in _reference.parameters()) p.requires_grad = false;
            if (_reference.Config.VocabSize != context.VocabSize)
                throw new ArgumentException($"the reference model's vocabulary ({_reference.Config.VocabSize}) differs from the proxy's ({context.VocabSize})");
        }
        _sums = torch.zeros(k, ScalarType.Float64, context.Device);
        _counts = torch.zeros(k, ScalarType.Float64, context.Device);
        _lossWeights = torch.tensor(Update.LossWeights(_sampling), ScalarType.Float32, context.Device);
    }

    public Tensor Loss(Tensor perTokenLoss, Batch batch, MicroBatch micro) => Loss(perTokenLoss, ReferenceLoss(batch), batch, micro);

    Tensor? ReferenceLoss(Batch batch)
    {
        if (_reference is null) return null;
        using var _ = torch.no_grad();
        return TokenLoss.PerToken(_reference.Forward(batch.Tokens, batch.Positions, batch.AttentionMask), batch.Targets);
    }

    /// <summary>The proxy loss of one micro-batch given the proxy's per-token loss (with its graph) and the reference's.</summary>
    internal Tensor Loss(Tensor proxyPerToken, Tensor? referencePerToken, Batch batch, MicroBatch micro)
    {
        using (torch.no_grad())
        {
            var proxy = proxyPerToken.detach();
            if (_spec.Variant != DroVariant.Hardest && referencePerToken is null) throw new ArgumentNullException(nameof(referencePerToken));
            // Excess is clipped per token, before the per-domain token mean.
            var score = _spec.Variant switch
            {
                DroVariant.Excess => (proxy - referencePerToken!).clamp_min(0),
                DroVariant.Hardest => proxy,
                _ => -referencePerToken!,
            };
            var domains = batch.Domains.reshape(-1);
            _sums.index_add_(0, domains, (score * batch.LossMask).reshape(-1).to_type(ScalarType.Float64), 1);
            _counts.index_add_(0, domains, batch.LossMask.reshape(-1).to_type(ScalarType.Float64), 1);
        }
        if (micro.IsLast)
        {
            Update.Update(_sums.cpu().data<double>().ToArray(), _counts.cpu().data<double>().ToArray());
            _sums.zero_();
            _counts.zero_();
            RefreshLossWeights();
        }
        var w = _lossWeights[batch.Domains] * batch.LossMask;
        return (w * proxyPerToken).sum() / w.sum().clamp_min(1e-10);
    }

    void RefreshLossWeights()
    {
        var next = torch.tensor(Update.LossWeights(_sampling), ScalarType.Float32, _sums.device);
        _lossWeights.Dispose();
        _lossWeights = next.DetachFromDisposeScope();
    }

    public IReadOnlyDictionary<string, double> StepMetrics =>
        Enumerable.Range(0, _domains.Count).SelectMany(d => new[]
        {
            KeyValuePair.Create("w_" + _domains[d], Update.Weights[d]),
            KeyValuePair.Create("score_" + _domains[d], Update.Scores[d]),
        }).ToDictionary();

    public IReadOnlyDictionary<string, double> Summary =>
        Enumerable.Range(0, _domains.Count).ToDictionary(d => "avg_w_" + _domains[d], d => Update.Average[d]);

    public JsonNode? State => JsonSerializer.SerializeToNode(Update.State);

    public void Restore(JsonNode state)
    {
        Update.Restore(state.Deserialize<DomainWeightState>() ?? throw new ArgumentException("empty Group-DRO state"));
        RefreshLossWeights();   // the loss uses α_t's weights from the first step after a resume
    }

    /// <summary>Writes <see cref="DomainWeights.FileName"/>: the averaged weights in the reference repo's config layout.</summary>
    public void Publish(string directory) => DomainWeights.Write(Path.Combine(directory, DomainWeights.FileName), _domains, Update.Average);

    public void Dispose()
    {
        _reference?.Dispose();
        _sums.Dispose(); _counts.Dispose(); _lossWeights.Dispose();
    }
}
