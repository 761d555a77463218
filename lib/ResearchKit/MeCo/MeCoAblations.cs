using ResearchKit.Experiments;
using ResearchKit.Training;

namespace ResearchKit.MeCo;

/// <summary>
/// The named MeCo ablations (<c>rk ablate meco-cooldown|meco-metadata|meco-conditional</c>). Presets differ only in
/// numbers: <c>tiny</c> (CPU, ~0.8M-parameter byte-level GPT, 300 steps, minutes on 2 cores), <c>gpu</c> (GPT-2-small
/// shape, cl100k tokens, bf16) and <c>smoke</c> (seconds; used by tests). The corpus is the shipped data-samples.
/// </summary>
public static class MeCoAblations
{
    static readonly string[] ProbePrefixes = ["URL: en.wikipedia.org\n\n", "URL: factquizmaster.com\n\n"];

    public static IReadOnlyDictionary<string, MeCoConfig> Presets(string corpus = AblationCatalog.DefaultCorpus) => new Dictionary<string, MeCoConfig>
    {
        ["tiny"] = new()
        {
            Train = TrainConfig.Tiny(257) with { Model = new GptConfig(257, DModel: 128, Layers: 4, Heads: 4, Context: 128), Steps = 300, BatchSize = 16 },
            Corpus = corpus,
            Tokenizer = "bytes",
            ConditionalDocuments = 200,
            EvalDocuments = 140,
            EvalMaxChars = 4000,
        },
        ["gpu"] = new()
        {
            Train = TrainConfig.Gpu(100_352),
            Corpus = corpus,
            Tokenizer = "cl100k_base",
            ConditionalDocuments = 1000,
            EvalBatchSize = 32,
            EvalDocuments = 2000,
            EvalMaxChars = 16_000,
        },
        ["smoke"] = new()
        {
            Train = TrainConfig.Tiny(257) with
            {
                Model = new GptConfig(257, DModel: 64, Layers: 2, Heads: 4, Context: 128),
                Steps = 12,
                BatchSize = 4,
                Schedule = new LrSchedule(ScheduleKind.Cosine, WarmupSteps: 2, MinLrRatio: 0.1),
            },
            Corpus = corpus,
            Tokenizer = "bytes",
            MaxDocuments = 120,
            ValidationFraction = 0.25,
            ConditionalDocuments = 16,
            EvalBatchSize = 8,
            EvalDocuments = 16,
            EvalMaxChars = 400,
        },
    };

    static MeCoConfig Standard(MeCoConfig c) => c with { Metadata = MetadataSpec.None };

    /// <summary>How long the metadata-free cooldown should be: f ∈ {0, 0.1, 0.2, 0.5} against standard pretraining.
    /// The baseline also runs with a second seed (<c>standard-seed2</c>): its distance from <c>standard</c> is the
    /// seed-to-seed noise that the other arms' differences are read against.</summary>
    public static Ablation<MeCoConfig> Cooldown(string corpus = AblationCatalog.DefaultCorpus) => new(
        "meco-cooldown",
        "MeCo cooldown length: host metadata for the first 1-f of steps, no prefixes for the last f (same LR schedule), vs standard pretraining (two seeds, for the noise level)",
        Presets(corpus),
        [
            new("standard", Standard),
            new("standard-seed2", c => Standard(c) with { Train = c.Train with { Seed = c.Train.Seed + 1 } }),
            new("f0", c => c with { CooldownFraction = 0 }),
            new("f0.1", c => c with { CooldownFraction = 0.1 }),
            new("f0.2", c => c with { CooldownFraction = 0.2 }),
            new("f0.5", c => c with { CooldownFraction = 0.5 }),
        ],
        MeCoExperiment.Run);

    /// <summary>Which metadata to condition on: full URL, host, hashed host, topic, or none (10% cooldown each).</summary>
    public static Ablation<MeCoConfig> Metadata(string corpus = AblationCatalog.DefaultCorpus) => new(
        "meco-metadata",
        "MeCo metadata variant (10% cooldown): full URL vs host vs hashed host vs topic (the corpus's own genre/section/group fields; " +
        "data-samples has no model-generated topics) vs standard pretraining",
        Presets(corpus),
        [
            new("full-url", c => c with { Metadata = new MetadataSpec(MetadataKind.FullUrl) }),
            new("host", c => c with { Metadata = new MetadataSpec(MetadataKind.Host) }),
            new("hashed-host", c => c with { Metadata = new MetadataSpec(MetadataKind.HashedHost) }),
            new("topic", c => c with { Metadata = new MetadataSpec(MetadataKind.Topic) { TopicKeys = ["topic", "genre", "section", "group"] } }),
            new("standard", Standard),
        ],
        MeCoExperiment.Run);

    /// <summary>Conditional inference: domain × prefix loss matrix for a MeCo model and a standard one.</summary>
    public static Ablation<MeCoConfig> Conditional(string corpus = AblationCatalog.DefaultCorpus) => new(
        "meco-conditional",
        "Conditional inference: validation loss per domain with no prefix, own host, each domain's typical host, and fixed probes, for MeCo (host, 10% cooldown) vs standard",
        Presets(corpus).ToDictionary(p => p.Key, p => p.Value with { UserPrefixes = ProbePrefixes }),
        [
            new("meco", c => c with { Metadata = new MetadataSpec(MetadataKind.Host), CooldownFraction = 0.1 }),
            new("standard", Standard),
        ],
        MeCoExperiment.Run);
}
