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
/// <para>Where the update runs: on a GPU the per-domain sums, the α update and the loss weights all stay on the device
/// (<see cref="DeviceDomainWeightUpdate"/>), and values are read back only when metrics, the summary or the checkpoint
/// state are asked for. On CPU the host update (<see cref="DomainWeightUpdate"/>) runs on the same buffers: there is no
/// transfer to save, and it keeps CPU runs bit-identical to earlier ones (libtorch's exp/log differ from the host's in
/// the last bit for a fraction of inputs).</para>
/// <para>The per-step metrics (α, λ, present domains) go to the trainer's device log (<see cref="IDeviceStepMetrics"/>),
/// read with the loss every <see cref="TrainConfig.LogEvery"/> steps, so a GPU step does not wait to report them.</para>
/// </summary>
internal sealed class GroupDro : ITrainingObjective, IDeviceStepMetrics
{
    readonly GroupDroObjective _spec;
    readonly Gpt? _reference;
    readonly IReadOnlyList<string> _domains;
    readonly double[] _sampling;
    readonly Tensor _sums, _counts;
    readonly DomainWeightUpdate? _host;
    readonly DeviceDomainWeightUpdate? _device;
    Tensor? _hostLossWeights;
    int _hostPresent;
    readonly Tensor _stepValues;   // [w_0, score_0, w_1, score_1, ..., present_domains] after the latest update
    (long Count, DomainWeightState State, int Present)? _read;

    /// <param name="reference">The frozen reference model; null for the hardest variant, or for callers that pass
    /// reference losses to <see cref="Loss(Tensor, Tensor?, Batch, MicroBatch)"/> themselves.</param>
    /// <param name="updateOnDevice">Run the α update as tensor operations on the run's device; null = on a GPU only.</param>
    /// <param name="referenceFile">The reference checkpoint, named in errors.</param>
    public GroupDro(GroupDroObjective spec, ObjectiveContext context, Gpt? reference, bool? updateOnDevice = null, string? referenceFile = null)
    {
        _spec = spec;
        _domains = context.Domains;
        _sampling = (context.SamplingWeights ?? throw new ArgumentException(
            "Group DRO needs explicit sampling weights (Data.DomainWeights, e.g. uniform): its loss reweights α over them, " +
            "and natural proportions would silently mis-weight it")).ToArray();
        int k = _domains.Count;
        if (_sampling.Length != k) throw new ArgumentException($"{_sampling.Length} sampling weights for {k} domains");
        double initialScore = spec.ReferenceInitScore ? Math.Log(context.VocabSize) : 0;
        bool onDevice = updateOnDevice ?? context.Device.type != DeviceType.CPU;
        if (!onDevice && context.Device.type != DeviceType.CPU) throw new ArgumentException("the host update reads the domain sums in place: it runs on CPU only");
        if (onDevice)
            _device = new DeviceDomainWeightUpdate(_sampling, _sampling, context.Device, spec.Eta, spec.Smoothing, initialScore);
        else
        {
            _host = new DomainWeightUpdate(_sampling, spec.Eta, spec.Smoothing, initialScore);
            _hostLossWeights = torch.tensor(_host.LossWeights(_sampling), ScalarType.Float32, context.Device);
        }
        _reference = reference;
        if (_reference is not null)
        {
            _reference.eval();
            foreach (var p in _reference.parameters()) p.requires_grad = false;
            if (_reference.Config.VocabSize != context.VocabSize)
                throw new DataFormatException(referenceFile ?? "the reference model", null, "Model.VocabSize",
                    $"the reference model's vocabulary ({_reference.Config.VocabSize}) differs from the proxy's ({context.VocabSize}): it was trained with another tokenizer");
        }
        _sums = torch.zeros(k, ScalarType.Float64, context.Device);
        _counts = torch.zeros(k, ScalarType.Float64, context.Device);
        _stepValues = torch.zeros(2 * k + 1, ScalarType.Float64, context.Device);
        StepMetricNames = [.. _domains.SelectMany(d => new[] { "w_" + d, "score_" + d }), "present_domains"];
    }

    Tensor LossWeights => _device?.LossWeights ?? _hostLossWeights!;

    /// <summary>α_t, the average over α₀..α_t, λ and the update count (read back from the device when the update runs there).</summary>
    public DomainWeightState Weights => Current().State;

    /// <summary>How many domains had counted tokens in the latest update.</summary>
    public int PresentDomains => Current().Present;

    public Tensor Loss(Tensor perTokenLoss, Batch batch, MicroBatch micro) => Loss(perTokenLoss, ReferenceLoss(batch), batch, micro);

    Tensor? ReferenceLoss(Batch batch)
    {
        if (_reference is null) return null;
        using var _ = torch.no_grad();
        return TokenLoss.PerToken(_reference, batch);   // the path the proxy's loss takes, so a proxy equal to its reference has zero excess
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
            if (_device is not null) _device.Update(_sums, _counts, _stepValues);
            else HostUpdate();
            _sums.zero_();
            _counts.zero_();
            _read = null;
        }
        var w = LossWeights[batch.Domains] * batch.LossMask;
        return (w * proxyPerToken).sum() / w.sum().clamp_min(1e-10);
    }

    void HostUpdate()
    {
        // CPU tensors: reading them is a view, not a transfer.
        var counts = _counts.data<double>().ToArray();
        _host!.Update(_sums.data<double>().ToArray(), counts);
        _hostPresent = counts.Count(c => c > 0);
        RefreshHostLossWeights();
        var state = _host.State;
        var values = _stepValues.data<double>();   // a CPU tensor: written in place
        for (int d = 0; d < _domains.Count; d++) { values[2 * d] = state.Weights[d]; values[2 * d + 1] = state.Scores[d]; }
        values[2 * _domains.Count] = _hostPresent;
    }

    void RefreshHostLossWeights()
    {
        var next = torch.tensor(_host!.LossWeights(_sampling), ScalarType.Float32, _sums.device);
        _hostLossWeights?.Dispose();
        _hostLossWeights = next.DetachFromDisposeScope();
    }

    (DomainWeightState State, int Present) Current()
    {
        long count = _device?.Count ?? _host!.Count;
        if (_read is { } r && r.Count == count) return (r.State, r.Present);
        var (state, present) = _device is not null ? _device.Read() : (_host!.State, _hostPresent);
        _read = (count, state, present);
        return (state, present);
    }

    /// <summary><c>w_&lt;domain&gt;</c> (α_t), <c>score_&lt;domain&gt;</c> (λ: a domain absent from the step keeps its
    /// previous value) and <c>present_domains</c> (how many domains had counted tokens this step).</summary>
    public IReadOnlyList<string> StepMetricNames { get; }

    /// <summary>The values of <see cref="StepMetricNames"/> after the latest update, where the update ran.</summary>
    public Tensor StepMetricValues => _stepValues;

    /// <summary><see cref="StepMetricNames"/> with their values, read back now.</summary>
    public IReadOnlyDictionary<string, double> StepMetrics
    {
        get
        {
            var (state, present) = Current();
            var metrics = Enumerable.Range(0, _domains.Count).SelectMany(d => new[]
            {
                KeyValuePair.Create("w_" + _domains[d], state.Weights[d]),
                KeyValuePair.Create("score_" + _domains[d], state.Scores[d]),
            }).ToDictionary();
            metrics["present_domains"] = present;
            return metrics;
        }
    }

    public IReadOnlyDictionary<string, double> Summary
    {
        get
        {
            var average = Current().State.Average;
            return Enumerable.Range(0, _domains.Count).ToDictionary(d => "avg_w_" + _domains[d], d => average[d]);
        }
    }

    public JsonNode? State => JsonSerializer.SerializeToNode(Current().State);

    public void Restore(JsonNode state)
    {
        var s = state.Deserialize<DomainWeightState>() ?? throw new ArgumentException("empty Group-DRO state");
        if (_device is not null) _device.Restore(s);
        else
        {
            _host!.Restore(s);
            RefreshHostLossWeights();   // the loss uses α_t's weights from the first step after a resume
        }
        _read = null;
    }

    /// <summary>Writes <see cref="DomainWeights.FileName"/>: the averaged weights in the reference repo's config layout.</summary>
    public void Publish(string directory) => DomainWeights.Write(Path.Combine(directory, DomainWeights.FileName), _domains, Current().State.Average);

    public void Dispose()
    {
        _reference?.Dispose();
        _sums.Dispose(); _counts.Dispose(); _stepValues.Dispose();
        _hostLossWeights?.Dispose();
        _device?.Dispose();
    }
}
