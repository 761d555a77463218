using System.Text.Json.Nodes;
using ResearchKit.DoReMi;
using ResearchKit.Runtime;
using ResearchKit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Tests.DoReMi;

public class GroupDroObjectiveTests
{
    static Batch Batch(long[] domains, float[] mask) => new()
    {
        Tokens = torch.zeros(1, domains.Length, ScalarType.Int64), Targets = torch.zeros(1, domains.Length, ScalarType.Int64),
        Domains = torch.tensor(domains, [1, domains.Length]), LossMask = torch.tensor(mask, [1, domains.Length]),
    };

    static Tensor Row(params float[] v) => torch.tensor(v, [1, v.Length]);

    static ObjectiveContext Context(int domains, double[] sampling) =>
        new(Enumerable.Range(0, domains).Select(d => $"d{d}").ToArray(), sampling, 257, torch.CPU, Precision.Fp32);

    [Fact]
    public void ExcessIsClippedPerTokenBeforeTheDomainMean()
    {
        TorchRuntime.Initialize("cpu");
        using var dro = new GroupDro(new GroupDroObjective(DroVariant.Excess), Context(2, [1, 1]), reference: null);
        using var batch = Batch([0, 0, 1, 1, 1], [1, 1, 1, 1, 0]);
        // excess = proxy - ref = [1, -1, 2, 0, 9]; clipped [1, 0, 2, 0, (masked)] -> λ = [0.5, 1.0]
        // (a clip after the mean would give λ0 = max(0, 0) = 0).
        using var loss = dro.Loss(Row(2, 1, 3, 0.5f, 10), Row(1, 2, 1, 0.5f, 1), batch, new MicroBatch(0, 1));
        Assert.Equal([0.5, 1.0], dro.Weights.Scores);
        // α1 ∝ 0.5·[e^0.5, e^1] -> [0.3775407, 0.6224593]; smoothed 0.999·α' + 0.0005.
        Assert.Equal(0.999 * Math.Exp(0.5) / (Math.Exp(0.5) + Math.E) + 0.0005, dro.Weights.Weights[0], 12);
        // Loss weights α/s with uniform s are α itself: L = (w0·(2+1) + w1·(3+0.5)) / (2·w0 + 2·w1).
        double w0 = dro.Weights.Weights[0], w1 = dro.Weights.Weights[1];
        Assert.Equal((w0 * 3 + w1 * 3.5) / (2 * w0 + 2 * w1), loss.item<float>(), 5);
        Assert.Equal(2, dro.PresentDomains);
    }

    [Fact]
    public void FullyMaskedDomainKeepsItsScoreAndNeverTurnsNaN()
    {
        TorchRuntime.Initialize("cpu");
        using var dro = new GroupDro(new GroupDroObjective(DroVariant.Hardest), Context(3, [1, 1, 1]), reference: null);
        using var batch = Batch([0, 0, 1, 1], [1, 1, 0, 0]); // domain 1 present but fully masked, domain 2 absent
        using var loss = dro.Loss(Row(1, 2, 3, 4), null, batch, new MicroBatch(0, 1));
        Assert.Equal([1.5, 0, 0], dro.Weights.Scores);
        Assert.All(dro.Weights.Weights, w => Assert.True(double.IsFinite(w)));
        Assert.Equal(1.5f, loss.item<float>(), 5);   // only domain 0's tokens count
        Assert.Equal(1, dro.PresentDomains);          // a fully masked domain counts as absent
    }

    [Fact]
    public void TheThreeObjectivesScoreTheSameTokensAsSpecified()
    {
        // Domain 0: proxy [3, 1], reference [2, 2]; domain 1: proxy [1, 7 (masked)], reference [0.5, 0]; domain 2 absent.
        // excess λ = [mean(1, 0), 0.5] = [0.5, 0.5]; hardest λ = [2, 1]; easiest λ = [-2, -0.5] (no clip). Absent: 0.
        TorchRuntime.Initialize("cpu");
        var expected = new Dictionary<DroVariant, double[]> { [DroVariant.Excess] = [0.5, 0.5, 0], [DroVariant.Hardest] = [2, 1, 0], [DroVariant.Easiest] = [-2, -0.5, 0] };
        foreach (var (variant, lambda) in expected)
        {
            using var dro = new GroupDro(new GroupDroObjective(variant, Eta: 0.5, Smoothing: 0.01), Context(3, [0.2, 0.5, 0.3]), reference: null);
            using var batch = Batch([0, 0, 1, 1], [1, 1, 1, 0]);
            using var loss = dro.Loss(Row(3, 1, 1, 7), Row(2, 2, 0.5f, 0), batch, new MicroBatch(0, 1));
            Assert.Equal(lambda, dro.Weights.Scores);
            // α0 = sampling [0.2, 0.5, 0.3] (nonuniform); the host update gives the same numbers for the same λ.
            var reference = new DomainWeightUpdate([0.2, 0.5, 0.3], 0.5, 0.01);
            reference.Update([lambda[0] * 2, lambda[1], 0], [2, 1, 0]);
            Assert.Equal(reference.Weights, dro.Weights.Weights);
            // Loss weights (α/s)/Σ(α/s): tokens 0,1 carry w0, token 2 carries w1, token 3 is masked.
            var lw = reference.LossWeights([0.2, 0.5, 0.3]);
            Assert.Equal((lw[0] * 4 + lw[1] * 1) / (2 * lw[0] + lw[1]), loss.item<float>(), 5);
        }
    }

    [Fact]
    public void AProxyEqualToItsReferenceKeepsUniformAlpha()
    {
        // Same per-token losses: excess 0 everywhere -> λ = 0 -> softmax(ln α) = α, and uniform α is the smoothing's
        // fixed point: every step's α has all entries equal, at 1/k to the last bits; the average too.
        TorchRuntime.Initialize("cpu");
        using var dro = new GroupDro(new GroupDroObjective(), Context(4, [1, 1, 1, 1]), reference: null);
        var rng = new Random(3);
        for (int step = 0; step < 20; step++)
        {
            var domains = Enumerable.Range(0, 8).Select(_ => (long)rng.Next(4)).ToArray();
            using var batch = Batch(domains, Enumerable.Repeat(1f, 8).ToArray());
            using var losses = Row(Enumerable.Range(0, 8).Select(_ => (float)rng.NextDouble() * 5).ToArray());
            using var loss = dro.Loss(losses, losses, batch, new MicroBatch(0, 1));
            var w = dro.Weights;
            Assert.All(w.Scores, s => Assert.Equal(0, s));
            Assert.All(w.Weights, x => Assert.Equal(w.Weights[0], x));
            Assert.Equal(0.25, w.Weights[0], 15);
            Assert.Equal(0.25, w.Average[0], 15);
        }
    }

    /// <summary>A trace with gradient accumulation, absent and fully masked domains and nonuniform sampling.</summary>
    static IEnumerable<(Tensor Proxy, Tensor Reference, Batch Batch, MicroBatch Micro)> Trace(int steps, int seed)
    {
        var rng = new Random(seed);
        for (int step = 0; step < steps; step++)
            for (int micro = 0; micro < 2; micro++)
            {
                const int n = 24;
                var domains = Enumerable.Range(0, n).Select(_ => (long)rng.Next(step % 3 == 0 ? 3 : 5)).ToArray();   // domains 3, 4 absent every third step
                var mask = domains.Select(d => d == 2 && step % 4 == 1 ? 0f : rng.NextDouble() < 0.9 ? 1f : 0f).ToArray(); // domain 2 fully masked every fourth step
                yield return (Row(Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 6)).ToArray()),
                              Row(Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 6)).ToArray()),
                              Batch(domains, mask), new MicroBatch(micro, 2));
            }
    }

    [Fact]
    public void OnCpuTheUpdateIsBitIdenticalToThePreviousImplementation()
    {
        TorchRuntime.Initialize("cpu");
        double[] sampling = [0.1, 0.2, 0.3, 0.15, 0.25];
        var spec = new GroupDroObjective(DroVariant.Excess, Eta: 1, Smoothing: 1e-3);
        using var dro = new GroupDro(spec, Context(5, sampling), reference: null);
        using var legacy = new LegacyGroupDro(sampling, spec);
        foreach (var (proxy, reference, batch, micro) in Trace(40, 11))
        {
            using (proxy) using (reference) using (batch)
            using (var a = dro.Loss(proxy, reference, batch, micro))
            using (var b = legacy.Loss(proxy, reference, batch, micro))
                Assert.Equal(b.item<float>(), a.item<float>());
            if (micro.IsLast)
            {
                Assert.Equal(legacy.Update.Weights, dro.Weights.Weights);
                Assert.Equal(legacy.Update.Average, dro.Weights.Average);
                Assert.Equal(legacy.Update.Scores, dro.Weights.Scores);
            }
        }
    }

    [Fact]
    public void TheDeviceUpdateMatchesTheHostUpdate()
    {
        // The update a GPU runs (tensor operations, values read back only when asked), run here on CPU: the same
        // numbers up to libtorch's last-bit differences in exp/log.
        TorchRuntime.Initialize("cpu");
        double[] sampling = [0.1, 0.2, 0.3, 0.15, 0.25];
        var spec = new GroupDroObjective(DroVariant.Excess, Eta: 1, Smoothing: 1e-3, ReferenceInitScore: true);
        using var host = new GroupDro(spec, Context(5, sampling), reference: null, updateOnDevice: false);
        using var device = new GroupDro(spec, Context(5, sampling), reference: null, updateOnDevice: true);
        int steps = 0;
        foreach (var (proxy, reference, batch, micro) in Trace(40, 12))
        {
            using (proxy) using (reference) using (batch)
            using (var a = host.Loss(proxy, reference, batch, micro))
            using (var b = device.Loss(proxy, reference, batch, micro))
                Assert.Equal(a.item<float>(), b.item<float>(), 5);
            if (!micro.IsLast) continue;
            steps++;
            AssertClose(host.Weights.Weights, device.Weights.Weights);
            AssertClose(host.Weights.Average, device.Weights.Average);
            AssertClose(host.Weights.Scores, device.Weights.Scores);
            Assert.Equal(host.Weights.Count, device.Weights.Count);
            Assert.Equal(host.PresentDomains, device.PresentDomains);
            Assert.Equal(host.StepMetrics.Keys.Order(), device.StepMetrics.Keys.Order());
            // What the trainer's device log receives is what the metrics read back (host and device update alike).
            foreach (var o in new[] { host, device })
                Assert.Equal(o.StepMetricNames.Select(n => o.StepMetrics[n]), o.StepMetricValues.data<double>().ToArray());
        }
        Assert.Equal(40, steps);
        Assert.Equal(41, device.Weights.Count);
        // The ln V initial score makes absent domains jump (the reference init): the weights must have moved far from α0.
        Assert.True(Math.Abs(device.Weights.Weights[3] - 0.15) > 0.01);
    }

    [Fact]
    public void DeviceStateRestoresIntoANewObjective()
    {
        TorchRuntime.Initialize("cpu");
        double[] sampling = [1, 1, 1, 1, 1];
        var spec = new GroupDroObjective();
        using var first = new GroupDro(spec, Context(5, sampling), reference: null, updateOnDevice: true);
        using var second = new GroupDro(spec, Context(5, sampling), reference: null, updateOnDevice: true);
        var trace = Trace(10, 13).ToList();
        for (int i = 0; i < 10; i++) first.Loss(trace[i].Proxy, trace[i].Reference, trace[i].Batch, trace[i].Micro).Dispose();
        second.Restore(JsonNode.Parse(first.State!.ToJsonString())!);
        for (int i = 10; i < trace.Count; i++)
        {
            using var a = first.Loss(trace[i].Proxy, trace[i].Reference, trace[i].Batch, trace[i].Micro);
            using var b = second.Loss(trace[i].Proxy, trace[i].Reference, trace[i].Batch, trace[i].Micro);
            Assert.Equal(a.item<float>(), b.item<float>());   // the restored loss weights are used from the first step on
        }
        Assert.Equal(first.Weights.Weights, second.Weights.Weights);
        Assert.Equal(first.Weights.Average, second.Weights.Average);
        Assert.Equal(first.Weights.Count, second.Weights.Count);
    }

    static void AssertClose(IReadOnlyList<double> expected, IReadOnlyList<double> actual)
    {
        for (int i = 0; i < expected.Count; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-13 * Math.Max(1, Math.Abs(expected[i])), $"{i}: {expected[i]} vs {actual[i]}");
    }

    /// <summary>The Group-DRO loss and update as the kit computed them before the update moved to the device (commit
    /// 353895d): host update after a read-back of the device sums, loss weights uploaded each step.</summary>
    sealed class LegacyGroupDro(double[] sampling, GroupDroObjective spec) : IDisposable
    {
        readonly Tensor _sums = torch.zeros(sampling.Length, ScalarType.Float64), _counts = torch.zeros(sampling.Length, ScalarType.Float64);
        Tensor _lossWeights = torch.tensor(new DomainWeightUpdate(sampling).LossWeights(sampling), ScalarType.Float32);
        public DomainWeightUpdate Update { get; } = new(sampling, spec.Eta, spec.Smoothing);

        public Tensor Loss(Tensor proxyPerToken, Tensor referencePerToken, Batch batch, MicroBatch micro)
        {
            using (torch.no_grad())
            {
                var score = (proxyPerToken.detach() - referencePerToken).clamp_min(0);
                var domains = batch.Domains.reshape(-1);
                _sums.index_add_(0, domains, (score * batch.LossMask).reshape(-1).to_type(ScalarType.Float64), 1);
                _counts.index_add_(0, domains, batch.LossMask.reshape(-1).to_type(ScalarType.Float64), 1);
            }
            if (micro.IsLast)
            {
                Update.Update(_sums.cpu().data<double>().ToArray(), _counts.cpu().data<double>().ToArray());
                _sums.zero_();
                _counts.zero_();
                _lossWeights.Dispose();
                _lossWeights = torch.tensor(Update.LossWeights(sampling), ScalarType.Float32);
            }
            var w = _lossWeights[batch.Domains] * batch.LossMask;
            return (w * proxyPerToken).sum() / w.sum().clamp_min(1e-10);
        }

        public void Dispose() { _sums.Dispose(); _counts.Dispose(); _lossWeights.Dispose(); }
    }
}
