using ResearchKit.Corpus;
using ResearchKit.Pipeline;

namespace ResearchKit.Experiments;

/// <summary>A corpus written by a stage: one zstd Parquet file in the kit's layout.</summary>
public sealed record CorpusArtifact(string Path)
{
    public IEnumerable<Document> Read() => CorpusReader.Read(Path);
}

/// <summary>
/// One side of an experiment's split, read from the raw corpus: the optional seeded sample of the whole corpus, the
/// train or validation documents (by id hash), then optionally a seeded stratified sample of that side and a cut of
/// each document to its first characters (evaluation budgets). Validation documents never reach a training stage.
/// </summary>
public sealed class CorpusStage(DataSpec data, CorpusPart part, int? sample = null, int? maxChars = null) : Stage<CorpusArtifact>
{
    const string FileName = "corpus.parquet";

    public DataSpec Data => data;
    public CorpusPart Part => part;
    public override string Name => part == CorpusPart.Train ? "corpus-train" : "corpus-validation";
    public override object KeyConfig => new { Data = data, Part = part, Sample = sample, MaxChars = maxChars };
    public override IReadOnlyList<string> Corpora => [data.Corpus];
    public override string Describe() => $"{part.ToString().ToLowerInvariant()} documents of {data.Corpus}" + (sample is { } n ? $", {n} sampled" : "");

    public override void Run(StageContext context)
    {
        data.Validate();
        var all = CorpusReader.Read(data.Corpus, data.Mapping);
        var documents = data.MaxDocuments is { } max ? CorpusSample.Take(all, max, data.SampleSeed) : all.ToList();
        DocumentIds.RequireUnique(documents, data.Corpus);
        var split = new CorpusSplit(data.ValidationFraction, data.SplitSeed);
        var side = (part == CorpusPart.Train ? split.Train(documents) : split.Validation(documents)).ToList();
        if (side.Count == 0)
            throw new ArgumentException($"corpus '{data.Corpus}' gives no {part.ToString().ToLowerInvariant()} documents " +
                                        $"({documents.Count} documents, validation fraction {data.ValidationFraction})");
        IReadOnlyList<Document> chosen = sample is { } n ? CorpusSample.Take(side, n, data.SampleSeed) : side;
        if (maxChars is { } chars) chosen = chosen.Select(d => Truncate(d, chars)).ToList();
        context.Stats["documents"] = CorpusWriter.Write(context.PathOf(FileName), chosen, context.Progress);
        context.Stats["characters"] = chosen.Sum(d => (double)d.Text.Length);
        context.Stats["domains"] = chosen.Select(d => d.Domain).Distinct().Count();
    }

    public override CorpusArtifact Load(string directory) => new(System.IO.Path.Combine(directory, FileName));

    /// <summary>The first <paramref name="chars"/> characters, never splitting a surrogate pair.</summary>
    internal static Document Truncate(Document d, int chars)
    {
        if (d.Text.Length <= chars) return d;
        int cut = char.IsHighSurrogate(d.Text[chars - 1]) ? chars - 1 : chars;
        return d with { Text = d.Text[..cut] };
    }
}
