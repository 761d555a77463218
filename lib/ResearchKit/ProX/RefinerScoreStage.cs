using ResearchKit.Corpus;
using ResearchKit.Experiments;
using ResearchKit.Pipeline;

namespace ResearchKit.ProX;

/// <summary>
/// Scores a refinement against the labels of held-out documents (<see cref="RefinementScore"/>): the same
/// <see cref="RefineSpec"/> an arm refines its training corpus with, run on the labelled documents of the validation
/// side, which neither the refining models nor the language model saw. Every arm gets the same columns, so rule
/// baselines and refining models compare on the same documents. Writes metrics and the table refiner_scores.
/// </summary>
public sealed class RefinerScoreStage(Stage<CorpusArtifact> labelled, RefineSpec spec, Stage<RefinerArtifact>? documentRefiner = null,
                                      Stage<RefinerArtifact>? chunkRefiner = null, string device = "cpu") : Stage<ArmResultArtifact>
{
    public RefineSpec Spec => spec;
    public override string Name => "refiner-score";
    public override object KeyConfig => spec;
    public override IReadOnlyDictionary<string, IStage> Inputs => RefinerInputs.Of(labelled, spec, documentRefiner, chunkRefiner);
    public override string Describe() => $"precision/recall of {spec.Describe()} against held-out labels";

    public override void Run(StageContext context)
    {
        var documents = context.Input(labelled).Read().ToList();
        var (documentWriter, chunkWriter, chunker) = RefinerInputs.Writers(context, spec, documentRefiner, chunkRefiner, device);
        var score = RefinementScore.Measure(spec, documents, documentWriter, chunkWriter, chunker, context.Cancellation);
        ArmResultArtifact.Write(context.Directory, new ArmResult(score.Metrics()) { Tables = new Dictionary<string, Microsoft.Data.Analysis.DataFrame> { ["refiner_scores"] = score.ToDataFrame() } });
        context.Stats["documents"] = documents.Count;
        context.Stats["drop_labelled"] = score.Drops.Total;
        context.Stats["line_labelled"] = score.Lines.Total;
    }

    public override ArmResultArtifact Load(string directory) => new(directory);
}

/// <summary>Passes calls to another writer and keeps every program it wrote, per level, for parse-rate counts.</summary>
internal sealed class RecordingProgramWriter(IProgramWriter inner) : IProgramWriter
{
    public string Name => inner.Name;
    public List<string> DocumentPrograms { get; } = [];
    public List<string> ChunkPrograms { get; } = [];

    public IReadOnlyList<string> WriteDocumentPrograms(IReadOnlyList<Document> documents, CancellationToken cancellationToken = default)
    {
        var programs = inner.WriteDocumentPrograms(documents, cancellationToken);
        DocumentPrograms.AddRange(programs);
        return programs;
    }

    public IReadOnlyList<IReadOnlyList<string>> WriteChunkPrograms(IReadOnlyList<ChunkedDocument> documents, CancellationToken cancellationToken = default)
    {
        var programs = inner.WriteChunkPrograms(documents, cancellationToken);
        foreach (var p in programs) ChunkPrograms.AddRange(p);
        return programs;
    }
}
