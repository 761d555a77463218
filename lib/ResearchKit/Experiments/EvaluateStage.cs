using System.Text.Json;
using Microsoft.Data.Analysis;
using ResearchKit.Evaluation;
using ResearchKit.Pipeline;

namespace ResearchKit.Experiments;

/// <summary>An evaluation written by a stage: scalar metrics, per-domain losses and the per-position curve.</summary>
public sealed class EvaluationArtifact(string directory) : IArmResultPart
{
    internal const string MetricsFile = "metrics.json", DomainsFile = "domain_loss.parquet", PositionsFile = "position_loss.parquet";

    public IReadOnlyDictionary<string, double> Metrics =>
        JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(Path.Combine(directory, MetricsFile)), KitJson.Files) ?? [];
    public DataFrame DomainLoss => DataFrameParquet.Read(Path.Combine(directory, DomainsFile));
    public DataFrame PositionLoss => DataFrameParquet.Read(Path.Combine(directory, PositionsFile));

    public ArmResult ToArmResult() => new(Metrics) { Tables = new Dictionary<string, DataFrame> { ["domain_loss"] = DomainLoss, ["position_loss"] = PositionLoss } };
}

/// <summary>
/// Scores a trained model on a held-out token dataset with the attention setting it was trained with: nats per token
/// and bits per byte overall, per domain, domain-uniform mean and worst domain, and loss per window position.
/// </summary>
/// <param name="device">Where to run (not part of the key).</param>
public sealed class EvaluateStage(Stage<CheckpointArtifact> model, Stage<TokenDatasetArtifact> data, EvalSpec eval, bool documentMask, bool documentStart = false,
    string device = "cpu")
    : Stage<EvaluationArtifact>
{
    public override string Name => "evaluate";
    public override object KeyConfig => new { Eval = eval, DocumentMask = documentMask, DocumentStart = documentStart };
    public override IReadOnlyDictionary<string, IStage> Inputs => new Dictionary<string, IStage> { ["model"] = model, ["data"] = data };
    public override string Describe() => $"validation loss and bits per byte{(eval.MaxTokens is { } m ? $", at most {m:N0} tokens" : "")}";

    public override void Run(StageContext context)
    {
        var tokens = context.Input(data);
        using var gpt = context.Input(model).LoadModel(device);
        var result = Evaluator.Evaluate(gpt, tokens.Dataset,
            new EvalOptions(documentMask, Prefixes: false, eval.BatchSize, eval.MaxTokens, tokens.CreateTokenizer().TokenByteLengths(), DocumentStart: documentStart), context.Progress, context.Cancellation);
        var metrics = result.Metrics();
        metrics["val_tokens"] = result.Tokens;
        AtomicFile.WriteAllText(context.PathOf(EvaluationArtifact.MetricsFile), JsonSerializer.Serialize(metrics, KitJson.Files));
        DataFrameParquet.Write(result.ToDataFrame(), context.PathOf(EvaluationArtifact.DomainsFile));
        DataFrameParquet.Write(result.PositionFrame(), context.PathOf(EvaluationArtifact.PositionsFile));
        context.Stats["tokens"] = result.Tokens;
    }

    public override EvaluationArtifact Load(string directory) => new(directory);
}
