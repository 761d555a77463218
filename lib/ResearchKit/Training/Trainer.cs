using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ResearchKit.Integrity;
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
        string? checkpoint = config.OutputDirectory is null ? null : Path.Combine(config.OutputDirectory, Checkpoint.FileName);
        var fingerprint = checkpoint is null ? null : DataFingerprint.Of(data, order);
        bool resume = checkpoint is not null && config.Resume && File.Exists(checkpoint);
        // Before anything is built or written: a checkpoint of another experiment (seed, data, steps, ...) is refused.
        if (resume && checkpoint is not null) ResumeCheck.Require(checkpoint, Checkpoint.ReadHeader(checkpoint), config, fingerprint!);
        var source = Windows(config, data, order);
        var phaseStarts = config.Phases.Select(p => p.StartStep(config.Steps)).ToArray();

        var engine = new TrainingEngine(config, data.Domains);
        var metrics = new List<StepMetrics>();
        // The resolved config beside the results; only now, so a refused resume leaves config.json describing checkpoint.bin.
        if (config.OutputDirectory is { } outDir) AtomicFile.WriteAllText(Path.Combine(outDir, ConfigFile), config.ToJson());
        int start = 0;
        if (resume && checkpoint is not null)
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
        long tokens = last?.Tokens ?? 0, trained = last?.TrainedTokens ?? 0, prefixed = last?.PrefixedTokens ?? 0, skippedBefore = last?.SkippedWindows ?? 0;
        int k = config.GradAccumulation;
        using var loader = new BatchLoader(source, config.BatchSize, config.Data, engine.Device);
        var deviceExtras = engine.Objective as IDeviceStepMetrics;
        using var log = new DeviceStepLog(Math.Max(1, config.LogEvery), 2 + (deviceExtras?.StepMetricNames.Count ?? 0), engine.Device);
        var unread = new List<UnreadStep>();
        bool onCpu = engine.Device.type == DeviceType.CPU;
        long blockStart = Stopwatch.GetTimestamp();

        // Reads the device log (one wait for the device per block of steps) and turns the unread steps into metrics;
        // stops at the first step whose loss or gradient norm is not finite.
        void ReadLog()
        {
            if (unread.Count == 0) return;
            var rows = log.Read();
            // CPU work is synchronous, so each step's own time is exact; on a GPU the host runs ahead and only the block's time is.
            double blockSeconds = Stopwatch.GetElapsedTime(blockStart).TotalSeconds;
            blockStart = Stopwatch.GetTimestamp();
            for (int i = 0; i < unread.Count; i++)
            {
                var u = unread[i];
                double loss = rows[i][0], norm = rows[i][1];
                if (!double.IsFinite(loss) || !double.IsFinite(norm))
                    throw new TrainingDivergedException(
                        $"training diverged at step {u.Step}: {(double.IsFinite(loss) ? $"gradient norm is {norm}" : $"loss is {loss}")} (lr {u.Lr:G4}" +
                        (metrics.Count > 0 ? $", last finite loss {metrics[^1].Loss:F4} at step {metrics[^1].Step}" : "") +
                        $"); nothing was applied for this step{(checkpoint is not null && File.Exists(checkpoint) ? $", the last checkpoint is {checkpoint}" : "")}. Lower the learning rate or raise warmup.",
                        metrics);
                double seconds = onCpu ? u.HostSeconds : blockSeconds / unread.Count;
                double tokPerSec = config.TokensPerStep / Math.Max(seconds, 1e-9);
                var extras = u.Extras;
                if (deviceExtras is not null)
                    extras = deviceExtras.StepMetricNames.Select((name, j) => (name, rows[i][2 + j])).ToDictionary(e => e.name, e => e.Item2);
                metrics.Add(new StepMetrics(u.Step, u.Phase, loss, u.Lr, norm, u.Tokens, u.Trained, u.Prefixed, u.Skipped, tokPerSec,
                                            flopsPerToken * tokPerSec / config.PeakFlops, extras));
            }
            unread.Clear();
        }

        var clock = Stopwatch.StartNew();
        int step = start;
        for (; step < end && !cancel.IsCancellationRequested; step++)
        {
            int phase = phaseStarts.Count(s => s <= step);
            bool phaseStart = Array.IndexOf(phaseStarts, step) >= 0;
            if (phaseStart) ApplyPhases(config, source, phaseStarts, step);
            // The loader draws ahead only up to the next phase start: there the source's settings change.
            if (step == start || phaseStart) loader.Plan(k * (Math.Min(end, phaseStarts.Where(s => s > step).DefaultIfEmpty(end).Min()) - step));
            double lr = config.Schedule.At(step, config.Steps, config.Optimizer.Lr);
            long before = Stopwatch.GetTimestamp(), stepTrained = 0, stepPrefixed = 0;
            var (lossTensor, normTensor) = engine.Step(() =>
            {
                var batch = loader.Next();
                stepTrained += batch.TrainedTargets;
                stepPrefixed += batch.PrefixedTargets;
                return batch;
            }, lr);
            using (lossTensor)
            using (normTensor)
            {
                if (deviceExtras is not null) log.Add(lossTensor, normTensor, deviceExtras.StepMetricValues);
                else log.Add(lossTensor, normTensor);
            }
            double hostSeconds = Stopwatch.GetElapsedTime(before).TotalSeconds;
            tokens += config.TokensPerStep;
            trained += stepTrained;
            prefixed += stepPrefixed;
            var hostExtras = deviceExtras is null && engine.Objective.StepMetrics is { Count: > 0 } e ? new Dictionary<string, double>(e) : null;
            unread.Add(new UnreadStep(step, phase, lr, tokens, trained, prefixed, skippedBefore + loader.SkippedWindows, hostSeconds, hostExtras));
            bool checkpointDue = checkpoint is not null && config.CheckpointEvery > 0 && (step + 1) % config.CheckpointEvery == 0 && step + 1 < end;
            if (unread.Count == log.Capacity || step + 1 == end || checkpointDue || cancel.IsCancellationRequested) ReadLog();
            double eta = (end - step - 1) * clock.Elapsed.TotalSeconds / (step - start + 1);
            var shown = metrics.Count > 0 ? metrics[^1] : null;
            progress?.Report(new WorkProgress("train", step + 1, config.Steps,
                (shown is null ? "" : $"loss {shown.Loss:F3} (step {shown.Step + 1}) · {shown.TokensPerSecond / 1000:F1}k tok/s · ") + $"ETA {TimeSpan.FromSeconds(Math.Round(eta)):g}"));
            if (checkpointDue) Save(config, fingerprint, checkpoint!, engine, loader.State, metrics, step + 1);
        }
        ReadLog();
        if (checkpoint is not null && step > start) Save(config, fingerprint, checkpoint, engine, loader.State, metrics, step);
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

    /// <summary>A step that ran but whose loss and gradient norm are still on the device.</summary>
    sealed record UnreadStep(int Step, int Phase, double Lr, long Tokens, long Trained, long Prefixed, long Skipped, double HostSeconds, IReadOnlyDictionary<string, double>? Extras);

    /// <summary>The window stream a run of <paramref name="config"/> draws from <paramref name="data"/> (its packing, seed,
    /// domain weights and, for a given document order, that order): the trainer's and the benchmark's source, and what
    /// <see cref="TrainBench.WriteWindows"/> hands the PyTorch reference.</summary>
    public static WindowSampler Windows(TrainConfig config, ITokenDataset data, IReadOnlyList<int>? order = null) =>
        new WindowSampler(data, config.Model.Context + 1, config.Data.Packing, config.Data.PackerOptions, (ulong)config.Seed, config.Data.DomainWeights, order);

    static void Save(TrainConfig config, DataFingerprint? data, string path, TrainingEngine engine, JsonNode dataState, List<StepMetrics> metrics, int nextStep)
    {
        using var rng = torch.get_rng_state();
        var states = new JsonObject { ["data"] = dataState, ["objective"] = engine.Objective.State };
        var header = new CheckpointHeader(config.Model, engine.Optimizer.Parameters.dtype.ToString(), nextStep, engine.Optimizer.StepCount,
            engine.Optimizer.Layout, states, metrics.ToList(), Convert.ToBase64String(rng.bytes), JsonSerializer.SerializeToNode(config, KitJson.Files), data);
        Checkpoint.Save(path, header, engine.Optimizer);
        StepMetrics.WriteCsv(Path.Combine(Path.GetDirectoryName(path)!, "metrics.csv"), metrics);
    }

    static void Validate(TrainConfig config, ITokenDataset data)
    {
        if (config.Steps <= 0 || config.BatchSize <= 0 || config.GradAccumulation <= 0)
            throw new ArgumentException($"Steps ({config.Steps}), BatchSize ({config.BatchSize}) and GradAccumulation ({config.GradAccumulation}) must be positive");
        if (config.CheckpointEvery < 0)
            throw new ArgumentException($"CheckpointEvery ({config.CheckpointEvery}) must be 0 (checkpoint only at the end) or a positive number of steps");
        if (config.StopAfterStep is < 0)
            throw new ArgumentException($"StopAfterStep ({config.StopAfterStep}) must not be negative");
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
