using System.Diagnostics;
using ResearchKit.DoReMi;
using ResearchKit.Packing;
using ResearchKit.Tokenization;
using TorchSharp;

namespace ResearchKit.Training;

/// <summary>The outcome of a run: the trained model (on the run's device), every step's metrics (including those
/// before a resume), DoReMi's averaged domain weights for Group-DRO runs, and where the checkpoint is.</summary>
public sealed record TrainResult(Gpt Model, IReadOnlyList<StepMetrics> Metrics, IReadOnlyList<double>? AverageDomainWeights, string? CheckpointPath, bool Finished);

/// <summary>Raised when the loss or gradient norm stops being finite; carries the metrics up to that point.</summary>
public sealed class TrainingDivergedException(string message, IReadOnlyList<StepMetrics> metrics) : InvalidOperationException(message)
{
    public IReadOnlyList<StepMetrics> Metrics { get; } = metrics;
}

/// <summary>Runs a <see cref="TrainConfig"/> on a token dataset: sampling, packing, objective, schedule, phases,
/// checkpoints and resume.</summary>
public static class Trainer
{
    /// <summary>The resolved <see cref="TrainConfig"/>, written to the output directory when a run starts.</summary>
    public const string ConfigFile = "config.json";

    /// <param name="cooldownData">Data for the phase after <see cref="TrainConfig.Cooldown"/>'s switch; null = the same
    /// dataset (MeCo: the same documents, with <c>Cooldown.Data.Prefixes = false</c>).</param>
    public static TrainResult Run(TrainConfig config, ITokenDataset data, IProgress<WorkProgress>? progress = null,
                                  ITokenDataset? cooldownData = null, CancellationToken cancel = default)
    {
        Validate(config, data, cooldownData);
        int window = config.Model.Context + 1;
        int switchStep = config.Cooldown is { } c ? PhaseSwitch.SwitchStep(config.Steps, c.AtFraction) : config.Steps;
        var phases = new List<(WindowSampler Sampler, DataConfig Data)>
        {
            (new WindowSampler(data, window, config.Data.Prefixes, (ulong)config.Seed, config.Data.DomainWeights, config.Data.Shuffle), config.Data),
        };
        if (config.Cooldown is { } cd)
            phases.Add((new WindowSampler(cooldownData ?? data, window, cd.Data.Prefixes, SeededRandom.Derive((ulong)config.Seed, 1), cd.Data.DomainWeights, cd.Data.Shuffle), cd.Data));

        var engine = new TrainingEngine(config, data.Domains.Count);
        var metrics = new List<StepMetrics>();
        string? checkpoint = config.OutputDirectory is null ? null : Path.Combine(config.OutputDirectory, Checkpoint.FileName);
        if (config.OutputDirectory is { } outDir) AtomicFile.WriteAllText(Path.Combine(outDir, ConfigFile), config.ToJson()); // the resolved config beside the results
        int start = 0;
        if (checkpoint is not null && config.Resume && File.Exists(checkpoint))
        {
            var header = Checkpoint.Restore(checkpoint, engine.Optimizer);
            if (header.Model != config.Model) throw new ArgumentException($"{checkpoint} holds a {header.Model}, the config asks for {config.Model}");
            if (header.Samplers.Length != phases.Count)
                throw new ArgumentException($"{checkpoint} was written by a run with {header.Samplers.Length} data phase(s), this config has {phases.Count}");
            for (int i = 0; i < phases.Count; i++) phases[i].Sampler.Restore(header.Samplers[i]);
            if (header.DomainWeights is { } dw) engine.GroupDro?.Update.Restore(dw);
            using (var rng = torch.tensor(Convert.FromBase64String(header.TorchRngState), torch.ScalarType.Byte)) torch.set_rng_state(rng);
            metrics.AddRange(header.Metrics);
            start = header.Step;
        }

        int end = Math.Min(config.Steps, config.StopAfterStep ?? config.Steps);
        double flopsPerToken = TrainingEngine.FlopsPerToken(config.Model);
        long tokens = metrics.Count > 0 ? metrics[^1].Tokens : 0;
        var clock = Stopwatch.StartNew();
        int step = start;
        for (; step < end && !cancel.IsCancellationRequested; step++)
        {
            int phase = step >= switchStep ? 1 : 0;
            var (sampler, dataConfig) = phases[phase];
            double lr = config.Schedule.At(step, config.Steps, config.Optimizer.Lr);
            long before = clock.ElapsedTicks;
            var (loss, norm) = engine.Step(() => NextBatch(sampler, dataConfig, config.BatchSize, engine.Device), lr);
            if (!double.IsFinite(loss) || !double.IsFinite(norm))
                throw new TrainingDivergedException(
                    $"training diverged at step {step}: {(double.IsFinite(loss) ? $"gradient norm is {norm}" : $"loss is {loss}")} (lr {lr:G4}" +
                    (metrics.Count > 0 ? $", last finite loss {metrics[^1].Loss:F4} at step {metrics[^1].Step}" : "") +
                    $"); nothing was applied for this step{(checkpoint is not null && File.Exists(checkpoint) ? $", the last checkpoint is {checkpoint}" : "")}. Lower the learning rate or raise warmup.",
                    metrics);
            double seconds = (clock.ElapsedTicks - before) / (double)Stopwatch.Frequency;
            double tokPerSec = config.TokensPerStep / Math.Max(seconds, 1e-9);
            tokens += config.TokensPerStep;
            metrics.Add(new StepMetrics(step, phase, loss, lr, norm, tokens, tokPerSec, flopsPerToken * tokPerSec / config.PeakFlops,
                                        engine.GroupDro?.Update.Weights.ToArray()));
            double eta = (end - step - 1) * clock.Elapsed.TotalSeconds / (step - start + 1);
            progress?.Report(new WorkProgress("train", step + 1, config.Steps, $"loss {loss:F3} · {tokPerSec / 1000:F1}k tok/s · ETA {TimeSpan.FromSeconds(Math.Round(eta)):g}"));
            if (checkpoint is not null && config.CheckpointEvery > 0 && (step + 1) % config.CheckpointEvery == 0 && step + 1 < end)
                Save(config, data, checkpoint, engine, phases, metrics, step + 1);
        }
        if (checkpoint is not null && step > start) Save(config, data, checkpoint, engine, phases, metrics, step);
        var model = engine.Model;
        var average = engine.GroupDro?.Update.Average.ToArray();
        if (average is not null && config.OutputDirectory is { } dir)
            AtomicFile.WriteAllText(Path.Combine(dir, "avg_domain_weights.json"), System.Text.Json.JsonSerializer.Serialize(
                data.Domains.Zip(average).ToDictionary(p => p.First, p => p.Second), new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        engine.Dispose();
        return new TrainResult(model, metrics, average, checkpoint, step >= config.Steps);
    }

    static Batch NextBatch(WindowSampler sampler, DataConfig data, int batchSize, torch.Device device)
    {
        var windows = new PackedWindow[batchSize];
        for (int i = 0; i < batchSize; i++) windows[i] = sampler.Next();
        return Batch.FromWindows(windows, data.DocumentMask, device);
    }

    static void Save(TrainConfig config, ITokenDataset data, string path, TrainingEngine engine,
                     List<(WindowSampler Sampler, DataConfig Data)> phases, List<StepMetrics> metrics, int nextStep)
    {
        using var rng = torch.get_rng_state();
        var header = new CheckpointHeader(config.Model, engine.Optimizer.Parameters.dtype.ToString(), nextStep, engine.Optimizer.StepCount,
            engine.Optimizer.Layout, phases.Select(p => p.Sampler.State).ToArray(), engine.GroupDro?.Update.State, metrics.ToList(),
            Convert.ToBase64String(rng.bytes));
        Checkpoint.Save(path, header, engine.Optimizer);
        StepMetrics.WriteCsv(Path.Combine(Path.GetDirectoryName(path)!, "metrics.csv"), metrics, data.Domains);
    }

    static void Validate(TrainConfig config, ITokenDataset data, ITokenDataset? cooldownData)
    {
        if (config.Steps <= 0 || config.BatchSize <= 0 || config.GradAccumulation <= 0)
            throw new ArgumentException($"Steps ({config.Steps}), BatchSize ({config.BatchSize}) and GradAccumulation ({config.GradAccumulation}) must be positive");
        foreach (var d in new[] { data, cooldownData })
            if (d is not null && d.VocabSize > config.Model.VocabSize)
                throw new ArgumentException($"the dataset's vocabulary ({d.VocabSize}) is larger than the model's ({config.Model.VocabSize})");
        if (config.GroupDro is { Variant: not DroVariant.Hardest, ReferenceCheckpoint: null })
            throw new ArgumentException($"Group DRO '{config.GroupDro.Variant}' needs GroupDro.ReferenceCheckpoint (the reference run's checkpoint.bin)");
        if (cooldownData is not null && !cooldownData.Domains.SequenceEqual(data.Domains))
            throw new ArgumentException("the cooldown dataset must have the same domains as the main dataset");
    }
}
