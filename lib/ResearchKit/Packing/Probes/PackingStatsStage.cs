using System.Diagnostics;
using ResearchKit.Experiments;
using ResearchKit.Pipeline;
using ResearchKit.Tokenization;
using ResearchKit.Training;

namespace ResearchKit.Packing.Probes;

/// <summary>What a packing does to the documents, and how fast, measured on the training windows themselves.</summary>
public sealed record PackingMeasurement(PackerStats Stats, long Windows, double Seconds, double DocumentsPerWindow, double TargetsAfterBoundary)
{
    public double WindowsPerSecond => Windows / Math.Max(Seconds, 1e-9);

    /// <summary>
    /// <c>pack_truncation_rate</c>: share of documents that do not sit whole in one window (cut across windows or
    /// truncated: "Fewer Truncations"' measure); <c>pack_dropped_token_fraction</c>; <c>pack_padding_waste</c>: share of
    /// window tokens that are padding; <c>pack_documents_per_window</c>: document pieces with a target per window;
    /// <c>pack_targets_after_boundary</c>: share of trained targets with another document earlier in their window
    /// (what cross-document attention can see and the intra-document mask hides); <c>pack_windows_per_second</c>.
    /// </summary>
    public Dictionary<string, double> Metrics() => new()
    {
        ["pack_truncation_rate"] = Stats.CutFraction,
        ["pack_dropped_token_fraction"] = Stats.Tokens == 0 ? 0 : (double)Stats.DroppedTokens / (Stats.Tokens - Stats.PaddingTokens + Stats.DroppedTokens),
        ["pack_padding_waste"] = Stats.PaddingFraction,
        ["pack_documents_per_window"] = DocumentsPerWindow,
        ["pack_targets_after_boundary"] = TargetsAfterBoundary,
        ["pack_windows_per_second"] = WindowsPerSecond,
    };

    /// <summary>Runs a packer through one epoch (or <paramref name="maxWindows"/>), timing its construction (a best-fit
    /// plan is made there) and every window; what the windows hold is counted outside the timed part.</summary>
    public static PackingMeasurement Of(Func<IPacker> build, long maxWindows = 200_000, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        var packer = build();
        clock.Stop();
        long windows = 0, pieces = 0, targets = 0, afterBoundary = 0;
        while (windows < maxWindows)
        {
            if ((windows & 1023) == 0) cancellation.ThrowIfCancellationRequested();
            clock.Start();
            var w = packer.NextInEpoch();
            clock.Stop();
            if (w is null) break;
            windows++;
            int last = -1;
            for (int i = 0; i < w.Length; i++)
            {
                if (!w.Trainable[i]) continue;
                if (w.Segments[i] != last) { pieces++; last = w.Segments[i]; }
                if (i == 0) continue;
                targets++;
                // Segments count up from the window's first token: a later segment has another document before it.
                if (w.Segments[i] != w.Segments[0]) afterBoundary++;
            }
        }
        return new PackingMeasurement(packer.Stats, windows, clock.Elapsed.TotalSeconds, windows == 0 ? 0 : (double)pieces / windows,
                                      targets == 0 ? 0 : (double)afterBoundary / targets);
    }
}

/// <summary>
/// Packing statistics of one arm: the arm's own packer (same spec, order, seed and options as its training run) over
/// one epoch of its training documents, with truncation rate, padding waste, documents per window and the packer's
/// windows per second next to the trainer's (from the trained model's step metrics: tokens per second ÷ context), so
/// <c>pack_speed_over_train</c> &gt; 1 means the packer outpaces training. Speeds depend on the machine: they are
/// measurements, not results, and the two are taken at different times on a shared machine.
/// </summary>
public sealed class PackingStatsStage(Stage<TokenDatasetArtifact> tokens, TrainConfig config, Stage<DocumentOrderArtifact>? order, Stage<CheckpointArtifact> model,
    long maxWindows = 200_000) : Stage<ArmResultArtifact>
{
    public override string Name => "packing-stats";
    public override int SchemaVersion => 1;
    public override object KeyConfig => new { config.Data, config.Seed, Window = config.Model.Context + 1, MaxWindows = maxWindows };
    public override IReadOnlyDictionary<string, IStage> Inputs
    {
        get
        {
            var inputs = new Dictionary<string, IStage> { ["tokens"] = tokens, ["model"] = model };
            if (order is not null) inputs["order"] = order;
            return inputs;
        }
    }
    public override string Describe() => $"packing statistics and packer speed ({SpecTypes.KindOf(config.Data.Packing)})";

    public override void Run(StageContext context)
    {
        var data = context.Input(tokens).Dataset;
        IReadOnlyList<int> documents = order is null ? Enumerable.Range(0, data.DocumentCount).ToArray() : context.Input(order).Read(data.DocumentCount);
        int window = config.Model.Context + 1;
        var measurement = PackingMeasurement.Of(() => config.Data.Packing.Build(data, documents, window, (ulong)config.Seed, config.Data.PackerOptions), maxWindows, context.Cancellation);
        var metrics = measurement.Metrics();
        var steps = context.Input(model).Metrics.Skip(1).Select(m => m.TokensPerSecond).Order().ToArray();   // the first step warms up
        if (steps.Length > 0)
        {
            double trainWindows = steps[steps.Length / 2] / config.Model.Context;   // median step
            metrics["train_windows_per_second"] = trainWindows;
            metrics["pack_speed_over_train"] = measurement.WindowsPerSecond / trainWindows;
        }
        ArmResultArtifact.Write(context.Directory, new ArmResult(metrics));
        foreach (var (k, v) in metrics) context.Stats[k] = v;
    }

    public override ArmResultArtifact Load(string directory) => new(directory);
}
