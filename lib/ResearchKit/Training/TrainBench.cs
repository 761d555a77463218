using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Training;

/// <summary>Training throughput of a config on its device. <see cref="Line"/> has the same format as
/// bench/pytorch_reference.py, so the two can be compared line by line.</summary>
public sealed record BenchResult(string Device, string Precision, long Parameters, int BatchSize, int Context, double SecondsPerStep, double TokensPerSecond, double Mfu)
{
    public string Line => $"impl=torchsharp device={Device} precision={Precision} params={Parameters / 1e6:F1}M batch={BatchSize}x{Context} " +
                          $"step_ms={SecondsPerStep * 1000:F1} tokens_per_s={TokensPerSecond:F0} mfu={Mfu * 100:F1}%";
}

/// <summary>
/// Times full optimizer steps (forward, backward, clip, AdamW) on random tokens, after warm-up steps that are
/// not timed (allocator and kernel selection). Random tokens are fine here: throughput does not depend on the
/// values, and the PyTorch reference does the same. Attention is plain causal (no document mask).
/// </summary>
public static class TrainBench
{
    public static BenchResult Run(TrainConfig config, int steps = 20, int warmup = 5, IProgress<WorkProgress>? progress = null)
    {
        if (steps <= 0 || warmup < 0) throw new ArgumentException($"steps ({steps}) must be positive and warmup ({warmup}) non-negative");
        using var engine = new TrainingEngine(config with { Objective = new NextTokenObjective() }, domains: ["bench"]);
        var device = engine.Device;
        var generator = new Generator((ulong)config.Seed, device);
        int b = config.BatchSize, t = config.Model.Context;
        Batch RandomBatch()
        {
            var ids = torch.randint(0, config.Model.VocabSize, [b, t + 1], generator: generator, dtype: ScalarType.Int64, device: device);
            return new Batch
            {
                Tokens = ids.narrow(1, 0, t), Targets = ids.narrow(1, 1, t),
                LossMask = torch.ones(b, t, ScalarType.Float32, device), Domains = torch.zeros(b, t, ScalarType.Int64, device),
            };
        }
        var clock = new Stopwatch();
        for (int i = 0; i < warmup + steps; i++)
        {
            if (i == warmup) { Synchronize(device); clock.Start(); }
            engine.Step(RandomBatch, config.Optimizer.Lr);
            progress?.Report(new WorkProgress("bench train", i + 1, warmup + steps, i < warmup ? "warm-up" : null));
        }
        Synchronize(device);
        double perStep = clock.Elapsed.TotalSeconds / steps;
        double tokPerSec = config.TokensPerStep / perStep;
        return new BenchResult(device.ToString(), config.Precision.ToString(), config.Model.ParameterCount, b * config.GradAccumulation, t, perStep, tokPerSec,
                               TrainingEngine.FlopsPerToken(config.Model) * tokPerSec / config.PeakFlops);
    }

    static void Synchronize(Device device)
    {
        if (device.type == DeviceType.CUDA) torch.cuda.synchronize(device);
    }
}
