using System.Text.Json;
using System.Text.Json.Serialization;

namespace ResearchKit.Training;

/// <summary>Fp32: CPU and exact runs. Bf16Mixed: fp32 master weights, gradients and AdamW moments, bf16 matmuls (CUDA).
/// There is no pure-bf16 mode: bf16 moments and weights silently drop updates and weight decay smaller than their
/// precision (a 1e-4 relative change vanishes in bf16's 8-bit mantissa).</summary>
public enum Precision { Fp32, Bf16Mixed }

/// <summary>Training recipe as data. Derive variants with <c>with { }</c>; presets <see cref="Tiny"/> and <see cref="Gpu"/>.</summary>
public sealed record TrainConfig
{
    public required GptConfig Model { get; init; }
    /// <summary>Sequences per micro-batch; each is <c>Model.Context</c> tokens.</summary>
    public int BatchSize { get; init; } = 16;
    public int GradAccumulation { get; init; } = 1;
    public int Steps { get; init; } = 200;
    /// <summary>Seeds the initial weights and the data order.</summary>
    public int Seed { get; init; } = 1234;
    /// <summary>cpu, cuda, cuda:N or auto.</summary>
    [NotHashed] public string Device { get; init; } = "cpu";
    public Precision Precision { get; init; } = Precision.Fp32;
    public OptimizerConfig Optimizer { get; init; } = new();
    public LrSchedule Schedule { get; init; } = new();
    public DataConfig Data { get; init; } = new();
    /// <summary>Data changes from a fraction of training on, in order (MeCo's cooldown); the stream continues across them.</summary>
    public IReadOnlyList<PhaseSpec> Phases { get; init; } = [];
    /// <summary>What the model minimises: next-token loss, or Group DRO for a DoReMi proxy.</summary>
    public ObjectiveSpec Objective { get; init; } = new NextTokenObjective();
    /// <summary>Checkpoints and metrics go here; null = keep nothing on disk.</summary>
    [NotHashed] public string? OutputDirectory { get; init; }
    /// <summary>Save a checkpoint every N steps (and always at the end); 0 = only at the end.</summary>
    [NotHashed] public int CheckpointEvery { get; init; }
    /// <summary>Continue from OutputDirectory/checkpoint.bin when it exists.</summary>
    [NotHashed] public bool Resume { get; init; } = true;
    /// <summary>Stop (with a checkpoint) after this many steps of the schedule: time-sliced jobs; null = run to <see cref="Steps"/>.</summary>
    [NotHashed] public int? StopAfterStep { get; init; }
    /// <summary>Read the loss and gradient norm back from the device every N steps (and before checkpoints and at the
    /// end): the finite check stops a diverged run at the first read after it. Every step's metrics are still recorded;
    /// a larger N only means fewer waits for the device. 1 = read every step.</summary>
    [NotHashed] public int LogEvery { get; init; } = 10;
    /// <summary>Peak bf16 dense FLOP/s of the device for MFU (H100 SXM: 989e12); CPU runs report MFU against this too.</summary>
    [NotHashed] public double PeakFlops { get; init; } = 989e12;

    [JsonIgnore] public long TokensPerStep => (long)BatchSize * GradAccumulation * Model.Context;

    /// <summary>CPU preset: ~1.8M-parameter byte-level GPT, 200 steps of 16×128 tokens (about 2 minutes on 2 busy cores).</summary>
    public static TrainConfig Tiny(int vocab = 257) => new()
    {
        Model = GptConfig.Tiny(vocab),
        BatchSize = 16,
        Steps = 200,
        Optimizer = new OptimizerConfig(Lr: 3e-3, WeightDecay: 0.1),
        Schedule = new LrSchedule(ScheduleKind.Cosine, WarmupSteps: 20, MinLrRatio: 0.1),
    };

    /// <summary>GPU preset: GPT-2-small shape, bf16 mixed precision, 16×1024 tokens per micro-batch, 4 micro-batches.</summary>
    public static TrainConfig Gpu(int vocab = 50_304) => new()
    {
        Model = GptConfig.Small(vocab),
        BatchSize = 16,
        GradAccumulation = 4,
        Steps = 5_000,
        Device = "cuda",
        Precision = Precision.Bf16Mixed,
        Optimizer = new OptimizerConfig(Lr: 6e-4, WeightDecay: 0.1),
        Schedule = new LrSchedule(ScheduleKind.Cosine, WarmupSteps: 200, MinLrRatio: 0.1),
        CheckpointEvery = 500,
    };

    public static TrainConfig Preset(string name, int vocab) => name switch
    {
        "tiny" => Tiny(vocab),
        "gpu" => Gpu(vocab),
        _ => throw new ArgumentException($"unknown preset '{name}' (tiny, gpu)", nameof(name)),
    };

    public string ToJson() => JsonSerializer.Serialize(this, KitJson.Files);

    /// <summary>Reads a config written by <see cref="ToJson"/> (or by hand); errors name the file, line and field.</summary>
    public static TrainConfig FromJsonFile(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<TrainConfig>(File.ReadAllText(path), KitJson.Files)
                ?? throw new DataFormatException(path, null, null, "the file holds null, not a training config");
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, e.LineNumber + 1, e.Path, e.Message, e);
        }
    }
}
