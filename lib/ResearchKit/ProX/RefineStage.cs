using System.Text.Json;
using Microsoft.Data.Analysis;
using ResearchKit.Corpus;
using ResearchKit.Experiments;
using ResearchKit.Pipeline;

namespace ResearchKit.ProX;

/// <summary>A corpus written by <see cref="RefineStage"/>, with what the refinement did: per-step and per-reason
/// statistics (tables refine_steps, refine_reasons) and the kept fractions of documents and characters.</summary>
public sealed record RefinedCorpusArtifact(string Path, string Directory) : CorpusArtifact(Path), IArmResultPart
{
    internal const string StepsFile = "steps.parquet", ReasonsFile = "reasons.parquet", MetricsFile = "metrics.json";

    public DataFrame Steps => DataFrameParquet.Read(System.IO.Path.Combine(Directory, StepsFile));
    public DataFrame Reasons => DataFrameParquet.Read(System.IO.Path.Combine(Directory, ReasonsFile));
    public IReadOnlyDictionary<string, double> Metrics =>
        JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(System.IO.Path.Combine(Directory, MetricsFile)), KitJson.Files) ?? [];

    public ArmResult ToArmResult() => new(Metrics) { Tables = new Dictionary<string, DataFrame> { ["refine_steps"] = Steps, ["refine_reasons"] = Reasons } };
}

/// <summary>
/// Refines a corpus (corpus → corpus): the <see cref="RefineSpec"/>'s pipeline of rule filters and ProX steps, with
/// programs from trained refining models (<see cref="RefinerTrainStage"/> inputs) or from labels. Plugs into
/// <see cref="TrainAndEvaluate.Refine"/> (the training documents) and <see cref="TrainAndEvaluate.RefineValidation"/>
/// (the clean held-out set: <see cref="RefineSpec.Clean"/>). Deterministic: greedy decoding, seeded nothing.
/// </summary>
/// <param name="device">Where refining models run (not part of the key).</param>
public sealed class RefineStage(Stage<CorpusArtifact> corpus, RefineSpec spec, Stage<RefinerArtifact>? documentRefiner = null,
                                Stage<RefinerArtifact>? chunkRefiner = null, string device = "cpu") : Stage<CorpusArtifact>
{
    const string FileName = "corpus.parquet";

    public RefineSpec Spec => spec;
    public override string Name => "refine";
    public override object KeyConfig => spec;
    public override IReadOnlyDictionary<string, IStage> Inputs => RefinerInputs.Of(corpus, spec, documentRefiner, chunkRefiner);
    public override string Describe() => spec.Describe();

    public override void Run(StageContext context)
    {
        var (documentWriter, chunkWriter, chunker) = RefinerInputs.Writers(context, spec, documentRefiner, chunkRefiner, device);
        var pipeline = spec.Build(documentWriter, chunkWriter, chunker);
        var stats = new TransformStats();
        long documentsIn = 0, charactersIn = 0, charactersOut = 0;
        var input = context.Input(corpus);
        IEnumerable<Document> Counted()
        {
            foreach (var d in input.Read())
            {
                documentsIn++;
                charactersIn += d.Text.Length;
                if (documentsIn % 16 == 0) context.Progress?.Report(new WorkProgress("refine", documentsIn, null, spec.Describe()));
                yield return d;
            }
        }
        long documentsOut = CorpusWriter.Write(context.PathOf(FileName), pipeline.Apply(Counted(), stats, context.Cancellation).Select(d =>
        {
            charactersOut += d.Text.Length;
            return d;
        }));
        if (documentsOut == 0)
            throw new InvalidOperationException($"'{spec.Describe()}' kept none of the {documentsIn} documents: nothing left to train on");
        DataFrameParquet.Write(stats.Steps(), context.PathOf(RefinedCorpusArtifact.StepsFile));
        DataFrameParquet.Write(stats.Reasons(), context.PathOf(RefinedCorpusArtifact.ReasonsFile));
        var metrics = new Dictionary<string, double>
        {
            ["kept_document_fraction"] = documentsIn == 0 ? 0 : (double)documentsOut / documentsIn,
            ["kept_character_fraction"] = charactersIn == 0 ? 0 : (double)charactersOut / charactersIn,
        };
        AtomicFile.WriteAllText(context.PathOf(RefinedCorpusArtifact.MetricsFile), JsonSerializer.Serialize(metrics, KitJson.Files));
        context.Stats["documents_in"] = documentsIn;
        context.Stats["documents_out"] = documentsOut;
        context.Stats["characters_out"] = charactersOut;
    }

    public override CorpusArtifact Load(string directory) => new RefinedCorpusArtifact(System.IO.Path.Combine(directory, FileName), directory);
}

/// <summary>The refining-model inputs of a stage that runs a <see cref="RefineSpec"/>.</summary>
internal static class RefinerInputs
{
    public static Dictionary<string, IStage> Of(Stage<CorpusArtifact> corpus, RefineSpec spec, Stage<RefinerArtifact>? documentRefiner, Stage<RefinerArtifact>? chunkRefiner)
    {
        if (spec.NeedsDocumentModel && documentRefiner is null) throw new ArgumentException($"'{spec.Describe()}' needs a document-level refining model");
        if (spec.NeedsChunkModel && chunkRefiner is null) throw new ArgumentException($"'{spec.Describe()}' needs a chunk-level refining model");
        var inputs = new Dictionary<string, IStage> { ["corpus"] = corpus };
        if (spec.NeedsDocumentModel) inputs["document-refiner"] = documentRefiner!;
        if (spec.NeedsChunkModel) inputs["chunk-refiner"] = chunkRefiner!;
        return inputs;
    }

    public static (IProgramWriter? Document, IProgramWriter? Chunk, ProxChunker? Chunker) Writers(StageContext context, RefineSpec spec,
        Stage<RefinerArtifact>? documentRefiner, Stage<RefinerArtifact>? chunkRefiner, string device)
    {
        var document = spec.NeedsDocumentModel ? context.Input(documentRefiner!).Writer(device) : null;
        var chunk = spec.NeedsChunkModel ? context.Input(chunkRefiner!).Writer(device) : null;
        return (document, chunk, chunk?.CreateChunker());
    }
}
