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
        Assert.Equal([0.5, 1.0], dro.Update.Scores);
        // α1 ∝ 0.5·[e^0.5, e^1] -> [0.3775407, 0.6224593]; smoothed 0.999·α' + 0.0005.
        Assert.Equal(0.999 * Math.Exp(0.5) / (Math.Exp(0.5) + Math.E) + 0.0005, dro.Update.Weights[0], 12);
        // Loss weights α/s with uniform s are α itself: L = (w0·(2+1) + w1·(3+0.5)) / (2·w0 + 2·w1).
        double w0 = dro.Update.Weights[0], w1 = dro.Update.Weights[1];
        Assert.Equal((w0 * 3 + w1 * 3.5) / (2 * w0 + 2 * w1), loss.item<float>(), 5);
    }

    [Fact]
    public void FullyMaskedDomainKeepsItsScoreAndNeverTurnsNaN()
    {
        TorchRuntime.Initialize("cpu");
        using var dro = new GroupDro(new GroupDroObjective(DroVariant.Hardest), Context(3, [1, 1, 1]), reference: null);
        using var batch = Batch([0, 0, 1, 1], [1, 1, 0, 0]); // domain 1 present but fully masked, domain 2 absent
        using var loss = dro.Loss(Row(1, 2, 3, 4), null, batch, new MicroBatch(0, 1));
        Assert.Equal([1.5, 0, 0], dro.Update.Scores);
        Assert.All(dro.Update.Weights, w => Assert.True(double.IsFinite(w)));
        Assert.Equal(1.5f, loss.item<float>(), 5); // only domain 0's tokens count
    }
}
