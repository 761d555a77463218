using ResearchKit.Experiments;
using ResearchKit.Pipeline;

namespace ResearchKit.Packing.Probes;

/// <summary>Scores one trained model on the probe's pairs (<see cref="InContextProbe"/>): <c>incontext_*</c> metrics and
/// an <c>incontext_loss</c> table (condition, loss, tokens).</summary>
/// <param name="device">Where to run (not part of the key).</param>
public sealed class InContextProbeStage(Stage<CheckpointArtifact> model, Stage<InContextPairsArtifact> pairs, Stage<TokenDatasetArtifact> probedTokens,
    Stage<TokenDatasetArtifact> candidateTokens, InContextProbeSpec spec, string device = "cpu") : Stage<ArmResultArtifact>
{
    public override string Name => "incontext-probe";
    public override object KeyConfig => new { spec.ContextTokens, spec.BatchSize };
    public override IReadOnlyDictionary<string, IStage> Inputs => new Dictionary<string, IStage>
    {
        ["model"] = model, ["pairs"] = pairs, ["probed-tokens"] = probedTokens, ["candidate-tokens"] = candidateTokens,
    };
    public override string Describe() => $"in-context probe: loss after the nearest vs a random training document ({spec.ContextTokens} context tokens)";

    public override void Run(StageContext context)
    {
        var list = context.Input(pairs).Read();
        using var gpt = context.Input(model).LoadModel(device);
        var result = InContextProbe.Score(gpt, list, context.Input(probedTokens).Dataset, context.Input(candidateTokens).Dataset, spec.ContextTokens,
            spec.BatchSize, context.Progress, context.Cancellation);
        ArmResultArtifact.Write(context.Directory, new ArmResult(result.Metrics())
        {
            Tables = new Dictionary<string, Microsoft.Data.Analysis.DataFrame> { ["incontext_loss"] = result.ToDataFrame() },
        });
        context.Stats["documents"] = list.Count;
        context.Stats["gain"] = result.Metrics()["incontext_gain"];
    }

    public override ArmResultArtifact Load(string directory) => new(directory);
}
