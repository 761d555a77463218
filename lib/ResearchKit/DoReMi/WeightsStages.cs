using ResearchKit.Experiments;
using ResearchKit.Packing;
using ResearchKit.Pipeline;

namespace ResearchKit.DoReMi;

/// <summary>A stage whose artifact is a domain-weight vector over the domains of a training token dataset, written as
/// <see cref="DomainWeightsTable"/> describes (JSON in the DoReMi layout, and a table).</summary>
public abstract class WeightsStage(Stage<TokenDatasetArtifact> tokens) : Stage<DomainWeightsArtifact>
{
    protected Stage<TokenDatasetArtifact> Tokens => tokens;

    public override IReadOnlyDictionary<string, IStage> Inputs => new Dictionary<string, IStage> { ["tokens"] = tokens };

    public override DomainWeightsArtifact Load(string directory) => new(Path.Combine(directory, DomainWeights.FileName));

    /// <summary>Writes the weights and records each as a stat (w_&lt;domain&gt;) in the artifact record.</summary>
    protected static void Write(StageContext context, IReadOnlyList<string> domains, IReadOnlyList<double> weights)
    {
        var normalised = DomainWeightsTable.Write(context.Directory, domains, weights);
        for (int d = 0; d < domains.Count; d++) context.Stats["w_" + domains[d]] = normalised[d];
    }
}

/// <summary>Equal weight for every domain of the training tokens (DoReMi's proxy sampling and α₀); every domain must
/// have tokens.</summary>
public sealed class UniformWeightsStage(Stage<TokenDatasetArtifact> tokens) : WeightsStage(tokens)
{
    public override string Name => "weights-uniform";
    public override object KeyConfig => new { };
    public override string Describe() => "uniform domain weights";

    public override void Run(StageContext context)
    {
        var data = context.Input(Tokens);
        TrainingDomains.RequireTokens(data.Dataset, data.Path);
        Write(context, data.Dataset.Domains, data.Dataset.Domains.Select(_ => 1.0).ToArray());
    }
}

/// <summary>Natural proportions: each domain's share of the training tokens (body tokens plus one end-of-text per
/// document, <see cref="TrainingDomains.StreamTokens"/>), what the reference run's baseline weights are in DoReMi.</summary>
public sealed class NaturalWeightsStage(Stage<TokenDatasetArtifact> tokens) : WeightsStage(tokens)
{
    public override string Name => "weights-natural";
    public override object KeyConfig => new { };
    public override string Describe() => "natural token proportions";

    public override void Run(StageContext context)
    {
        var data = context.Input(Tokens);
        TrainingDomains.RequireTokens(data.Dataset, data.Path);
        Write(context, data.Dataset.Domains, TrainingDomains.StreamTokens(data.Dataset).Select(t => (double)t).ToArray());
    }
}

/// <summary>
/// A proxy run's output: the average α₀..α_T its Group-DRO objective published beside its checkpoint
/// (<see cref="DomainWeights.FileName"/>), checked against the training domains and re-published as this stage's
/// artifact and table.
/// </summary>
public sealed class ProxyWeightsStage(Stage<TokenDatasetArtifact> tokens, Stage<CheckpointArtifact> proxy) : WeightsStage(tokens)
{
    public Stage<CheckpointArtifact> Proxy => proxy;
    public override string Name => "weights-proxy";
    public override object KeyConfig => new { };
    public override IReadOnlyDictionary<string, IStage> Inputs => new Dictionary<string, IStage> { ["tokens"] = Tokens, ["proxy"] = proxy };
    public override string Describe() => "the proxy's averaged domain weights";

    public override void Run(StageContext context)
    {
        var data = context.Input(Tokens).Dataset;
        var path = Path.Combine(context.Input(proxy).Directory, DomainWeights.FileName);
        if (!File.Exists(path))
            throw new DataFormatException(path, null, null, "missing: the proxy run published no domain weights (is its objective group-dro, and did it finish?)");
        Write(context, data.Domains, DomainWeights.Read(path, data.Domains));
    }
}

/// <summary>Weights from a file in the DoReMi config layout (e.g. the paper's Pile weights, or another run's output),
/// identified by content. Every corpus domain must be in the file and no other; weights must be finite and
/// non-negative; a domain without training tokens must have weight 0.</summary>
public sealed class WeightsFileStage(Stage<TokenDatasetArtifact> tokens, string file) : WeightsStage(tokens)
{
    public override string Name => "weights-file";
    public override object KeyConfig => new { };
    public override IReadOnlyList<string> Corpora => [file];
    public override string Describe() => $"domain weights from {file}";

    public override void Run(StageContext context)
    {
        var data = context.Input(Tokens).Dataset;
        var weights = DomainWeights.Read(file, data.Domains);
        TrainingDomains.RequireTokens(data, file, weights, "train_domain_weights");
        Write(context, data.Domains, weights);
    }
}
