using ResearchKit.Embeddings;
using ResearchKit.Experiments;
using ResearchKit.Packing.Iclm;
using ResearchKit.Packing.Probes;
using ResearchKit.Pipeline;
using ResearchKit.Training;

namespace ResearchKit.Packing;

/// <summary>Which order documents reach the packer in.</summary>
public enum DocumentOrderKind
{
    /// <summary>The dataset's documents, shuffled or not by the packing itself.</summary>
    Dataset,
    /// <summary>k-means clusters of the embeddings, laid out cluster by cluster (<see cref="ClusterOrderStage"/>).</summary>
    Clusters,
    /// <summary>The In-Context Pretraining traversal (<see cref="IclmOrderStage"/>).</summary>
    Iclm,
}

/// <summary>The first windows an arm's training draws, with the dataset's domain names (for pictures of windows).</summary>
public sealed record WindowPreview(IReadOnlyList<PackedWindow> Windows, IReadOnlyList<string> Domains, bool DocumentMask);

/// <summary>
/// One packing-strategy arm as data: the standard train-and-evaluate arm with a document order (none, clusters, ICLM)
/// feeding the packing in <c>Train.Data.Packing</c> (which also says whether attention crosses documents), plus the
/// probes: validation bits per byte and the per-position loss (the evaluation), the in-context probe, and the
/// packer's statistics and speed. Every arm of an ablation trains the same steps of the same window size, so window
/// tokens are equal; trained tokens (less padding) are reported per arm.
/// </summary>
public sealed record PackingConfig : ISeeded<PackingConfig>
{
    public required DataSpec Data { get; init; }
    /// <summary><see cref="Tokenization.TextTokenizers"/> name; its vocabulary must fit <c>Train.Model.VocabSize</c>.</summary>
    public string Tokenizer { get; init; } = "bytes";
    public required TrainConfig Train { get; init; }
    public EvalSpec Eval { get; init; } = new();
    /// <summary>Keep only each document's leading paragraphs up to this many characters, in training and validation
    /// (<see cref="LeadParagraphsStage"/>); null = whole documents.</summary>
    public int? LeadChars { get; init; }
    public DocumentOrderKind Order { get; init; }
    /// <summary>The embedder behind the orders and the probe's neighbours.</summary>
    public EmbedderSpec Embedder { get; init; } = new MiniLMEmbedding();
    public IclmOptions Iclm { get; init; } = new();
    /// <summary>Cluster settings; the seed is the arm's training seed.</summary>
    public ClusterOrderOptions Clusters { get; init; } = new();
    /// <summary>The in-context probe; null = off.</summary>
    public InContextProbeSpec? Probe { get; init; }
    /// <summary>Measure the packer (truncation, padding, speed) on the training windows.</summary>
    public bool PackingStats { get; init; } = true;

    public int Seed => Train.Seed;
    public PackingConfig WithSeed(int seed) => this with { Train = Train with { Seed = seed } };

    /// <summary>The stages of one arm (one seed).</summary>
    public sealed record Stages(TrainAndEvaluate.Stages Arm, EmbedStage TrainEmbeddings, EmbedStage ValidationEmbeddings,
        InContextPairsStage? Pairs, InContextProbeStage? Probe, PackingStatsStage? PackingStats);

    public Stages Build()
    {
        Func<Stage<CorpusArtifact>, Stage<CorpusArtifact>>? lead = LeadChars is { } chars ? c => new LeadParagraphsStage(c, chars) : null;
        EmbedStage? trainEmbeddings = null;
        EmbedStage EmbedTrain(Stage<CorpusArtifact> corpus) => trainEmbeddings ??= new EmbedStage(corpus, Embedder);
        var arm = new TrainAndEvaluate
        {
            Data = Data, Tokenizer = Tokenizer, Train = Train, Eval = Eval, Refine = lead, RefineValidation = lead,
            Order = Order switch
            {
                DocumentOrderKind.Dataset => null,
                DocumentOrderKind.Iclm => (corpus, _) => new IclmOrderStage(corpus, EmbedTrain(corpus), Iclm),
                DocumentOrderKind.Clusters => (corpus, _) => new ClusterOrderStage(corpus, EmbedTrain(corpus), Clusters with { Seed = Seed }),
                _ => throw new ArgumentOutOfRangeException(nameof(Order), Order, null),
            },
        }.Build();
        var train = EmbedTrain(arm.TrainCorpus);
        var validation = new EmbedStage(arm.ValidationCorpus, Embedder);
        InContextPairsStage? pairs = null;
        InContextProbeStage? probe = null;
        if (Probe is { } spec)
        {
            pairs = new InContextPairsStage(arm.ValidationTokens, validation, arm.TrainTokens, train, spec);
            probe = new InContextProbeStage(arm.Model, pairs, arm.ValidationTokens, arm.TrainTokens, spec, Train.Device);
        }
        var stats = PackingStats ? new PackingStatsStage(arm.TrainTokens, Train, arm.Order, arm.Model) : null;
        return new Stages(arm, train, validation, pairs, probe, stats);
    }

    /// <summary>Training, evaluation, the order's statistics, the in-context probe and the packing statistics.</summary>
    public ArmPlan Plan()
    {
        var s = Build();
        return new ArmPlan(new IStage?[] { s.Arm.Model, s.Arm.Evaluation, s.Arm.Order, s.Probe, s.PackingStats }.OfType<IStage>().ToArray());
    }

    /// <summary>The first <paramref name="count"/> windows this arm's training draws (same packing, order and seed),
    /// computing the data stages it needs (corpus, tokens, embeddings, order) in the store under
    /// <paramref name="resultsDirectory"/>, where the ablation finds them again.</summary>
    public WindowPreview PreviewWindows(string resultsDirectory, int count = 4, IProgress<WorkProgress>? progress = null, CancellationToken cancellation = default)
    {
        var s = Build();
        using var runner = new StageRunner(ArtifactStore.For(resultsDirectory), progress, cancellation);
        var data = runner.Run(s.Arm.TrainTokens).Dataset;
        var order = s.Arm.Order is null ? null : runner.Run(s.Arm.Order).Read(data.DocumentCount);
        var sampler = new WindowSampler(data, Train.Model.Context + 1, Train.Data.Packing, Train.Data.PackerOptions, (ulong)Seed, Train.Data.DomainWeights, order);
        var windows = Enumerable.Range(0, count).Select(_ => sampler.Next()).ToList();
        return new WindowPreview(windows, data.Domains.ToArray(), Train.Data.Packing.DocumentMask);
    }
}
