using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.DoReMi;

/// <summary>
/// <see cref="DomainWeightUpdate"/> on the training device: the same update (λ from per-domain sums and counts, absent
/// or fully masked domains keep their λ, α = (1−c)·softmax(ln α + η·λ) + c/k, running average over α₀..α_t) as float64
/// tensor operations, so a GPU step never waits for the host. Values are read back only when asked
/// (<see cref="Read"/>). Its transcendental functions are libtorch's, which can differ from the host's in the last
/// bit, so on CPU the kit keeps the host update (bit-identical to earlier runs; a CPU has no transfer to save).
/// </summary>
internal sealed class DeviceDomainWeightUpdate : IDisposable
{
    readonly Tensor _weights, _average, _scores, _sampling, _present;
    readonly double _eta, _smoothing;
    readonly int _k;

    /// <param name="initialWeights">α₀ (any positive scale), validated like <see cref="DomainWeightUpdate"/>.</param>
    /// <param name="samplingWeights">The weights windows are drawn with: the loss reweights α over them.</param>
    public DeviceDomainWeightUpdate(IReadOnlyList<double> initialWeights, IReadOnlyList<double> samplingWeights, Device device,
        double eta = 1.0, double smoothing = 1e-3, double initialScore = 0.0)
    {
        var host = new DomainWeightUpdate(initialWeights, eta, smoothing, initialScore); // validates and normalises exactly as the host does
        _k = initialWeights.Count;
        if (samplingWeights.Count != _k) throw new ArgumentException($"{samplingWeights.Count} sampling weights for {_k} domains", nameof(samplingWeights));
        _weights = torch.tensor(host.Weights.ToArray(), ScalarType.Float64, device);
        _average = torch.tensor(host.Average.ToArray(), ScalarType.Float64, device);
        _scores = torch.tensor(host.Scores.ToArray(), ScalarType.Float64, device);
        _sampling = torch.tensor(samplingWeights.ToArray(), ScalarType.Float64, device);
        _present = torch.zeros(1, ScalarType.Float64, device);
        _eta = eta;
        _smoothing = smoothing;
        LossWeights = ComputeLossWeights();
    }

    /// <summary>How many vectors the average holds (1 + updates): known on the host without a read-back.</summary>
    public long Count { get; private set; } = 1;

    /// <summary>(α_d/s_d)/Σ_j(α_j/s_j) as float32 on the device; a domain never sampled (s = 0) gets 0.</summary>
    public Tensor LossWeights { get; private set; }

    /// <summary>One update from the step's per-domain score sums and unmasked-token counts (float64 [k] on the device);
    /// writes [α_0, λ_0, α_1, λ_1, ..., present domains] into <paramref name="stepValues"/> ([2k+1], on the device).</summary>
    public void Update(Tensor scoreSums, Tensor tokenCounts, Tensor stepValues)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var present = tokenCounts.gt(0);
        _scores.copy_(torch.where(present, scoreSums / tokenCounts, _scores));
        _present.copy_(present.sum().to_type(ScalarType.Float64).reshape(1));
        var logits = _weights.log() + _eta * _scores;
        var max = logits.masked_fill(logits.isfinite().logical_not(), double.NegativeInfinity).max();
        var e = (logits - max).exp();
        _weights.copy_((1 - _smoothing) * e / e.sum() + _smoothing / _k);
        Count++;
        _average.copy_((_average * (Count - 1) + _weights) / Count);
        var next = ComputeLossWeights();
        LossWeights.Dispose();
        LossWeights = next;
        stepValues.narrow(0, 0, 2 * _k).copy_(torch.stack([_weights, _scores], 1).reshape(-1));
        stepValues.narrow(0, 2 * _k, 1).copy_(_present);
    }

    Tensor ComputeLossWeights()
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var ratio = torch.where(_sampling.gt(0), _weights / _sampling, torch.zeros_like(_weights));
        // Lives across steps: detached from every dispose scope (the trainer's step scope included).
        return (ratio / ratio.sum()).to_type(ScalarType.Float32).DetachFromDisposeScope();
    }

    /// <summary>α_t, the average, λ and how many domains the latest update saw: one read-back of 3k+1 numbers.</summary>
    public (DomainWeightState State, int PresentDomains) Read()
    {
        using var all = torch.cat([_weights, _average, _scores, _present]).cpu();
        var v = all.data<double>().ToArray();
        return (new DomainWeightState(v[.._k], v[_k..(2 * _k)], v[(2 * _k)..(3 * _k)], Count), (int)v[3 * _k]);
    }

    public void Restore(DomainWeightState state)
    {
        if (state.Weights.Length != _k) throw new ArgumentException($"state has {state.Weights.Length} domains, this update {_k}");
        using (torch.no_grad())
        {
            using var w = torch.tensor(state.Weights, ScalarType.Float64);
            using var a = torch.tensor(state.Average, ScalarType.Float64);
            using var s = torch.tensor(state.Scores, ScalarType.Float64);
            _weights.copy_(w);
            _average.copy_(a);
            _scores.copy_(s);
        }
        Count = state.Count;
        var next = ComputeLossWeights();
        LossWeights.Dispose();
        LossWeights = next;
    }

    public void Dispose()
    {
        _weights.Dispose(); _average.Dispose(); _scores.Dispose(); _sampling.Dispose(); _present.Dispose();
        LossWeights.Dispose();
    }
}
