using Microsoft.Data.Analysis;
using ResearchKit.Embeddings;
using ResearchKit.Experiments;
using ResearchKit.Pipeline;
using ResearchKit.Tokenization;

namespace ResearchKit.Packing.Probes;

/// <summary>The probe's pairs written by a stage: target (index into the probed token dataset), neighbour and random
/// (indices into the candidates' token dataset), and the cosines of both with the target.</summary>
public sealed class InContextPairsArtifact(string directory)
{
    internal const string FileName = "pairs.parquet";
    public DataFrame Table => DataFrameParquet.Read(Path.Combine(directory, FileName));
    public IReadOnlyList<InContextPair> Read() => InContextPairs.FromDataFrame(Table);
}

/// <summary>
/// Finds the in-context probe's pairs (<see cref="InContextPairs"/>) from the data alone: held-out documents and their
/// nearest and random training documents. One computation serves every arm and seed, so all models are probed on
/// the same pairs. Inputs are token datasets and the embeddings of the corpora they were made from (row i = document
/// i of both); a mismatch in counts, or embeddings of two embedders, is refused naming the file.
/// </summary>
public sealed class InContextPairsStage(Stage<TokenDatasetArtifact> probedTokens, Stage<EmbeddingArtifact> probedEmbeddings,
    Stage<TokenDatasetArtifact> candidateTokens, Stage<EmbeddingArtifact> candidateEmbeddings, InContextProbeSpec spec) : Stage<InContextPairsArtifact>
{
    public override string Name => "incontext-pairs";
    public override object KeyConfig => new { spec.ContextTokens, spec.Documents, spec.MaxCosine, spec.Seed };
    public override IReadOnlyDictionary<string, IStage> Inputs => new Dictionary<string, IStage>
    {
        ["probed-tokens"] = probedTokens, ["probed-embeddings"] = probedEmbeddings,
        ["candidate-tokens"] = candidateTokens, ["candidate-embeddings"] = candidateEmbeddings,
    };
    public override string Describe() => $"in-context probe pairs: {spec.Documents} held-out documents, nearest and random training document of ≥ {spec.ContextTokens - 1} tokens";

    public override void Run(StageContext context)
    {
        var probed = context.Input(probedTokens);
        var candidates = context.Input(candidateTokens);
        var probedVectors = Checked(context.Input(probedEmbeddings), probed);
        var candidateVectors = Checked(context.Input(candidateEmbeddings), candidates);
        if (probedVectors.Model != candidateVectors.Model)
            throw new DataFormatException(context.Input(probedEmbeddings).Path, null, "model name", $"made by '{probedVectors.Model}', the candidates' by '{candidateVectors.Model}': embed both with one embedder");
        if (probedVectors.Dimension != candidateVectors.Dimension)
            throw new DataFormatException(context.Input(probedEmbeddings).Path, null, "dimension", $"{probedVectors.Dimension}-d rows, the candidates' are {candidateVectors.Dimension}-d");
        var pairs = InContextPairs.Build(probedVectors, candidateVectors, Lengths(probed.Dataset), Lengths(candidates.Dataset),
            spec.Documents, spec.ContextTokens - 1, spec.MaxCosine, (ulong)spec.Seed);
        if (pairs.Count == 0) throw new InvalidOperationException($"no held-out document could be paired (each needs ≥ 2 tokens, text, and a candidate below cosine {spec.MaxCosine})");
        DataFrameParquet.Write(InContextPairs.ToDataFrame(pairs), context.PathOf(InContextPairsArtifact.FileName));
        context.Stats["pairs"] = pairs.Count;
        context.Stats["neighbour_cosine"] = pairs.Average(p => p.NeighbourCosine);
        context.Stats["random_cosine"] = pairs.Average(p => p.RandomCosine);
    }

    static EmbeddingMatrix Checked(EmbeddingArtifact embeddings, TokenDatasetArtifact tokens)
    {
        var m = embeddings.Read();
        if (m.Rows != tokens.Dataset.DocumentCount)
            throw new DataFormatException(embeddings.Path, null, "rows", $"{m.Rows} embeddings for the {tokens.Dataset.DocumentCount} documents of {tokens.Path}");
        return m;
    }

    static int[] Lengths(ITokenDataset data) => Enumerable.Range(0, data.DocumentCount).Select(data.BodyLength).ToArray();

    public override InContextPairsArtifact Load(string directory) => new(directory);
}
