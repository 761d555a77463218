using System.Text.Json;
using ResearchKit.Experiments;
using ResearchKit.Pipeline;
using ResearchKit.ProX.Refining;
using ResearchKit.Tokenization;
using ResearchKit.Training;

namespace ResearchKit.ProX;

/// <summary>A refining model trained by <see cref="RefinerTrainStage"/>: its checkpoint (the kit's GPT), the spec it was
/// trained with (refiner.json), the SFT dataset's counts and the training metrics. Also what <c>rk prox apply
/// --doc-model/--chunk-model</c> accepts as a model directory.</summary>
public sealed class RefinerArtifact(string directory)
{
    public const string SpecFile = "refiner.json";

    public string Directory => directory;
    public string CheckpointPath => Path.Combine(directory, Checkpoint.FileName);
    public RefinerSpec Spec => Record.Spec;
    public SftDatasetInfo Data => Record.Data;
    public IReadOnlyList<StepMetrics> Metrics => Checkpoint.ReadMetrics(CheckpointPath);

    RefinerRecord Record => JsonSerializer.Deserialize<RefinerRecord>(File.ReadAllText(Path.Combine(directory, SpecFile)), KitJson.Files)
        ?? throw new DataFormatException(Path.Combine(directory, SpecFile), null, null, "empty refiner record");

    /// <summary>Whether <paramref name="directory"/> holds a kit refining model (a refiner.json beside a checkpoint).</summary>
    public static bool IsRefiner(string directory) => File.Exists(Path.Combine(directory, SpecFile));

    /// <summary>The model on <paramref name="device"/> as a program writer, with the prompt and chunking it was trained with.</summary>
    public RefiningModelWriter Writer(string device = "cpu", int? batchSize = null)
    {
        var spec = Spec;
        var model = Checkpoint.LoadModel(CheckpointPath, Runtime.TorchRuntime.Initialize(device).TorchDevice);
        model.eval();
        return RefinerSft.Writer(model, TextTokenizers.Create(spec.Tokenizer), spec.Sft, batchSize ?? spec.GenerationBatch, spec.Name);
    }

    internal static void Write(string directory, RefinerSpec spec, SftDatasetInfo data) =>
        AtomicFile.WriteAllText(Path.Combine(directory, SpecFile), JsonSerializer.Serialize(new RefinerRecord(spec, data), KitJson.Files));

    internal sealed record RefinerRecord(RefinerSpec Spec, SftDatasetInfo Data);
}

/// <summary>
/// Trains a refining model (<see cref="RefinerSpec"/>) on the labelled documents of a corpus, which must be the
/// training side of the experiment's split: the model is scored on held-out documents it never saw
/// (<see cref="RefinerScoreStage"/>). Resumable: training checkpoints as it goes.
/// </summary>
public sealed class RefinerTrainStage(Stage<CorpusArtifact> corpus, RefinerSpec spec) : Stage<RefinerArtifact>
{
    public RefinerSpec Spec => spec;
    public override string Name => "refiner-train";
    public override object KeyConfig => spec;
    public override bool Resumable => true;
    public override IReadOnlyDictionary<string, IStage> Inputs => new Dictionary<string, IStage> { ["corpus"] = corpus };
    public override string Describe() =>
        $"{spec.Name}: {spec.Train.Model.ParameterCount / 1e6:F2}M-parameter GPT, {spec.Train.Steps} SFT steps on ground-truth programs";

    public override void Run(StageContext context)
    {
        var examples = spec.BuildExamples(context.Input(corpus).Read());
        if (examples.Count == 0)
            throw new ArgumentException($"{spec.Name}: the training corpus has no labelled documents for {spec.Level}-level programs " +
                                        "(document level: mail-ham/mail-spam; chunk level: meta.boilerplate line labels)");
        var config = spec.Train with
        {
            OutputDirectory = context.Directory,
            Resume = true,
            CheckpointEvery = spec.Train.CheckpointEvery > 0 ? spec.Train.CheckpointEvery : Math.Max(1, spec.Train.Steps / 10),
            StopAfterStep = null,
        };
        var result = RefinerSft.Train(examples, TextTokenizers.Create(spec.Tokenizer), config, spec.Sft, context.Progress, context.Cancellation);
        result.Model.Dispose();
        context.Cancellation.ThrowIfCancellationRequested();
        RefinerArtifact.Write(context.Directory, spec, result.Data);
        context.Stats["examples"] = result.Data.Examples;
        context.Stats["skipped_too_long"] = result.Data.SkippedTooLong;
        context.Stats["prompts_truncated"] = result.Data.PromptsTruncated;
        context.Stats["drop_or_remove_examples"] = examples.Count(e => e.Program != ProgramText.KeepDoc && e.Program != ProgramText.KeepChunk);
        context.Stats["final_loss"] = result.Training.Metrics.TakeLast(Math.Max(1, result.Training.Metrics.Count / 20)).Average(m => m.Loss);
    }

    public override RefinerArtifact Load(string directory) => new(directory);
}
