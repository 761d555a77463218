using ResearchKit.Corpus;
using ResearchKit.Pipeline;

namespace ResearchKit.Experiments;

/// <summary>A corpus written by a stage: one zstd Parquet file in the kit's layout. (Not sealed: a stage that also
/// reports on the corpus it wrote, such as a refinement's statistics, extends it.)</summary>
public record CorpusArtifact(string Path)
{
    public IEnumerable<Document> Read() => CorpusReader.Read(Path);
}

/// <summary>
/// One side of an experiment's split, read from the raw corpus: the optional seeded sample of the whole corpus, the
/// train or validation documents (by id hash), then optionally a seeded stratified sample of that side and a cut of
/// each document to its first characters (evaluation budgets). Validation documents never reach a training stage.
/// With a <paramref name="source"/> stage (a corpus assembled from several files, say) the documents come from its
/// artifact instead of <see cref="DataSpec.Corpus"/>.
/// </summary>
public sealed class CorpusStage(DataSpec data, CorpusPart part, int? sample = null, int? maxChars = null, Stage<CorpusArtifact>? source = null) : Stage<CorpusArtifact>
{
    const string FileName = "corpus.parquet";

    public DataSpec Data => data;
    public CorpusPart Part => part;
    public override string Name => part == CorpusPart.Train ? "corpus-train" : "corpus-validation";
    public override object KeyConfig => new { Data = data, Part = part, Sample = sample, MaxChars = maxChars };
    public override IReadOnlyList<string> Corpora => source is null ? [data.Corpus] : [];
    public override IReadOnlyDictionary<string, IStage> Inputs =>
        source is null ? new Dictionary<string, IStage>() : new Dictionary<string, IStage> { ["source"] = source };
    public override string Describe() => $"{part.ToString().ToLowerInvariant()} documents of {(source is null ? data.Corpus : source.Describe())}" + (sample is { } n ? $", {n} sampled" : "");

    public override void Run(StageContext context)
    {
        data.Validate();
        var all = source is null ? CorpusReader.Read(data.Corpus, data.Mapping) : context.Input(source).Read();
        var documents = data.MaxDocuments is { } max ? CorpusSample.Take(all, max, data.SampleSeed) : all.ToList();
        DocumentIds.RequireUnique(documents, data.Corpus);
        var split = new CorpusSplit(data.ValidationFraction, data.SplitSeed);
        var side = (part == CorpusPart.Train ? split.Train(documents) : split.Validation(documents)).ToList();
        if (side.Count == 0)
            throw new ArgumentException($"corpus '{data.Corpus}' gives no {part.ToString().ToLowerInvariant()} documents " +
                                        $"({documents.Count} documents, validation fraction {data.ValidationFraction})");
        IReadOnlyList<Document> chosen = sample is { } n ? CorpusSample.Take(side, n, data.SampleSeed) : side;
        if (maxChars is { } chars) chosen = chosen.Select(d => TruncateTransform.Cut(d, chars)).ToList();
        context.Stats["documents"] = CorpusWriter.Write(context.PathOf(FileName), chosen, context.Progress);
        context.Stats["characters"] = chosen.Sum(d => (double)d.Text.Length);
        context.Stats["domains"] = chosen.Select(d => d.Domain).Distinct().Count();
    }

    public override CorpusArtifact Load(string directory) => new(System.IO.Path.Combine(directory, FileName));
}
