using ResearchKit.Experiments;
using ResearchKit.Packing;
using ResearchKit.Packing.Probes;
using ResearchKit.Training;

namespace ResearchKit.Recipes;

/// <summary>
/// <c>rk ablate packing-strategies</c>: five ways to fill context windows, side by side at equal window tokens.
/// <list type="bullet">
/// <item><c>random</c>: documents shuffled, concatenated with end-of-text, cut into windows; attention crosses documents.</item>
/// <item><c>random-masked</c>: the same windows; block-diagonal attention, positions restarting per document.</item>
/// <item><c>cluster</c>: k-means clusters of MiniLM embeddings (~21 documents each), concatenated cluster by cluster; attention crosses documents.</item>
/// <item><c>iclm</c>: In-Context Pretraining: semantic dedup, kNN graph, the fewest-unvisited-neighbours traversal; attention crosses documents.</item>
/// <item><c>best-fit</c>: complete-document best-fit packing (documents cut only when longer than a window); intra-document attention.</item>
/// </list>
/// <para>The two order arms emit their windows shuffled within blocks of 64 optimizer steps' windows
/// (<see cref="ConcatPacking.ShuffleWindowBlock"/>). In order, consecutive windows continue one traversal path or
/// cluster, so a batch would hold one topic, a gradient correlation no other arm has (and pretraining shuffles its
/// windows); shuffling whole windows within a block keeps what each window holds, which is what the orders change.
/// Both order arms use the same block, so they differ only in the order. Best-fit uses the intra-document mask, so
/// against <c>random-masked</c> it isolates cutting documents, and <c>random</c> against <c>random-masked</c> isolates
/// the mask.</para>
/// <para>Presets differ only in numbers: <c>tiny</c> (CPU: byte-level 0.8M-parameter GPT, 512-byte windows, documents
/// cut to their leading paragraphs within 512 characters so that windows hold several of them, 3 seeds), <c>gpu</c>
/// (GPT-2-small shape, cl100k, 1024-token windows, whole documents of the larger corpus build
/// <c>data-samples/large.parquet</c> from <c>data-samples/build.sh large</c>) and <c>smoke</c> (seconds; CI, 2 seeds).</para>
/// </summary>
public static class PackingRecipes
{
    /// <summary>Where <c>data-samples/build.sh large</c> writes the larger corpus the <c>gpu</c> preset reads by default.</summary>
    public const string LargeCorpus = "data-samples/large.parquet";

    public static IReadOnlyDictionary<string, PackingConfig> Presets(string corpus = RecipeCatalog.DefaultCorpus) => new Dictionary<string, PackingConfig>
    {
        ["tiny"] = new()
        {
            Data = new DataSpec { Corpus = corpus },
            Train = TrainConfig.Tiny(257) with { Model = new GptConfig(257, DModel: 128, Layers: 4, Heads: 4, Context: 512), Steps = 200, BatchSize = 4 },
            LeadChars = 512,
            Eval = new EvalSpec(BatchSize: 8, Documents: 140, MaxChars: 512),
            Probe = new InContextProbeSpec(ContextTokens: 128, Documents: 140),
        },
        ["gpu"] = new()
        {
            Data = new DataSpec { Corpus = corpus == RecipeCatalog.DefaultCorpus ? LargeCorpus : corpus },
            Tokenizer = "cl100k_base",
            Train = TrainConfig.Gpu(100_352),
            Eval = new EvalSpec(BatchSize: 32, Documents: 2000, MaxChars: 16_000),
            Probe = new InContextProbeSpec(ContextTokens: 256, Documents: 1000, BatchSize: 32),
        },
        ["smoke"] = new()
        {
            Data = new DataSpec { Corpus = corpus, MaxDocuments = 120, ValidationFraction = 0.25 },
            Train = TrainConfig.Tiny(257) with
            {
                Model = new GptConfig(257, DModel: 64, Layers: 2, Heads: 4, Context: 64),
                Steps = 12,
                BatchSize = 4,
                Schedule = new LrSchedule(ScheduleKind.Cosine, WarmupSteps: 2, MinLrRatio: 0.1),
            },
            LeadChars = 160,
            Eval = new EvalSpec(BatchSize: 8, Documents: 16, MaxChars: 160),
            Probe = new InContextProbeSpec(ContextTokens: 16, Documents: 16, BatchSize: 8),
        },
    };

    /// <summary>Windows per shuffled block for the order arms: 64 optimizer steps' worth.</summary>
    public static int OrderedBlock(PackingConfig c) => 64 * c.Train.BatchSize * c.Train.GradAccumulation;

    static PackingConfig With(PackingConfig c, PackingSpec packing, DocumentOrderKind order = DocumentOrderKind.Dataset) =>
        c with { Order = order, Train = c.Train with { Data = c.Train.Data with { Packing = packing } } };

    /// <summary>The five strategies (see the class summary).</summary>
    public static Ablation<PackingConfig> Strategies(string corpus = RecipeCatalog.DefaultCorpus) => new(
        "packing-strategies",
        "Packing strategies at equal window tokens: random concatenation (cross-document attention), the same with the intra-document mask, " +
        "cluster concatenation, In-Context Pretraining order, best-fit complete-document packing; probes: bits per byte, loss per position, " +
        "in-context gain (nearest vs random preceding document), truncation, padding, packer speed",
        Presets(corpus),
        [
            new("random", c => With(c, new ConcatPacking(Shuffle: true) { DocumentMask = false })),
            new("random-masked", c => With(c, new ConcatPacking(Shuffle: true) { DocumentMask = true })),
            new("cluster", c => With(c, new ConcatPacking(Shuffle: false, ShuffleWindowBlock: OrderedBlock(c)) { DocumentMask = false }, DocumentOrderKind.Clusters)),
            new("iclm", c => With(c, new ConcatPacking(Shuffle: false, ShuffleWindowBlock: OrderedBlock(c)) { DocumentMask = false }, DocumentOrderKind.Iclm)),
            new("best-fit", c => With(c, new BestFitPacking(LongDocuments.Split) { DocumentMask = true })),
        ],
        c => c.Plan()) { PresetSeeds = new Dictionary<string, int> { ["smoke"] = 2 } };

    /// <summary>The first windows of every arm (first seed), for pictures: computes the data stages they need in the
    /// store under <paramref name="resultsDirectory"/>, where the ablation then finds them.</summary>
    public static IReadOnlyList<(string Arm, WindowPreview Preview)> PreviewWindows(Ablation<PackingConfig> ablation, string preset, string resultsDirectory,
        int windows = 4, IProgress<WorkProgress>? progress = null) =>
        ablation.Resolve(preset).Select(a => (a.Arm, a.Config.PreviewWindows(resultsDirectory, windows, progress))).ToArray();
}
