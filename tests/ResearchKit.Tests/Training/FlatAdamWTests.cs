using ResearchKit.Packing;
using ResearchKit.Runtime;
using ResearchKit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Tests.Training;

public class FlatAdamWTests
{
    /// <summary>Its own generator: tests in other classes draw from torch's global one in parallel.</summary>
    static Gpt Model()
    {
        using var generator = new Generator(3);
        return new Gpt(GptConfig.Micro() with { Layers = 1, TiedHead = false }, generator);
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
    public void TheFusedKernelIsAvailableHere()
    {
        TorchRuntime.Initialize("cpu");
        using var opt = new FlatAdamW(Model(), new OptimizerConfig());
        Assert.Equal(AdamWKernel.Fused, opt.Kernel);
        Assert.Equal(10, opt.Passes.Total);   // zero 1w, norm 1r, fused 4r + 4w with the clip scale
    }

    /// <summary>Against torch.optim.AdamW (one optimizer per group: decay on matrices only) after
    /// torch.nn.utils.clip_grad_norm_, with a limit low enough that every step clips.</summary>
    [Theory]
    [InlineData(AdamWKernel.Fused)]
    [InlineData(AdamWKernel.InPlace)]
    public void MatchesTorchAdamWWithClippingAndDecayOnMatricesOnly(AdamWKernel kernel)
    {
        TorchRuntime.Initialize("cpu");
        var cfg = new OptimizerConfig(Lr: 1e-2, Beta1: 0.9, Beta2: 0.95, Eps: 1e-8, WeightDecay: 0.1, GradClip: 0.5);
        var ours = Model();
        var theirs = Model();
        using var flat = new FlatAdamW(ours, cfg, kernel);
        var matrices = theirs.parameters().Where(p => p.dim() >= 2).ToList();
        var vectors = theirs.parameters().Where(p => p.dim() < 2).ToList();
        var decay = torch.optim.AdamW(matrices, cfg.Lr, cfg.Beta1, cfg.Beta2, cfg.Eps, cfg.WeightDecay);
        var noDecay = torch.optim.AdamW(vectors, cfg.Lr, cfg.Beta1, cfg.Beta2, cfg.Eps, 0);
        for (int step = 0; step < 5; step++)
        {
            using var batch = RandomBatch(100 + step);
            flat.ZeroGrad();
            using (var l = TokenLoss.Of(ours, batch)) l.backward();
            using var norm = flat.Step(cfg.Lr);
            decay.zero_grad(); noDecay.zero_grad();
            using (var l = TokenLoss.Of(theirs, batch)) l.backward();
            double theirNorm = torch.nn.utils.clip_grad_norm_(theirs.parameters(), cfg.GradClip);
            Assert.True(theirNorm > cfg.GradClip, $"step {step}: the norm {theirNorm} must exceed the limit, so the clip is tested");
            Assert.Equal(theirNorm, norm.item<float>(), 4);
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

    [Theory]
    [InlineData(AdamWKernel.Fused, false)]
    [InlineData(AdamWKernel.Fused, true)]
    [InlineData(AdamWKernel.InPlace, false)]
    [InlineData(AdamWKernel.InPlace, true)]
    public void ANonFiniteStepChangesNothingAndIsNotCounted(AdamWKernel kernel, bool nanLoss)
    {
        TorchRuntime.Initialize("cpu");
        var cfg = new OptimizerConfig(Lr: 1e-2);
        var ours = Model();
        var reference = Model();
        using var flat = new FlatAdamW(ours, cfg, kernel);
        using var same = new FlatAdamW(reference, cfg, kernel);
        void Backward(Gpt m, FlatAdamW o, int seed) { o.ZeroGrad(); using var b = RandomBatch(seed); using var l = TokenLoss.Of(m, b); l.backward(); }

        Backward(ours, flat, 1); flat.Step(cfg.Lr).Dispose();
        Backward(reference, same, 1); same.Step(cfg.Lr).Dispose();
        using var parameters = flat.Parameters.clone();
        using var moments = flat.ExpAvgSq.clone();

        Backward(ours, flat, 2);
        if (!nanLoss) flat.Gradients[5] = torch.tensor(float.NaN);
        using var loss = torch.tensor(nanLoss ? float.NaN : 1f);
        using (var norm = flat.Step(cfg.Lr, loss))
            Assert.Equal(!nanLoss, float.IsNaN(norm.item<float>()));
        Assert.True(flat.Parameters.eq(parameters).all().item<bool>(), "a skipped step must leave the parameters as they were");
        Assert.True(flat.ExpAvgSq.eq(moments).all().item<bool>(), "a skipped step must leave the moments as they were");

        // The next finite step is the reference's second step: same bias correction, same result.
        Backward(ours, flat, 3); flat.Step(cfg.Lr).Dispose();
        Backward(reference, same, 3); same.Step(cfg.Lr).Dispose();
        Assert.True(flat.Parameters.allclose(same.Parameters, 0, 1e-7), $"differs by {(flat.Parameters - same.Parameters).abs().max().item<float>()}");
    }

    [Theory]
    [InlineData(AdamWKernel.Fused)]
    [InlineData(AdamWKernel.InPlace)]
    public void Bf16GradientNormIsAccumulatedInFp32(AdamWKernel kernel)
    {
        TorchRuntime.Initialize("cpu");
        var model = Model();
        model.to(ScalarType.BFloat16);
        using var flat = new FlatAdamW(model, new OptimizerConfig(GradClip: 0), kernel);
        using (torch.no_grad()) flat.Gradients.copy_(torch.linspace(-3, 3, flat.Gradients.numel(), ScalarType.Float32).to_type(ScalarType.BFloat16));
        double expected = Math.Sqrt(flat.Gradients.to_type(ScalarType.Float64).square().sum().item<double>());
        using var norm = flat.Step(1e-3);
        Assert.Equal(ScalarType.Float32, norm.dtype);
        Assert.Equal(expected, norm.item<float>(), expected * 1e-4);   // bf16 accumulation would be off by ~1e-2
    }
}
