using ResearchKit.Experiments;
using ResearchKit.Training;

namespace ResearchKit.MeCo;

/// <summary>
/// One MeCo arm as data: metadata-conditioned training for the first (1 − <see cref="CooldownFraction"/>) of the steps,
/// then a cooldown on the same document stream without prefixes, on the same LR schedule (no re-warmup); validation
/// without prefixes; optionally the conditional-inference matrix. <see cref="MetadataKind.None"/> is standard
/// pretraining. Every arm trains the same number of steps of the same window size (prefix tokens take window space
/// and are loss-masked, as in MeCo), so window-token budgets are equal; trained-token counts and the share of them
/// that had their metadata in view (≈ 1 − f with repeated prefixes) are reported per arm. Documents begin with a masked
/// start token when <c>Train.Data.DocumentStart</c> is set (the reference's BOS), in every arm alike.
/// </summary>
public sealed record MeCoConfig : ISeeded<MeCoConfig>
{
    public required DataSpec Data { get; init; }
    /// <summary><see cref="Tokenization.TextTokenizers"/> name; its vocabulary must fit <c>Train.Model.VocabSize</c>.</summary>
    public string Tokenizer { get; init; } = "bytes";
    public required TrainConfig Train { get; init; }
    public EvalSpec Eval { get; init; } = new();
    /// <summary>The training metadata; Kind None = standard pretraining (no prefixes, no cooldown).</summary>
    public MetadataSpec Metadata { get; init; } = new(MetadataKind.Host);
    /// <summary>Fraction f of the steps at the end trained without prefixes; 0 = metadata throughout.</summary>
    public double CooldownFraction { get; init; } = 0.1;
    /// <summary>Start every continuation window of a document with its (masked) prefix again, so every trained token of
    /// a conditioned document has its metadata in view (<see cref="DataConfig.RepeatPrefix"/>). False reproduces the
    /// earlier packing, where only the window holding a document's start saw its metadata.</summary>
    public bool RepeatPrefix { get; init; } = true;
    /// <summary>Run the conditional-inference matrix after training.</summary>
    public bool Conditional { get; init; } = true;
    /// <summary>Metadata used at inference for the "own" and "as:&lt;domain&gt;" conditions; null = <see cref="Metadata"/>
    /// (host when training had none, so the standard model is probed with the same prefixes).</summary>
    public MetadataSpec? InferenceMetadata { get; init; }
    /// <summary>Extra literal prefixes to probe, e.g. "URL: en.wikipedia.org\n\n".</summary>
    public IReadOnlyList<string> UserPrefixes { get; init; } = [];
    /// <summary>Validation documents scored per condition (seeded stratified sample); null = all.</summary>
    public int? ConditionalDocuments { get; init; } = 200;

    public int Seed => Train.Seed;
    public MeCoConfig WithSeed(int seed) => this with { Train = Train with { Seed = seed } };

    bool HasMetadata => Metadata.Kind != MetadataKind.None;

    /// <summary>The trainer's config: prefixes on, and a phase at 1 − f that turns them off, when this run has metadata and f &gt; 0.</summary>
    public TrainConfig ResolvedTrain()
    {
        if (CooldownFraction is < 0 or > 1 || double.IsNaN(CooldownFraction))
            throw new ArgumentOutOfRangeException(nameof(CooldownFraction), CooldownFraction, "the cooldown fraction lies in [0, 1]");
        return Train with
        {
            Data = Train.Data with { Prefixes = HasMetadata, RepeatPrefix = HasMetadata && RepeatPrefix },
            Phases = HasMetadata && CooldownFraction > 0 ? [new PhaseSpec(1 - CooldownFraction, Prefixes: false)] : [],
        };
    }

    internal MetadataSpec ProbeMetadata => InferenceMetadata ?? (HasMetadata ? Metadata : new MetadataSpec(MetadataKind.Host));

    /// <summary>The standard train-and-evaluate stages with this arm's metadata prefixes and cooldown (e.g. to load the
    /// trained model of a finished arm: <c>runner.Run(config.Stages().Model).LoadModel("cpu")</c>).</summary>
    public TrainAndEvaluate.Stages Stages() =>
        new TrainAndEvaluate { Data = Data, Tokenizer = Tokenizer, Train = ResolvedTrain(), Eval = Eval, Prefix = HasMetadata ? Metadata : null }.Build();

    /// <summary>The arm's stages: the standard train-and-evaluate pipeline with metadata prefixes, plus the
    /// conditional-inference matrix when asked.</summary>
    public ArmPlan Plan()
    {
        var stages = Stages();
        if (!Conditional) return new ArmPlan(stages.Model, stages.Evaluation);
        var probed = new CorpusStage(Data, CorpusPart.Validation, ConditionalDocuments, Eval.MaxChars);
        return new ArmPlan(stages.Model, stages.Evaluation,
            new ConditionalInferenceStage(stages.Model, stages.TrainCorpus, probed, Tokenizer, ProbeMetadata, UserPrefixes, Eval.BatchSize, Train.Data.DocumentStart, Train.Device));
    }
}
