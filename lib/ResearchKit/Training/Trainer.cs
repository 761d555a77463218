using System.Diagnostics;
using System.Text.Json.Nodes;
using ResearchKit.Packing;
using ResearchKit.Tokenization;
using TorchSharp;

namespace ResearchKit.Training;

/// <summary>The outcome of a run: the trained model (on the run's device), every step's metrics (including those
/// before a resume), the objective's final scalars (e.g. DoReMi's averaged domain weights), and where the checkpoint is.</summary>
public sealed record TrainResult(Gpt Model, IReadOnlyList<StepMetrics> Metrics, IReadOnlyDictionary<string, double> Summary, string? CheckpointPath, bool Finished);

/// <summary>Raised when the loss or gradient norm stops being finite; carries the metrics up to that point.</summary>
public sealed class TrainingDivergedException(string message, IReadOnlyList<StepMetrics> metrics) : InvalidOperationException(message)
{
    public IReadOnlyList<StepMetrics> Metrics { get; } = metrics;
}

/// <summary>Runs a <see cref="TrainConfig"/> on a token dataset: the window stream (packing, sampling, phases), the
/// objective, the schedule, checkpoints and resume. Nothing here depends on which data method made the inputs.</summary>
public static class Trainer
{
    /// <summary>The resolved <see cref="TrainConfig"/>, written to the output directory when a run starts.</summary>
    public const string ConfigFile = "config.json";

    /// <param name="order">Document indices in the order to pack them (an upstream document order such as an ICLM
    /// traversal; a subset after deduplication); null = every document of <paramref name="data"/>.</param>
    public static TrainResult Run(TrainConfig config, ITokenDataset data, IProgress<WorkProgress>? progress = null,
                                  CancellationToken cancel = default, IReadOnlyList<int>? order = null)
    {
        Validate(config, data);
        var source = new WindowSampler(data, config.Model.Context + 1, config.Data.Packing, config.Data.PackerOptions, (ulong)config.Seed, config.Data.DomainWeights, order);
        var phaseStarts = config.Phases.Select(p => p.StartStep(config.Steps)).ToArray();

        var engine = new TrainingEngine(config, data.Domains);
        var metrics = new List<StepMetrics>();
        string? checkpoint = config.OutputDirectory is null ? null : Path.Combine(config.OutputDirectory, Checkpoint.FileName);
        if (config.OutputDirectory is { } outDir) AtomicFile.WriteAllText(Path.Combine(outDir, ConfigFile), config.ToJson()); // the resolved config beside the results
        int start = 0;
        if (checkpoint is not null && config.Resume && File.Exists(checkpoint))
        {
            var header = Checkpoint.Restore(checkpoint, engine.Optimizer);
            if (header.Model != config.Model) throw new ArgumentException($"{checkpoint} holds a {header.Model}, the config asks for {config.Model}");
            metrics.AddRange(header.Metrics);
            start = header.Step;
            ApplyPhases(config, source, phaseStarts, start);
            source.Restore(header.States["data"] ?? throw new DataFormatException(checkpoint, null, "States.data", "missing: the window stream's position"));
            if (header.States["objective"] is { } objectiveState) engine.Objective.Restore(objectiveState);
            using var rng = torch.tensor(Convert.FromBase64String(header.TorchRngState), torch.ScalarType.Byte);
            torch.set_rng_state(rng);
        }
        else ApplyPhases(config, source, phaseStarts, 0);

        int end = Math.Min(config.Steps, config.StopAfterStep ?? config.Steps);
        double flopsPerToken = TrainingEngine.FlopsPerToken(config.Model);
        var last = metrics.Count > 0 ? metrics[^1] : null;
        long tokens = last?.Tokens ?? 0, trained = last?.TrainedTokens ?? 0, prefixed = last?.PrefixedTokens ?? 0, skipped = last?.SkippedWindows ?? 0;
        var clock = Stopwatch.StartNew();
        int step = start;
        for (; step < end && !cancel.IsCancellationRequested; step++)
        {
            int phase = phaseStarts.Count(s => s <= step);
            if (Array.IndexOf(phaseStarts, step) >= 0) ApplyPhases(config, source, phaseStarts, step);
            double lr = config.Schedule.At(step, config.Steps, config.Optimizer.Lr);
            long before = clock.ElapsedTicks, stepTrained = 0, stepPrefixed = 0;
            var (loss, norm) = engine.Step(() =>
            {
                var batch = NextBatch(source, config.Data, config.BatchSize, engine.Device, ref skipped);
                stepTrained += batch.TrainedTargets;
                stepPrefixed += batch.PrefixedTargets;
                return batch;
            }, lr);
            if (!double.IsFinite(loss) || !double.IsFinite(norm))
                throw new TrainingDivergedException(
                    $"training diverged at step {step}: {(double.IsFinite(loss) ? $"gradient norm is {norm}" : $"loss is {loss}")} (lr {lr:G4}" +
                    (metrics.Count > 0 ? $", last finite loss {metrics[^1].Loss:F4} at step {metrics[^1].Step}" : "") +
                    $"); nothing was applied for this step{(checkpoint is not null && File.Exists(checkpoint) ? $", the last checkpoint is {checkpoint}" : "")}. Lower the learning rate or raise warmup.",
                    metrics);
            double seconds = (clock.ElapsedTicks - before) / (double)Stopwatch.Frequency;
            double tokPerSec = config.TokensPerStep / Math.Max(seconds, 1e-9);
            tokens += config.TokensPerStep;
            trained += stepTrained;
            prefixed += stepPrefixed;
            var extras = engine.Objective.StepMetrics;
            metrics.Add(new StepMetrics(step, phase, loss, lr, norm, tokens, trained, prefixed, skipped, tokPerSec, flopsPerToken * tokPerSec / config.PeakFlops,
                                        extras.Count == 0 ? null : new Dictionary<string, double>(extras)));
            double eta = (end - step - 1) * clock.Elapsed.TotalSeconds / (step - start + 1);
            progress?.Report(new WorkProgress("train", step + 1, config.Steps, $"loss {loss:F3} · {tokPerSec / 1000:F1}k tok/s · ETA {TimeSpan.FromSeconds(Math.Round(eta)):g}"));
            if (checkpoint is not null && config.CheckpointEvery > 0 && (step + 1) % config.CheckpointEvery == 0 && step + 1 < end)
                Save(config, checkpoint, engine, source, metrics, step + 1);
        }
        if (checkpoint is not null && step > start) Save(config, checkpoint, engine, source, metrics, step);
        bool finished = step >= config.Steps;
        if (finished && config.OutputDirectory is { } dir) engine.Objective.Publish(dir);
        var model = engine.Model;
        var summary = new Dictionary<string, double>(engine.Objective.Summary);
        engine.Dispose();
        return new TrainResult(model, metrics, summary, checkpoint, finished);
    }

    /// <summary>Sets the data settings that hold at <paramref name="step"/>: the base config, then every phase started by then.</summary>
    internal static void ApplyPhases(TrainConfig config, WindowSampler source, int[] phaseStarts, int step)
    {
        bool prefixes = config.Data.Prefixes;
        var weights = config.Data.DomainWeights;
        for (int i = 0; i < phaseStarts.Length && phaseStarts[i] <= step; i++)
        {
            prefixes = config.Phases[i].Prefixes ?? prefixes;
            weights = config.Phases[i].DomainWeights ?? weights;
        }
        source.IncludePrefixes = prefixes;
        if (weights is not null) source.SetDomainWeights(weights);
    }

    static Batch NextBatch(IWindowSource source, DataConfig data, int batchSize, torch.Device device, ref long skipped)
    {
        var windows = new PackedWindow[batchSize];
        for (int i = 0; i < batchSize; i++) windows[i] = NextTrainable(source, data, ref skipped);
        return Batch.FromWindows(windows, data.Packing.DocumentMask, device);
    }

    /// <summary>The next window with at least one target that carries loss; a window without one is skipped and
    /// counted, or (the MeCo reference's choice) has its last ten targets trained.</summary>
    internal static PackedWindow NextTrainable(IWindowSource source, DataConfig data, ref long skipped)
    {
        for (int attempt = 0; ; attempt++)
        {
            var w = source.Next();
            if (HasTarget(w, data.Packing.DocumentMask)) return w;
            if (data.MaskedWindows == MaskedWindows.TrainLastTen)
            {
                for (int i = Math.Max(1, w.Length - 10); i < w.Length; i++) w.Trainable[i] = true;
                return w;
            }
            skipped++;
            if (attempt >= 10_000)
                throw new InvalidOperationException("10,000 windows in a row had no target that carries loss: the prefixes fill the windows (shorten them or raise the context)");
        }
    }

    static bool HasTarget(PackedWindow w, bool documentMask)
    {
        for (int i = 0; i + 1 < w.Length; i++)
            if (w.Trainable[i + 1] && (!documentMask || w.Segments[i] == w.Segments[i + 1])) return true;
        return false;
    }

    static void Save(TrainConfig config, string path, TrainingEngine engine, IWindowSource source, List<StepMetrics> metrics, int nextStep)
    {
        using var rng = torch.get_rng_state();
        var states = new JsonObject { ["data"] = source.State, ["objective"] = engine.Objective.State };
        var header = new CheckpointHeader(config.Model, engine.Optimizer.Parameters.dtype.ToString(), nextStep, engine.Optimizer.StepCount,
            engine.Optimizer.Layout, states, metrics.ToList(), Convert.ToBase64String(rng.bytes));
        Checkpoint.Save(path, header, engine.Optimizer);
        StepMetrics.WriteCsv(Path.Combine(Path.GetDirectoryName(path)!, "metrics.csv"), metrics);
    }

    static void Validate(TrainConfig config, ITokenDataset data)
    {
        if (config.Steps <= 0 || config.BatchSize <= 0 || config.GradAccumulation <= 0)
            throw new ArgumentException($"Steps ({config.Steps}), BatchSize ({config.BatchSize}) and GradAccumulation ({config.GradAccumulation}) must be positive");
        if (data.VocabSize > config.Model.VocabSize)
            throw new ArgumentException($"the dataset's vocabulary ({data.VocabSize}) is larger than the model's ({config.Model.VocabSize})");
        foreach (var p in config.Phases)
        {
            p.StartStep(config.Steps);
            if (p.DomainWeights is not null && config.Data.DomainWeights is null)
                throw new ArgumentException($"the phase at {p.AtFraction} sets domain weights, but the run starts with natural proportions (one mixed stream): " +
                                            "give Data.DomainWeights too (e.g. the natural token shares) so every phase draws per domain");
        }
    }
}
