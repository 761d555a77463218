using System.Text.Json;
using ResearchKit.Packing;
using ResearchKit.Pipeline;
using ResearchKit.Training;
using TorchSharp;

namespace ResearchKit.Experiments;

/// <summary>A document order written by a stage (<see cref="DocumentOrder"/>), with the statistics the stage saved
/// beside it (documents kept and removed, paths, adjacent similarity), which become the arm's <c>order_*</c> metrics
/// and its <c>order_stats</c> table; an order saved without them contributes nothing.</summary>
public sealed record DocumentOrderArtifact(string Path) : IArmResultPart
{
    internal const string MetricsFile = "order_metrics.json", StatsFile = "order_stats.parquet";

    public int[] Read(int? documentCount = null) => DocumentOrder.Read(Path, documentCount);

    string Beside(string name) => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!, name);

    /// <summary>The order's statistics (empty when the stage saved none).</summary>
    public IReadOnlyDictionary<string, double> Metrics => File.Exists(Beside(MetricsFile))
        ? JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(Beside(MetricsFile)), KitJson.Files) ?? []
        : new Dictionary<string, double>();

    /// <summary>The order a stage saved in <paramref name="directory"/>.</summary>
    public static DocumentOrderArtifact In(string directory) => new(System.IO.Path.Combine(directory, DocumentOrder.FileName));

    /// <summary>Writes an order and its statistics (names should start with <c>order_</c>) into a stage's folder.</summary>
    public static DocumentOrderArtifact Write(string directory, IReadOnlyList<int> order, IReadOnlyDictionary<string, double> metrics)
    {
        AtomicFile.WriteAllText(System.IO.Path.Combine(directory, MetricsFile), JsonSerializer.Serialize(metrics, KitJson.Files));
        DataFrameParquet.Write(new Microsoft.Data.Analysis.DataFrame(
            new Microsoft.Data.Analysis.StringDataFrameColumn("stat", metrics.Keys),
            new Microsoft.Data.Analysis.DoubleDataFrameColumn("value", metrics.Values)), System.IO.Path.Combine(directory, StatsFile));
        var written = In(directory);
        DocumentOrder.Write(written.Path, order);
        return written;
    }

    public ArmResult ToArmResult()
    {
        var metrics = Metrics;
        if (metrics.Count == 0) return new ArmResult(metrics);
        return new ArmResult(metrics) { Tables = new Dictionary<string, Microsoft.Data.Analysis.DataFrame> { ["order_stats"] = DataFrameParquet.Read(Beside(StatsFile)) } };
    }
}

/// <summary>A domain-weight vector written by a stage (<see cref="DomainWeights"/>, the DoReMi config layout).</summary>
public sealed record DomainWeightsArtifact(string Path)
{
    public double[] Read(IReadOnlyList<string> domains) => DomainWeights.Read(Path, domains);
}

/// <summary>A trained model: its checkpoint, resolved config, per-step metrics and the objective's final scalars.</summary>
public sealed class CheckpointArtifact(string directory) : IArmResultPart
{
    const string SummaryFile = "summary.json";
    /// <summary>The description of the tokenizer the model was trained with (<see cref="Tokenization.TextTokenizers"/>).</summary>
    internal const string TokenizerFile = "tokenizer.json";
    IReadOnlyList<StepMetrics>? _metrics;

    public string Directory => directory;
    public string CheckpointPath => Path.Combine(directory, Checkpoint.FileName);
    public TrainConfig Config => TrainConfig.FromJsonFile(Path.Combine(directory, Trainer.ConfigFile));
    public IReadOnlyList<StepMetrics> Metrics => _metrics ??= Checkpoint.ReadMetrics(CheckpointPath);

    /// <summary>The objective's final scalars (e.g. DoReMi's averaged domain weights).</summary>
    public IReadOnlyDictionary<string, double> Summary =>
        JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(Path.Combine(directory, SummaryFile)), KitJson.Files) ?? [];

    /// <summary>Which tokenizer the model's token ids come from; null for a run that did not record it.</summary>
    public string? TokenizerDescription => File.Exists(Path.Combine(directory, TokenizerFile)) ? File.ReadAllText(Path.Combine(directory, TokenizerFile)) : null;

    public Gpt LoadModel(string device) => Checkpoint.LoadModel(CheckpointPath, Runtime.TorchRuntime.Initialize(device).TorchDevice);

    internal static void WriteSummary(string directory, IReadOnlyDictionary<string, double> summary) =>
        AtomicFile.WriteAllText(Path.Combine(directory, SummaryFile), JsonSerializer.Serialize(summary, KitJson.Files));

    /// <summary>Metrics: mean train loss of the last 5% of steps, tokens, trained (loss-bearing) tokens, the share of
    /// them that had their document's prefix in view, parameters, train seconds and the objective's summary. Curves:
    /// train_loss, lr, phase and the objective's per-step scalars.</summary>
    public ArmResult ToArmResult()
    {
        var steps = Metrics;
        var last = steps[^1];
        int tail = Math.Max(1, steps.Count / 20);
        var metrics = new Dictionary<string, double>
        {
            ["train_loss"] = steps.TakeLast(tail).Average(m => m.Loss),
            ["tokens"] = last.Tokens,
            ["trained_tokens"] = last.TrainedTokens,
            ["prefixed_share"] = last.TrainedTokens == 0 ? 0 : (double)last.PrefixedTokens / last.TrainedTokens,
            ["parameters"] = Config.Model.ParameterCount,
            // From the per-step throughput, so a resumed run counts all its steps (machine-dependent: not a result).
            ["train_seconds"] = steps.Sum(m => Config.TokensPerStep / Math.Max(m.TokensPerSecond, 1e-9)),
        };
        foreach (var (k, v) in Summary) metrics[k] = v;
        var curves = new List<CurvePoint>();
        foreach (var m in steps)
        {
            curves.Add(new("train_loss", m.Step, m.Loss));
            curves.Add(new("lr", m.Step, m.Lr));
            curves.Add(new("phase", m.Step, m.Phase));
            foreach (var (k, v) in m.Extras ?? new Dictionary<string, double>()) curves.Add(new(k, m.Step, v));
        }
        return new ArmResult(metrics) { Curves = curves };
    }
}

/// <summary>
/// Trains a GPT on a token dataset: the kit's <see cref="Trainer"/> with optional upstream inputs — a document order
/// (ICLM, clusters), domain weights (DoReMi's output) and a frozen reference model (DoReMi's proxy). Resumable: it
/// checkpoints as it goes, and an interrupted run continues from its last checkpoint with the same losses.
/// </summary>
public sealed class TrainStage(Stage<TokenDatasetArtifact> tokens, TrainConfig config, Stage<DocumentOrderArtifact>? order = null,
    Stage<DomainWeightsArtifact>? weights = null, Stage<CheckpointArtifact>? reference = null) : Stage<CheckpointArtifact>
{
    public TrainConfig Config => config;
    public override string Name => "train";
    public override object KeyConfig => config;
    public override bool Resumable => true;

    public override IReadOnlyDictionary<string, IStage> Inputs
    {
        get
        {
            var inputs = new Dictionary<string, IStage> { ["tokens"] = tokens };
            if (order is not null) inputs["order"] = order;
            if (weights is not null) inputs["weights"] = weights;
            if (reference is not null) inputs["reference"] = reference;
            return inputs;
        }
    }

    public override string Describe() =>
        $"{config.Model.ParameterCount / 1e6:F2}M-parameter GPT, {config.Steps} steps × {config.TokensPerStep:N0} tokens, seed {config.Seed}";

    public override void Run(StageContext context)
    {
        if (weights is not null && config.Data.DomainWeights is not null)
            throw new ArgumentException("the train stage takes its domain weights from its 'weights' input; Data.DomainWeights must be null");
        if (config.Objective.UsesReference != (reference is not null))
            throw new ArgumentException(config.Objective.UsesReference
                ? $"the '{SpecTypes.KindOf(config.Objective)}' objective needs a reference model: give the train stage a 'reference' input"
                : "the train stage has a reference model, but its objective does not use one");
        var data = context.Input(tokens).Dataset;
        if (reference is not null) CheckReference(context.Input(reference), data.TokenizerDescription);
        AtomicFile.WriteAllText(context.PathOf(CheckpointArtifact.TokenizerFile), data.TokenizerDescription);
        var run = config with
        {
            OutputDirectory = context.Directory,
            Resume = true,
            CheckpointEvery = config.CheckpointEvery > 0 ? config.CheckpointEvery : Math.Max(1, config.Steps / 10),
            StopAfterStep = null,
        };
        if (weights is not null) run = run with { Data = run.Data with { DomainWeights = context.Input(weights).Read(data.Domains) } };
        if (reference is not null) run = run with { Objective = run.Objective.WithReference(context.Input(reference).CheckpointPath) };
        var documents = order is null ? null : context.Input(order).Read(data.DocumentCount);
        var result = Trainer.Run(run, data, context.Progress, context.Cancellation, documents);
        result.Model.Dispose();
        context.Cancellation.ThrowIfCancellationRequested();
        CheckpointArtifact.WriteSummary(context.Directory, result.Summary);
        context.Stats["steps"] = result.Metrics.Count;
        context.Stats["tokens"] = result.Metrics[^1].Tokens;
    }

    public override CheckpointArtifact Load(string directory) => new(directory);

    /// <summary>A reference model must read the same token ids (tokenizer, vocabulary) and have been trained on windows
    /// at least as long as this run's: its loss is compared token by token.</summary>
    void CheckReference(CheckpointArtifact model, string tokenizer)
    {
        var shape = Checkpoint.ReadModelConfig(model.CheckpointPath);
        if (shape.VocabSize != config.Model.VocabSize)
            throw new DataFormatException(model.CheckpointPath, null, "Model.VocabSize",
                $"the reference model has a vocabulary of {shape.VocabSize}, this run {config.Model.VocabSize}: it was trained with another tokenizer");
        if (shape.Context < config.Model.Context)
            throw new DataFormatException(model.CheckpointPath, null, "Model.Context",
                $"the reference model was trained on {shape.Context}-token windows, this run uses {config.Model.Context}: its loss beyond position {shape.Context} was never trained");
        if (model.TokenizerDescription is { } used && used != tokenizer)
            throw new DataFormatException(Path.Combine(model.Directory, CheckpointArtifact.TokenizerFile), null, "tokenizer",
                $"the reference model was trained on tokens of {TokenizerName(used)}; this run's tokens come from {TokenizerName(tokenizer)}");
    }

    static string TokenizerName(string description)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(description);
        return node?["name"]?.ToString() ?? (node?["compact_of"]?["name"] is { } inner ? $"{inner} (compacted)" : "an unnamed tokenizer");
    }
}
