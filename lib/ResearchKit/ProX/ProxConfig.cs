using ResearchKit.Experiments;
using ResearchKit.Pipeline;
using ResearchKit.Training;

namespace ResearchKit.ProX;

/// <summary>
/// One arm of a ProX data-quality comparison as data: a refinement of the training corpus (<see cref="Refine"/>:
/// none, rule filters, ProX-D, ProX-D+C with the kit's own refining models, or label programs), then the same small
/// language model trained at the same token budget (equal steps × batch × context, whatever the refinement kept) and
/// evaluated in bits per byte on the clean held-out set: the validation side with labelled spam dropped and labelled
/// boilerplate lines removed (<see cref="RefineSpec.Clean"/>), overall and per domain. Each arm also reports the
/// tokens its refinement kept (<see cref="KeptTokensStage"/>) and how its refinement scores against the held-out labels
/// (<see cref="RefinerScoreStage"/>).
/// <para>The refining models train on the training side of <see cref="LabelData"/> only. Seeds vary the language
/// model (weights and data order); the refining models have their own seeds and are trained once, shared by every
/// seed and arm that uses them.</para>
/// </summary>
public sealed record ProxConfig : ISeeded<ProxConfig>
{
    /// <summary>The language model's corpus and split (its <see cref="DataSpec.MaxDocuments"/> sizes the training corpus).</summary>
    public required DataSpec Data { get; init; }
    /// <summary>Line-labelled pages added to <see cref="DataSpec.Corpus"/> (<see cref="ProxCorpusStage"/>); null = the
    /// corpus alone. A path: its content enters the stage keys.</summary>
    [NotHashed] public string? Pages { get; init; }
    /// <summary>The language model's tokenizer (<see cref="Tokenization.TextTokenizers"/>).</summary>
    public string Tokenizer { get; init; } = "bytes";
    public required TrainConfig Train { get; init; }
    /// <summary>Validation budget; <see cref="EvalSpec.MaxChars"/> cuts each document after the cleaning, so a page
    /// keeps its main text rather than its leading navigation.</summary>
    public EvalSpec Eval { get; init; } = new();
    /// <summary>This arm's refinement of the training corpus.</summary>
    public RefineSpec Refine { get; init; } = RefineSpec.None;
    public required RefinerSpec DocumentRefiner { get; init; }
    public required RefinerSpec ChunkRefiner { get; init; }
    /// <summary>Whose training side trains the refining models and whose validation side scores every arm's refinement;
    /// null = <see cref="Data"/> without its document sample (all labelled documents, same split).</summary>
    public DataSpec? LabelData { get; init; }

    public int Seed => Train.Seed;
    public ProxConfig WithSeed(int seed) => this with { Train = Train with { Seed = seed } };

    /// <summary>The stages of the arm, and the shared ones it needs.</summary>
    public ProxStagesPlan Stages()
    {
        if (DocumentRefiner.Level != ProxStages.Document) throw new ArgumentException($"DocumentRefiner must be a Document-level spec, not {DocumentRefiner.Level}");
        if (ChunkRefiner.Level != ProxStages.Chunk) throw new ArgumentException($"ChunkRefiner must be a Chunk-level spec, not {ChunkRefiner.Level}");
        var source = Pages is null ? null : new ProxCorpusStage(Data.Corpus, Pages);
        var labelData = LabelData ?? Data with { MaxDocuments = null };
        var refinerCorpus = new CorpusStage(labelData, CorpusPart.Train, source: source);
        var documentRefiner = new RefinerTrainStage(refinerCorpus, DocumentRefiner with { Train = DocumentRefiner.Train with { Device = Train.Device } });
        var chunkRefiner = new RefinerTrainStage(refinerCorpus, ChunkRefiner with { Train = ChunkRefiner.Train with { Device = Train.Device } });
        var arm = new TrainAndEvaluate
        {
            Data = Data,
            Tokenizer = Tokenizer,
            Train = Train,
            Eval = Eval with { MaxChars = null },
            Source = source,
            Refine = Refine.IsNone ? null : corpus => new RefineStage(corpus, Refine, documentRefiner, chunkRefiner, Train.Device),
            RefineValidation = validation => new RefineStage(validation, RefineSpec.Clean(Eval.MaxChars)),
        }.Build();
        var rawTokens = new TokenizeStage(new CorpusStage(Data, CorpusPart.Train, source: source), Tokenizer);
        var held = new CorpusStage(labelData, CorpusPart.Validation, source: source);
        return new ProxStagesPlan(arm, documentRefiner, chunkRefiner, new KeptTokensStage(rawTokens, arm.TrainTokens),
                                  new RefinerScoreStage(held, Refine, documentRefiner, chunkRefiner, Train.Device), held);
    }

    /// <summary>The arm's outputs: the model (training curves), its evaluation (bits per byte, per domain), kept
    /// tokens, the refinement's scores against held-out labels, and, when the corpus was refined, the refinement's
    /// statistics.</summary>
    public ArmPlan Plan()
    {
        var s = Stages();
        return Refine.IsNone
            ? new ArmPlan(s.Arm.Model, s.Arm.Evaluation, s.KeptTokens, s.Score)
            : new ArmPlan(s.Arm.Model, s.Arm.Evaluation, s.KeptTokens, s.Score, s.Arm.TrainCorpus);
    }
}

/// <summary>A ProX arm's stages: the standard ones, the two refining models (trained only when an arm's refinement
/// uses them), kept tokens, the score against held-out labels, and the labelled held-out documents.</summary>
public sealed record ProxStagesPlan(TrainAndEvaluate.Stages Arm, RefinerTrainStage DocumentRefiner, RefinerTrainStage ChunkRefiner,
                                    KeptTokensStage KeptTokens, RefinerScoreStage Score, CorpusStage HeldOut)
{
    /// <summary>Refines <paramref name="documents"/> with this plan's two refining models (trained first if they are not
    /// in the store yet), ProX-D then ProX-C, keeping each document's programs and results.</summary>
    public IReadOnlyList<RefinementTrace> Trace(StageRunner runner, IReadOnlyList<Corpus.Document> documents, string device = "cpu")
    {
        var documentWriter = runner.Run(DocumentRefiner).Writer(device);
        var chunkWriter = runner.Run(ChunkRefiner).Writer(device);
        return RefinementTrace.Of(RefineSpec.ProxDC, documents, documentWriter, chunkWriter, chunkWriter.CreateChunker());
    }
}
