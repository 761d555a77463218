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

    [Theory]
    [InlineData(Precision.Bf16Mixed)]
    [InlineData(Precision.Bf16Pure)]
    public void TrainsInBf16(Precision precision)
    {
        var data = TestCorpus.Bytes("Packing");
        var result = Trainer.Run(new TrainConfig
        {
            Model = GptConfig.Micro(), BatchSize = 4, Steps = 15, Precision = precision,
            Optimizer = new OptimizerConfig(Lr: 1e-2), Schedule = new LrSchedule(ScheduleKind.Constant),
        }, data);
        Assert.Equal(precision == Precision.Bf16Pure ? ScalarType.BFloat16 : ScalarType.Float32, result.Model.parameters().First().dtype);
        Assert.True(result.Metrics[^1].Loss < result.Metrics[0].Loss - 1, $"{result.Metrics[0].Loss} -> {result.Metrics[^1].Loss}");
    }
}
