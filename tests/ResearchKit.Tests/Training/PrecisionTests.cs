using ResearchKit.Packing;
using ResearchKit.Runtime;
using ResearchKit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Tests.Training;

/// <summary>The bf16 paths are meant for CUDA, but libtorch runs bf16 on CPU too, so the casts are checked here.</summary>
public class PrecisionTests
{
    [Fact]
    public void Bf16ComputeStaysCloseToFp32WithDocumentMasks()
    {
        TorchRuntime.Initialize("cpu");
        torch.manual_seed(4);
        var model = new Gpt(GptConfig.Micro());
        model.eval();
        var r = new Random(1);
        var ids = Enumerable.Range(0, 33).Select(_ => r.Next(256)).ToArray();
        var w = new PackedWindow(ids, ids.Select(_ => true).ToArray(), ids.Select((_, i) => i < 10 ? 0 : 1).ToArray(), new int[33]);
        using var batch = Batch.FromWindows([w], documentMask: true, torch.CPU);
        using var fp32 = model.Forward(batch.Tokens, batch.Positions, batch.AttentionMask);
        model.ComputeType = ScalarType.BFloat16;
        using var bf16 = model.Forward(batch.Tokens, batch.Positions, batch.AttentionMask);
        Assert.Equal(ScalarType.Float32, bf16.dtype);
        double diff = (fp32 - bf16).abs().max().item<float>();
        Assert.InRange(diff, 1e-6, 0.05); // bf16 rounding shows, but only at the percent level
    }

    [Fact]
    public void Bf16MixedTrainingTracksFp32StepByStepWithFp32MasterWeights()
    {
        var data = TestCorpus.Bytes("Packing");
        TrainConfig Config(Precision p) => new()
        {
            Model = GptConfig.Micro(), BatchSize = 4, Steps = 12, Precision = p, Seed = 3,
            Optimizer = new OptimizerConfig(Lr: 3e-3), Schedule = new LrSchedule(ScheduleKind.Constant),
        };
        var fp32 = Trainer.Run(Config(Precision.Fp32), data);
        var mixed = Trainer.Run(Config(Precision.Bf16Mixed), data);
        Assert.Equal(ScalarType.Float32, mixed.Model.parameters().First().dtype);   // master weights stay fp32
        // The same batches in the same order: each step's loss within bf16 rounding of fp32's, not merely "going down".
        for (int i = 0; i < 12; i++)
            Assert.True(Math.Abs(fp32.Metrics[i].Loss - mixed.Metrics[i].Loss) < 0.02 * fp32.Metrics[i].Loss,
                $"step {i}: fp32 {fp32.Metrics[i].Loss:F4}, bf16 mixed {mixed.Metrics[i].Loss:F4}");
        Assert.NotEqual(fp32.Metrics[^1].Loss, mixed.Metrics[^1].Loss);              // bf16 really ran
        Assert.True(mixed.Metrics[^1].Loss < mixed.Metrics[0].Loss - 0.5, $"{mixed.Metrics[0].Loss:F3} -> {mixed.Metrics[^1].Loss:F3}");
    }

    [Fact]
    public void WeightDecayTooSmallForBf16IsAppliedToTheFp32MasterWeights()
    {
        TorchRuntime.Initialize("cpu");
        torch.manual_seed(3);
        var model = new Gpt(GptConfig.Micro());
        using var adam = new FlatAdamW(model, new OptimizerConfig(Lr: 1e-4, WeightDecay: 0.1, GradClip: 0));
        using var before = adam.Parameters.clone();
        adam.ZeroGrad();
        adam.Step(1e-4);   // zero gradients: the only change is decoupled decay, w·(1 − lr·wd) = w·(1 − 1e-5)
        using var decayed = adam.Parameters.narrow(0, 0, adam.DecayedCount);
        using var expected = before.narrow(0, 0, adam.DecayedCount) * (1 - 1e-5);
        Assert.Equal(0f, (decayed - expected).abs().max().item<float>(), 9);
        Assert.True((decayed - before.narrow(0, 0, adam.DecayedCount)).abs().max().item<float>() > 0);
        // The same relative change is below bf16's resolution (8-bit mantissa): in bf16 almost no weight would move.
        using var bf16Before = before.narrow(0, 0, adam.DecayedCount).to_type(ScalarType.BFloat16);
        using var expectedBf16 = expected.to_type(ScalarType.BFloat16);
        Assert.True(bf16Before.eq(expectedBf16).to_type(ScalarType.Float32).mean().item<float>() > 0.99);
    }
}
