using ResearchKit.Packing;
using ResearchKit.Runtime;
using ResearchKit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Tests.Training;

public class FlatAdamWTests
{
    static Gpt Model()
    {
        torch.manual_seed(3);
        return new Gpt(GptConfig.Micro() with { Layers = 1, TiedHead = false });
    }

    static Batch RandomBatch(int seed)
    {
        var r = new Random(seed);
        var windows = Enumerable.Range(0, 2).Select(_ =>
        {
            var ids = Enumerable.Range(0, 33).Select(_ => r.Next(257)).ToArray();
            return new PackedWindow(ids, ids.Select(_ => true).ToArray(), new int[33], new int[33]);
        }).ToArray();
        return Batch.FromWindows(windows, false, torch.CPU);
    }

    [Fact]
    public void ParametersAndGradientsLiveInTheFlatBuffers()
    {
        TorchRuntime.Initialize("cpu");
        var model = Model();
        using var opt = new FlatAdamW(model, new OptimizerConfig());
        Assert.Equal(model.Config.ParameterCount, opt.Parameters.numel());
        using var batch = RandomBatch(1);
        using (var loss = TokenLoss.Of(model, batch)) loss.backward();
        Assert.True(opt.Gradients.abs().sum().item<float>() > 0, "backward must accumulate into the flat gradient buffer");
        // Matrices first: every slot before DecayedCount is 2-D, every slot after is 1-D.
        Assert.All(opt.Layout, s => Assert.Equal(s.Offset < opt.DecayedCount, s.Shape.Length == 2));
        var wte = model.named_parameters().First(p => p.name == "wte").parameter;
        using (torch.no_grad()) opt.Parameters.narrow(0, opt.Layout.First(s => s.Name == "wte").Offset, 1).fill_(42f);
        Assert.Equal(42f, wte[0, 0].item<float>());
    }

    [Fact]
    public void MatchesTorchAdamWWithDecayOnMatricesOnly()
    {
        TorchRuntime.Initialize("cpu");
        var cfg = new OptimizerConfig(Lr: 1e-2, Beta1: 0.9, Beta2: 0.95, Eps: 1e-8, WeightDecay: 0.1, GradClip: 0);
        var ours = Model();
        var theirs = Model();
        using var flat = new FlatAdamW(ours, cfg);
        var matrices = theirs.parameters().Where(p => p.dim() >= 2).ToList();
        var vectors = theirs.parameters().Where(p => p.dim() < 2).ToList();
        var decay = torch.optim.AdamW(matrices, cfg.Lr, cfg.Beta1, cfg.Beta2, cfg.Eps, cfg.WeightDecay);
        var noDecay = torch.optim.AdamW(vectors, cfg.Lr, cfg.Beta1, cfg.Beta2, cfg.Eps, 0);
        for (int step = 0; step < 5; step++)
        {
            using var batch = RandomBatch(100 + step);
            flat.ZeroGrad();
            using (var l = TokenLoss.Of(ours, batch)) l.backward();
            flat.Step(cfg.Lr);
            decay.zero_grad(); noDecay.zero_grad();
            using (var l = TokenLoss.Of(theirs, batch)) l.backward();
            decay.step(); noDecay.step();
        }
        var theirsByName = theirs.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in ours.named_parameters())
        {
            double diff = (p - theirsByName[name]).abs().max().item<float>();
            Assert.True(diff < 1e-6, $"{name} differs by {diff}");
        }
        double moved = (ours.named_parameters().First().parameter - Model().named_parameters().First().parameter).abs().max().item<float>();
        Assert.True(moved > 1e-3, "five steps at lr 1e-2 must move the weights");
    }
}
