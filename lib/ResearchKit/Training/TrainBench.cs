using System.Diagnostics;
using ResearchKit.Packing;
using ResearchKit.Runtime;
using ResearchKit.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Training;

/// <summary>Training throughput of a config on its device, with where the time went. <see cref="Line"/> has the
/// format of bench/pytorch_reference.py's result line, so the two can be compared line by line.</summary>
public sealed record BenchResult(
    string Device, string Precision, long Parameters, int BatchSize, int Context, double SecondsPerStep, double TokensPerSecond, double Mfu,
    ThreadSettings Threads, int CausalMicroBatches, int MaskedMicroBatches, string Packing, bool DocumentMask, string Loss, OptimizerPasses Optimizer,
    AdamWKernel Kernel, IReadOnlyDictionary<TrainPhase, double> PhaseSeconds, bool PhasesSynchronized, int LogEvery, long PeakHostBytes)
{
    /// <summary>The attention path the timed micro-batches took.</summary>
    public string Attention =>
        $"causal-flag:{CausalMicroBatches} masked:{MaskedMicroBatches}";

    public string Line => $"impl=torchsharp device={Device} precision={Precision} params={Parameters / 1e6:F1}M batch={BatchSize}x{Context} " +
                          $"step_ms={SecondsPerStep * 1000:F1} tokens_per_s={TokensPerSecond:F0} mfu={Mfu * 100:F1}% {Threads.Line} attention={Attention} peak_host_mb={PeakHostBytes / 1e6:F0}" +
                          (Device == "cpu" ? "" : " peak_device_mb=n/a (TorchSharp 0.107 exposes no CUDA allocator statistics)");

    /// <summary>What ran: data path, attention kernels, loss and optimizer.</summary>
    public string Details =>
        $"  data: real loader ({Packing}, document mask {(DocumentMask ? "on" : "off")}); attention: {CausalMicroBatches} micro-batches with no document " +
        $"border took the causal flag (flash-eligible), {MaskedMicroBatches} took the block-diagonal boolean mask (SDPA's masked kernels); " +
        $"loss: {Loss}; optimizer: {(Kernel == AdamWKernel.Fused ? "fused AdamW (torch._fused_adamw_)" : "in-place AdamW")}, {Optimizer}; " +
        $"host syncs: one read of loss and grad norm every {LogEvery} steps";

    /// <summary>Milliseconds per step by phase.</summary>
    public string PhaseLine =>
        "  phases ms/step: " + string.Join(" · ", PhaseSeconds.Select(p => $"{PhaseName(p.Key)} {p.Value * 1000:F1}")) +
        (PhasesSynchronized ? " (separate run, device synchronised at every phase)" : " (same timed steps; CPU work is synchronous)");

    static string PhaseName(TrainPhase phase) => phase switch
    {
        TrainPhase.Batch => "batch",
        TrainPhase.ForwardLoss => "forward+loss",
        TrainPhase.Backward => "backward",
        TrainPhase.Optimizer => "optimizer",
        _ => "host syncs",
    };
}

/// <summary>
/// Times full optimizer steps the way training runs them: windows from the real loader over a token dataset (packing,
/// the document mask, prefetch and upload), the chunked loss, backward, clip and AdamW, with the loss and gradient
/// norm read back every <see cref="TrainConfig.LogEvery"/> steps. Warm-up steps are not timed (allocator, kernel
/// selection). On CUDA a second, synchronised run splits the time into phases; on CPU the timed steps give it.
/// </summary>
public static class TrainBench
{
    /// <param name="kernel">The optimizer kernel; null = fused when available.</param>
    public static BenchResult Run(TrainConfig config, ITokenDataset data, int steps = 20, int warmup = 5, IProgress<WorkProgress>? progress = null, AdamWKernel? kernel = null)
    {
        if (steps <= 0 || warmup < 0) throw new ArgumentException($"steps ({steps}) must be positive and warmup ({warmup}) non-negative");
        if (data.VocabSize > config.Model.VocabSize)
            throw new ArgumentException($"the dataset's vocabulary ({data.VocabSize}) is larger than the model's ({config.Model.VocabSize})");
        config = config with { Objective = new NextTokenObjective() };
        using var engine = new TrainingEngine(config, data.Domains, kernel);
        var device = engine.Device;
        bool cuda = device.type == DeviceType.CUDA;
        int k = config.GradAccumulation;
        var source = Trainer.Windows(config, data);
        using var loader = new BatchLoader(source, config.BatchSize, config.Data, device);
        loader.Plan(k * (warmup + steps * (cuda ? 2 : 1)));
        int causal = 0, masked = 0;
        bool counting = false;
        Batch Next()
        {
            var batch = loader.Next();
            if (counting) { if (batch.AttentionMask is null) causal++; else masked++; }
            return batch;
        }

        int logEvery = Math.Max(1, config.LogEvery);
        using var log = new DeviceStepLog(logEvery, 2, device);
        void RunSteps(int count, PhaseClock? clock, string label, int offset)
        {
            for (int i = 0; i < count; i++)
            {
                var (loss, norm) = engine.Step(Next, config.Optimizer.Lr, clock);
                using (loss) using (norm) log.Add(loss, norm);
                if (log.Count == logEvery || i == count - 1)
                {
                    foreach (var row in log.Read())
                        if (!double.IsFinite(row[0]) || !double.IsFinite(row[1]))
                            throw new InvalidOperationException($"the benchmark diverged (loss {row[0]}, grad norm {row[1]}): lower the learning rate");
                    clock?.Lap(TrainPhase.HostSync);
                }
                progress?.Report(new WorkProgress("bench train", offset + i + 1, warmup + steps * (cuda ? 2 : 1), label));
            }
        }

        RunSteps(warmup, null, "warm-up", 0);
        Synchronize(device);
        counting = true;
        var phases = new PhaseClock(device, synchronize: false);
        var wall = Stopwatch.StartNew();
        phases.Restart();
        RunSteps(steps, cuda ? null : phases, "timed", warmup);
        Synchronize(device);
        wall.Stop();
        counting = false;
        if (cuda)
        {
            phases = new PhaseClock(device, synchronize: true);
            phases.Restart();
            RunSteps(steps, phases, "phases (synchronised)", warmup + steps);
        }

        double perStep = wall.Elapsed.TotalSeconds / steps;
        double tokPerSec = config.TokensPerStep / perStep;
        long rows = config.BatchSize * (long)config.Model.Context;
        long chunkRows = TokenLoss.ChunkRows(config.Model.VocabSize, rows);
        string loss = $"chunked cross-entropy, {(rows + chunkRows - 1) / chunkRows} chunk(s) of ≤ {chunkRows} positions × {config.Model.VocabSize} fp32 logits";
        return new BenchResult(device.ToString(), config.Precision.ToString(), config.Model.ParameterCount, config.BatchSize * k, config.Model.Context,
            perStep, tokPerSec, TrainingEngine.FlopsPerToken(config.Model) * tokPerSec / config.PeakFlops,
            ThreadPolicy.Current ?? TorchRuntime.Initialize(config.Device).Threads, causal, masked, SpecTypes.KindOf(config.Data.Packing),
            config.Data.Packing.DocumentMask, loss, engine.Optimizer.Passes, engine.Optimizer.Kernel,
            Enum.GetValues<TrainPhase>().ToDictionary(p => p, p => phases.Seconds(p) / steps), cuda, logEvery, ProcessStatus.Bytes("VmHWM"));   // like the reference's ru_maxrss
    }

    /// <summary>
    /// Writes the first <paramref name="count"/> windows of the run's stream for bench/pytorch_reference.py, so both
    /// implementations train on the same tokens with the same document borders (the stream of <see cref="Trainer.Windows"/>). Layout (little-endian):
    /// <c>"RKWINDOW"</c>, int32 version 1, int32 window count, int32 window length (T+1), int32 document mask (0/1), then
    /// per window int32 tokens[T+1], int32 segments[T+1], uint8 trainable[T+1].
    /// </summary>
    public static void WriteWindows(string path, TrainConfig config, ITokenDataset data, int count)
    {
        var source = Trainer.Windows(config, data);
        int length = config.Model.Context + 1;
        AtomicFile.Write(path, (Stream stream) =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            writer.Write("RKWINDOW"u8);
            writer.Write(1);
            writer.Write(count);
            writer.Write(length);
            writer.Write(config.Data.Packing.DocumentMask ? 1 : 0);
            long skipped = 0;
            for (int i = 0; i < count; i++)
            {
                var w = BatchLoader.NextTrainable(source, config.Data, ref skipped);   // the windows the kit trains on
                foreach (var token in w.Tokens) writer.Write(token);
                foreach (var segment in w.Segments) writer.Write(segment);
                foreach (var trainable in w.Trainable) writer.Write((byte)(trainable ? 1 : 0));
            }
        });
    }

    static void Synchronize(Device device)
    {
        if (device.type == DeviceType.CUDA) torch.cuda.synchronize(device);
    }
}
