using System.Text.Json;
using Microsoft.Data.Analysis;
using ResearchKit.Experiments;
using ResearchKit.Pipeline;
using ResearchKit.Tokenization;

namespace ResearchKit.MeCo;

/// <summary>A conditional-inference matrix written by a stage, with its summary metrics (<see cref="ConditionalInference.Summarize"/>).</summary>
public sealed class ConditionalInferenceArtifact(string directory) : IArmResultPart
{
    internal const string TableFile = "conditional_loss.parquet", MetricsFile = "metrics.json";

    public DataFrame Table => DataFrameParquet.Read(Path.Combine(directory, TableFile));

    public ArmResult ToArmResult() =>
        new(JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(Path.Combine(directory, MetricsFile)), KitJson.Files) ?? [])
        {
            Tables = new Dictionary<string, DataFrame> { ["conditional_loss"] = Table },
        };
}

/// <summary>Scores held-out documents with no prefix, their own metadata, each domain's typical metadata (taken from
/// the training documents) and fixed probe prefixes (<see cref="ConditionalInference"/>).</summary>
public sealed class ConditionalInferenceStage(Stage<CheckpointArtifact> model, Stage<CorpusArtifact> training, Stage<CorpusArtifact> probed,
    string tokenizer, MetadataSpec metadata, IReadOnlyList<string> userPrefixes, int batchSize, bool documentStart = false, string device = "cpu")
    : Stage<ConditionalInferenceArtifact>
{
    public override string Name => "meco-conditional";
    public override object KeyConfig => new { Tokenizer = tokenizer, Metadata = metadata, UserPrefixes = userPrefixes, BatchSize = batchSize, DocumentStart = documentStart };
    public override IReadOnlyDictionary<string, IStage> Inputs => new Dictionary<string, IStage> { ["model"] = model, ["training"] = training, ["probed"] = probed };
    public override string Describe() => $"loss per domain × prefix ({userPrefixes.Count} probe prefixes)";

    public override void Run(StageContext context)
    {
        var conditions = ConditionalInference.Matrix(context.Input(training).Read().ToList(), metadata, userPrefixes);
        using var gpt = context.Input(model).LoadModel(device);
        var table = ConditionalInference.Evaluate(gpt, TextTokenizers.Create(tokenizer), context.Input(probed).Read().ToList(), conditions, batchSize,
            context.Progress, context.Cancellation, documentStart);
        DataFrameParquet.Write(table, context.PathOf(ConditionalInferenceArtifact.TableFile));
        AtomicFile.WriteAllText(context.PathOf(ConditionalInferenceArtifact.MetricsFile), JsonSerializer.Serialize(ConditionalInference.Summarize(table), KitJson.Files));
    }

    public override ConditionalInferenceArtifact Load(string directory) => new(directory);
}
