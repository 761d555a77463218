using ResearchKit.Experiments;
using ResearchKit.ProX;
using ResearchKit.ProX.Refining;
using ResearchKit.Training;

namespace ResearchKit.Recipes;

/// <summary>
/// ProX's data-quality ablation (<c>rk ablate prox-stages</c>): the raw corpus against each rule baseline (Gopher
/// quality, Gopher repetition, C4, FineWeb; datatrove's defaults), all four together, ProX-D and ProX-D+C with the
/// kit's own refining models (trained here on the labels), and ProX-D+C with the label programs themselves (what a
/// perfect refiner of these labels would do). Each refined corpus trains the same small LM for the same number of
/// tokens; all are scored in bits per byte on the clean held-out set.
/// <para>The corpus is data-samples/sample.parquet (14 domains, including mail-ham and mail-spam) plus the 260
/// line-labelled documentation pages of data-samples/prox-lines.parquet (domains python-docs-pages and
/// linux-docs-pages), found beside the corpus. Presets differ only in numbers: <c>tiny</c> (CPU, byte-level models,
/// a 400-document sample for the LM, 3 seeds), <c>gpu</c> (larger models, the whole corpus, cl100k LM) and
/// <c>smoke</c> (seconds; tests and CI, 2 seeds).</para>
/// </summary>
public static class ProXRecipes
{
    public const string PagesFile = "prox-lines.parquet";

    /// <summary>The labelled pages beside <paramref name="corpus"/>: <c>prox-lines-&lt;name&gt;.parquet</c> for a corpus
    /// <c>&lt;name&gt;.parquet</c> (data-samples/build.sh large writes large.parquet and prox-lines-large.parquet), else
    /// <c>prox-lines.parquet</c> (the shipped sample's); null when there are none there.</summary>
    public static string? PagesBeside(string corpus)
    {
        var directory = Path.GetDirectoryName(corpus) is { Length: > 0 } d ? d : ".";
        var own = Path.Combine(directory, $"{Path.GetFileNameWithoutExtension(PagesFile)}-{Path.GetFileNameWithoutExtension(corpus)}.parquet");
        var shared = Path.Combine(directory, PagesFile);
        return File.Exists(own) ? own : File.Exists(shared) ? shared : null;
    }

    static TrainConfig Sft(GptConfig model, int steps, int batch, double lr, int warmup) => new()
    {
        Model = model,
        BatchSize = batch,
        Steps = steps,
        Seed = 11,
        Optimizer = new OptimizerConfig(Lr: lr, WeightDecay: 0.0),
        Schedule = new LrSchedule(ScheduleKind.Cosine, WarmupSteps: warmup, MinLrRatio: 0.1),
    };

    public static IReadOnlyDictionary<string, ProxConfig> Presets(string corpus = RecipeCatalog.DefaultCorpus, string? pages = null)
    {
        pages ??= PagesBeside(corpus);
        return new Dictionary<string, ProxConfig>
        {
            ["tiny"] = new()
            {
                Data = new DataSpec { Corpus = corpus, MaxDocuments = 400 },
                Pages = pages,
                Train = TrainConfig.Tiny(257) with { Model = new GptConfig(257, DModel: 128, Layers: 4, Heads: 4, Context: 128), Steps = 200, BatchSize = 16 },
                Eval = new EvalSpec(BatchSize: 16, MaxChars: 4000),
                DocumentRefiner = new RefinerSpec
                {
                    Level = ProxStages.Document,
                    Train = Sft(new GptConfig(257, DModel: 96, Layers: 3, Heads: 4, Context: 192), steps: 300, batch: 16, lr: 3e-3, warmup: 20),
                    Sft = new SftOptions(MaxProgramTokens: 16),
                },
                ChunkRefiner = new RefinerSpec
                {
                    Level = ProxStages.Chunk,
                    Train = Sft(new GptConfig(257, DModel: 96, Layers: 3, Heads: 4, Context: 512), steps: 600, batch: 16, lr: 3e-3, warmup: 30),
                    Sft = new SftOptions(MaxProgramTokens: 96),
                },
            },
            ["gpu"] = new()
            {
                Data = new DataSpec { Corpus = corpus },
                Pages = pages,
                Tokenizer = "cl100k_base",
                Train = TrainConfig.Gpu(100_352),
                Eval = new EvalSpec(BatchSize: 32, MaxChars: 16_000),
                DocumentRefiner = new RefinerSpec
                {
                    Level = ProxStages.Document,
                    Train = Sft(new GptConfig(257, DModel: 384, Layers: 6, Heads: 6, Context: 1024), steps: 2000, batch: 32, lr: 1e-3, warmup: 100),
                    Sft = new SftOptions(MaxProgramTokens: 16),
                    GenerationBatch = 64,
                },
                ChunkRefiner = new RefinerSpec
                {
                    Level = ProxStages.Chunk,
                    Train = Sft(new GptConfig(257, DModel: 384, Layers: 6, Heads: 6, Context: 1024), steps: 3000, batch: 32, lr: 1e-3, warmup: 100),
                    Sft = new SftOptions(MaxProgramTokens: 160),
                    GenerationBatch = 64,
                },
            },
            ["smoke"] = new()
            {
                Data = new DataSpec { Corpus = corpus, MaxDocuments = 40, ValidationFraction = 0.25 },
                LabelData = new DataSpec { Corpus = corpus, MaxDocuments = 160, ValidationFraction = 0.25 },   // enough that the held-out labels include spam (drops)
                Pages = pages,
                Train = TrainConfig.Tiny(257) with
                {
                    Model = new GptConfig(257, DModel: 64, Layers: 2, Heads: 4, Context: 128),
                    Steps = 12,
                    BatchSize = 4,
                    Schedule = new LrSchedule(ScheduleKind.Cosine, WarmupSteps: 2, MinLrRatio: 0.1),
                },
                Eval = new EvalSpec(BatchSize: 8, MaxChars: 400),
                DocumentRefiner = new RefinerSpec
                {
                    Level = ProxStages.Document,
                    Train = Sft(new GptConfig(257, DModel: 32, Layers: 1, Heads: 2, Context: 64), steps: 6, batch: 4, lr: 3e-3, warmup: 1),
                    Sft = new SftOptions(MaxProgramTokens: 12),
                    GenerationBatch = 32,
                },
                ChunkRefiner = new RefinerSpec
                {
                    Level = ProxStages.Chunk,
                    Train = Sft(new GptConfig(257, DModel: 32, Layers: 1, Heads: 2, Context: 512), steps: 6, batch: 4, lr: 3e-3, warmup: 1),
                    Sft = new SftOptions(MaxProgramTokens: 48),
                    GenerationBatch = 64,
                },
            },
        };
    }

    /// <summary>raw, each rule set, all rules, ProX-D, ProX-D+C (trained refining models), ProX-D+C with label programs.</summary>
    public static Ablation<ProxConfig> Stages(string corpus = RecipeCatalog.DefaultCorpus) => Stages(corpus, null);

    public static Ablation<ProxConfig> Stages(string corpus, string? pages) => new(
        "prox-stages",
        "ProX refinement stages vs rule baselines: raw, Gopher quality, Gopher repetition, C4, FineWeb, all rules, ProX-D, ProX-D+C " +
        "(the kit's refining models trained on the labels) and ProX-D+C with the label programs; the same LM at equal tokens, " +
        "bits per byte on the clean held-out set (ham, main-content lines)",
        Presets(corpus, pages),
        [
            new("raw", c => c with { Refine = RefineSpec.None }),
            new("gopher-quality", c => c with { Refine = RefineSpec.RulesOnly("gopher-quality") }),
            new("gopher-repetition", c => c with { Refine = RefineSpec.RulesOnly("gopher-repetition") }),
            new("c4-quality", c => c with { Refine = RefineSpec.RulesOnly("c4-quality") }),
            new("fineweb-quality", c => c with { Refine = RefineSpec.RulesOnly("fineweb-quality") }),
            new("all-rules", c => c with { Refine = RefineSpec.RulesOnly([.. ResearchKit.Filters.RuleFilters.Names]) }),
            new("prox-d", c => c with { Refine = RefineSpec.ProxD }),
            new("prox-dc", c => c with { Refine = RefineSpec.ProxDC }),
            new("labels-dc", c => c with { Refine = RefineSpec.ProxDC with { GroundTruth = true } }),
        ],
        c => c.Plan()) { PresetSeeds = new Dictionary<string, int> { ["smoke"] = 2 } };
}
