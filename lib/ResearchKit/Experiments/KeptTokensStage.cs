using Microsoft.Data.Analysis;
using ResearchKit.Pipeline;
using ResearchKit.Tokenization;

namespace ResearchKit.Experiments;

/// <summary>
/// How much of a corpus a refinement (rule filters, ProX) kept, in the tokens the model trains on: the refined token
/// dataset against the unrefined one, overall (metric kept_token_fraction, and refined_tokens) and per domain (table
/// kept_tokens: domain, raw_tokens, kept_tokens, kept_fraction). Both datasets must come from the same tokenizer.
/// </summary>
public sealed class KeptTokensStage(Stage<TokenDatasetArtifact> raw, Stage<TokenDatasetArtifact> refined) : Stage<ArmResultArtifact>
{
    public override string Name => "kept-tokens";
    public override object KeyConfig => new { };
    public override IReadOnlyDictionary<string, IStage> Inputs => new Dictionary<string, IStage> { ["raw"] = raw, ["refined"] = refined };
    public override string Describe() => "tokens the refinement kept, overall and per domain";

    public override void Run(StageContext context)
    {
        var before = PerDomain(context.Input(raw).Dataset);
        var after = PerDomain(context.Input(refined).Dataset);
        long total = before.Values.Sum(), kept = after.Values.Sum();
        var domains = before.Keys.Union(after.Keys).Order(StringComparer.Ordinal).ToList();
        var table = new DataFrame(
            new StringDataFrameColumn("domain", domains),
            new Int64DataFrameColumn("raw_tokens", domains.Select(d => before.GetValueOrDefault(d))),
            new Int64DataFrameColumn("kept_tokens", domains.Select(d => after.GetValueOrDefault(d))),
            new DoubleDataFrameColumn("kept_fraction", domains.Select(d => before.GetValueOrDefault(d) == 0 ? double.NaN : (double)after.GetValueOrDefault(d) / before[d])));
        var metrics = new Dictionary<string, double> { ["kept_token_fraction"] = total == 0 ? 0 : (double)kept / total, ["refined_tokens"] = kept };
        ArmResultArtifact.Write(context.Directory, new ArmResult(metrics) { Tables = new Dictionary<string, DataFrame> { ["kept_tokens"] = table } });
        context.Stats["raw_tokens"] = total;
        context.Stats["kept_tokens"] = kept;
    }

    static Dictionary<string, long> PerDomain(ITokenDataset data)
    {
        var tokens = new long[data.Domains.Count];
        for (int d = 0; d < data.DocumentCount; d++) tokens[data.DomainOf(d)] += data.Body(d).Length;
        return data.Domains.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => tokens[x.i]);
    }

    public override ArmResultArtifact Load(string directory) => new(directory);
}
