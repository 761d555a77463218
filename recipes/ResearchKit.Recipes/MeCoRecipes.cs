using ResearchKit.Experiments;
using ResearchKit.MeCo;
using ResearchKit.Training;

namespace ResearchKit.Recipes;

/// <summary>
/// MeCo's three ablations (<c>rk ablate meco-cooldown|meco-metadata|meco-conditional</c>). Presets differ only in
/// numbers: <c>tiny</c> (CPU, byte-level GPT with 512-byte windows so a ~25-byte <c>URL: host\n\n</c> prefix, repeated at
/// the start of every window of its document, stays ~5% of the window; minutes per arm on 2 cores, 3 seeds), <c>gpu</c>
/// (GPT-2-small shape, cl100k tokens, bf16, 1024-token windows) and <c>smoke</c> (seconds; tests and CI, 2 seeds).
/// Every preset begins documents with a masked start token (the reference's BOS), in MeCo and standard arms alike.
/// </summary>
public static class MeCoRecipes
{
    static readonly string[] ProbePrefixes = ["URL: en.wikipedia.org\n\n", "URL: factquizmaster.com\n\n"];

    public static IReadOnlyDictionary<string, MeCoConfig> Presets(string corpus = RecipeCatalog.DefaultCorpus) => new Dictionary<string, MeCoConfig>
    {
        ["tiny"] = new()
        {
            Data = new DataSpec { Corpus = corpus },
            Train = TrainConfig.Tiny(257) with
            {
                Model = new GptConfig(257, DModel: 128, Layers: 4, Heads: 4, Context: 512),
                Steps = 300,
                BatchSize = 4,
                Data = new DataConfig { DocumentStart = true },
            },
            Eval = new EvalSpec(Documents: 140, MaxChars: 4000),
            ConditionalDocuments = 140,
        },
        ["gpu"] = new()
        {
            Data = new DataSpec { Corpus = corpus },
            Tokenizer = "cl100k_base",
            Train = TrainConfig.Gpu(100_352) with { Data = new DataConfig { DocumentStart = true } },
            Eval = new EvalSpec(BatchSize: 32, Documents: 2000, MaxChars: 16_000),
            ConditionalDocuments = 1000,
        },
        ["smoke"] = new()
        {
            Data = new DataSpec { Corpus = corpus, MaxDocuments = 120, ValidationFraction = 0.25 },
            Train = TrainConfig.Tiny(257) with
            {
                Model = new GptConfig(257, DModel: 64, Layers: 2, Heads: 4, Context: 128),
                Steps = 12,
                BatchSize = 4,
                Schedule = new LrSchedule(ScheduleKind.Cosine, WarmupSteps: 2, MinLrRatio: 0.1),
                Data = new DataConfig { DocumentStart = true },
            },
            Eval = new EvalSpec(BatchSize: 8, Documents: 16, MaxChars: 400),
            ConditionalDocuments = 16,
        },
    };

    static readonly Dictionary<string, int> SmokeSeeds = new() { ["smoke"] = 2 };

    static MeCoConfig Standard(MeCoConfig c) => c with { Metadata = MetadataSpec.None };

    /// <summary>How long the metadata-free cooldown should be: f ∈ {0, 0.1, 0.2, 0.5} against standard pretraining.</summary>
    public static Ablation<MeCoConfig> Cooldown(string corpus = RecipeCatalog.DefaultCorpus) => new(
        "meco-cooldown",
        "MeCo cooldown length: host metadata for the first 1-f of steps, no prefixes for the last f (same stream, same LR schedule), vs standard pretraining",
        Presets(corpus).ToDictionary(p => p.Key, p => p.Value with { Conditional = false }),   // the conditional ablation probes the trained models
        [
            new("standard", Standard),
            new("f0", c => c with { CooldownFraction = 0 }),
            new("f0.1", c => c with { CooldownFraction = 0.1 }),
            new("f0.2", c => c with { CooldownFraction = 0.2 }),
            new("f0.5", c => c with { CooldownFraction = 0.5 }),
        ],
        c => c.Plan()) { PresetSeeds = SmokeSeeds };

    /// <summary>Which metadata to condition on: full URL, host, hashed host, topic, or none (10% cooldown each).</summary>
    public static Ablation<MeCoConfig> Metadata(string corpus = RecipeCatalog.DefaultCorpus) => new(
        "meco-metadata",
        "MeCo metadata variant (10% cooldown): full URL vs host vs hashed host vs the reference's short-URL string rule vs topic " +
        "(the corpus's own genre/section/group fields; data-samples has no model-generated topics) vs standard pretraining",
        Presets(corpus),
        [
            new("full-url", c => c with { Metadata = new MetadataSpec(MetadataKind.FullUrl) }),
            new("host", c => c with { Metadata = new MetadataSpec(MetadataKind.Host) }),
            new("hashed-host", c => c with { Metadata = new MetadataSpec(MetadataKind.HashedHost) }),
            new("short-url", c => c with { Metadata = new MetadataSpec(MetadataKind.ShortUrl) }),
            new("topic", c => c with { Metadata = new MetadataSpec(MetadataKind.Topic) { TopicKeys = ["topic", "genre", "section", "group"] } }),
            new("standard", Standard),
        ],
        c => c.Plan()) { PresetSeeds = SmokeSeeds };

    /// <summary>Conditional inference: domain × prefix loss matrix for a MeCo model and a standard one.</summary>
    public static Ablation<MeCoConfig> Conditional(string corpus = RecipeCatalog.DefaultCorpus) => new(
        "meco-conditional",
        "Conditional inference: validation loss per domain with no prefix, own host, each domain's typical host, and fixed probes, for MeCo (host, 10% cooldown) vs standard",
        Presets(corpus).ToDictionary(p => p.Key, p => p.Value with { UserPrefixes = ProbePrefixes }),
        [
            new("meco", c => c with { Metadata = new MetadataSpec(MetadataKind.Host), CooldownFraction = 0.1 }),
            new("standard", Standard),
        ],
        c => c.Plan()) { PresetSeeds = SmokeSeeds };
}
