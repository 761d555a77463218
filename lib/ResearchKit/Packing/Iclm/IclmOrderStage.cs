using ResearchKit.Embeddings;
using ResearchKit.Experiments;
using ResearchKit.Pipeline;

namespace ResearchKit.Packing.Iclm;

/// <summary>
/// The In-Context Pretraining order of a training corpus (<see cref="IclmOrderBuilder"/>): kNN graph over the
/// embeddings, semantic near-duplicate removal, the fewest-unvisited-neighbours traversal, optionally the reference's
/// lexical check. The order names the corpus's document indices, which are the token dataset's (one document per
/// document), less the removed duplicates; documents with nothing to embed come last. Deterministic in its inputs, so
/// every seed of an arm shares it. Saves <c>order_*</c> statistics: documents, kept, removed (semantic, lexical),
/// empty, paths (count, mean and longest length, single-document paths), the mean cosine of adjacent documents and the
/// same over a random order of the same documents, the kNN method used and rows with missing neighbours.
/// </summary>
public sealed class IclmOrderStage(Stage<CorpusArtifact> corpus, Stage<EmbeddingArtifact> embeddings, IclmOptions? options = null) : Stage<DocumentOrderArtifact>
{
    readonly IclmOptions _options = options ?? new IclmOptions();

    public IclmOptions Options => _options;
    public override string Name => "iclm-order";
    public override object KeyConfig => _options;
    public override IReadOnlyDictionary<string, IStage> Inputs => new Dictionary<string, IStage> { ["corpus"] = corpus, ["embeddings"] = embeddings };
    public override string Describe() =>
        $"ICLM order: {_options.Traversal} traversal of a {_options.Neighbours}-NN graph" +
        (_options.SemanticDedupThreshold is { } t ? $", semantic dedup at cosine {t}" : "") + (_options.LexicalDedup ? ", lexical dedup" : "");

    public override void Run(StageContext context) =>
        OrderStageInputs.Save(context, Compute(context.Input(corpus), context.Input(embeddings), _options, context.Progress, context.Cancellation));

    /// <summary>The order and its <c>order_*</c> statistics from a corpus and its embeddings (the stage's work, also
    /// for <c>rk iclm order</c>).</summary>
    public static (int[] Order, Dictionary<string, double> Metrics) Compute(CorpusArtifact corpus, EmbeddingArtifact embeddings, IclmOptions options,
        IProgress<WorkProgress>? progress = null, CancellationToken cancellation = default)
    {
        var (texts, matrix) = OrderStageInputs.Read(corpus, embeddings);
        var order = IclmOrderBuilder.Build(texts, matrix, options, progress, cancellation);
        var metrics = new Dictionary<string, double>
        {
            ["order_documents"] = texts.Length,
            ["order_kept"] = order.Order.Length,
            ["order_removed_semantic"] = order.Semantic.RemovedCount,
            ["order_removed_lexical"] = order.Lexical?.RemovedCount ?? 0,
            ["order_empty_documents"] = order.EmptyDocuments.Length,
            ["order_adjacent_cosine"] = order.MeanAdjacentSimilarity,
            ["order_random_adjacent_cosine"] = order.RandomAdjacentSimilarity,
            ["order_exact_knn"] = order.KnnUsed == KnnMethod.Exact ? 1 : 0,
            ["order_short_knn_rows"] = order.ShortKnnRows,
        };
        OrderStageInputs.AddPaths(metrics, order.Paths);
        return (order.Order, metrics);
    }

    public override DocumentOrderArtifact Load(string directory) => DocumentOrderArtifact.In(directory);
}
