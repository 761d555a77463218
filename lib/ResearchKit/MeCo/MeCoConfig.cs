using ResearchKit.Training;

namespace ResearchKit.MeCo;

/// <summary>
/// One MeCo training run as data: metadata-conditioned training for the first (1 − <see cref="CooldownFraction"/>)
/// of the steps, then a cooldown on the same documents without prefixes, on the same LR schedule (no re-warmup).
/// <see cref="MetadataKind.None"/> is standard pretraining. Every arm of an ablation trains the same number of steps
/// of the same window size, so token budgets are equal (prefix tokens take window space and are loss-masked, as in MeCo).
/// </summary>
public sealed record MeCoConfig
{
    public required TrainConfig Train { get; init; }
    /// <summary>Corpus file, directory or glob (<see cref="Corpus.CorpusReader"/>).</summary>
    public required string Corpus { get; init; }
    /// <summary><see cref="Tokenization.TextTokenizers"/> name; its vocabulary must fit <c>Train.Model.VocabSize</c>.</summary>
    public string Tokenizer { get; init; } = "bytes";
    /// <summary>Seeded stratified sample of this many documents before the split; null = the whole corpus.</summary>
    public int? MaxDocuments { get; init; }
    public double ValidationFraction { get; init; } = 0.1;
    /// <summary>Seed of the train/validation split by document id. It must differ from <see cref="SampleSeed"/>: both
    /// hash the id, and equal seeds would make the sample all-validation.</summary>
    public long SplitSeed { get; init; }
    /// <summary>Seed of the document samples (<see cref="MaxDocuments"/>, <see cref="EvalDocuments"/>, <see cref="ConditionalDocuments"/>).</summary>
    public long SampleSeed { get; init; } = 1;
    /// <summary>The training metadata; Kind None = standard pretraining (no prefixes, no cooldown).</summary>
    public MetadataSpec Metadata { get; init; } = new(MetadataKind.Host);
    /// <summary>Fraction f of the steps at the end trained without prefixes; 0 = metadata throughout.</summary>
    public double CooldownFraction { get; init; } = 0.1;
    /// <summary>Run the conditional-inference matrix after training.</summary>
    public bool Conditional { get; init; } = true;
    /// <summary>Metadata used at inference for the "own" and "as:&lt;domain&gt;" conditions; null = <see cref="Metadata"/>
    /// (host when training had none, so the standard model is probed with the same prefixes).</summary>
    public MetadataSpec? InferenceMetadata { get; init; }
    /// <summary>Extra literal prefixes to probe, e.g. "URL: en.wikipedia.org\n\n".</summary>
    public IReadOnlyList<string> UserPrefixes { get; init; } = [];
    /// <summary>Validation documents scored per condition (seeded stratified sample); null = all.</summary>
    public int? ConditionalDocuments { get; init; } = 200;
    public int EvalBatchSize { get; init; } = 16;
    /// <summary>Validation documents for the plain per-domain validation loss (seeded stratified sample, so every
    /// domain is represented); null = the whole validation split.</summary>
    public int? EvalDocuments { get; init; }
    /// <summary>Score only the first this-many characters of each validation document (plain loss and matrix alike),
    /// bounding evaluation cost on long documents; null = whole documents.</summary>
    public int? EvalMaxChars { get; init; }

    /// <summary>The trainer's config: the phase switch at 1 − f that turns prefixes off, when this run has metadata and f &gt; 0.</summary>
    public TrainConfig ResolvedTrain()
    {
        if (CooldownFraction is < 0 or > 1 || double.IsNaN(CooldownFraction))
            throw new ArgumentOutOfRangeException(nameof(CooldownFraction), CooldownFraction, "the cooldown fraction lies in [0, 1]");
        bool metadata = Metadata.Kind != MetadataKind.None;
        return Train with
        {
            Data = Train.Data with { Prefixes = metadata },
            Cooldown = metadata && CooldownFraction > 0 ? new PhaseSwitch(1 - CooldownFraction, Train.Data with { Prefixes = false }) : null,
        };
    }

    internal MetadataSpec ProbeMetadata => InferenceMetadata ?? (Metadata.Kind == MetadataKind.None ? new MetadataSpec(MetadataKind.Host) : Metadata);
}
