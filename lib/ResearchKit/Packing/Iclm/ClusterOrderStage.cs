using ResearchKit.Embeddings;
using ResearchKit.Experiments;
using ResearchKit.Pipeline;

namespace ResearchKit.Packing.Iclm;

/// <summary>Settings of the cluster-concatenation order.</summary>
/// <param name="ClusterSize">Documents per cluster on average: k = round(documents with text / ClusterSize), at least
/// 1. The default 21 is the ICLM reference's cluster size, so clusters and ICLM paths are of a comparable length.</param>
/// <param name="Clusters">A fixed k instead (overrides <paramref name="ClusterSize"/>).</param>
/// <param name="Seed">k-means++ seed; arms pass their training seed, so seeds vary the clustering too.</param>
public sealed record ClusterOrderOptions(int ClusterSize = 21, int? Clusters = null, long Seed = 1, WithinClusterOrder Within = WithinClusterOrder.ByDistanceToCentroid)
{
    /// <summary>Device for k-means (cpu, cuda, auto): speed only.</summary>
    [NotHashed] public string Device { get; init; } = "auto";

    public int ClustersFor(int documents)
    {
        if (ClusterSize < 1) throw new ArgumentOutOfRangeException(nameof(ClusterSize), ClusterSize, "a cluster holds at least one document on average");
        if (Clusters is < 1) throw new ArgumentOutOfRangeException(nameof(Clusters), Clusters, "at least one cluster");
        return Clusters ?? Math.Max(1, (int)Math.Round(documents / (double)ClusterSize, MidpointRounding.AwayFromZero));
    }
}

/// <summary>
/// The "cluster concatenate" order of a training corpus: k-means over the embeddings, documents laid out cluster by
/// cluster (<see cref="IclmOrderBuilder.ClusterConcat"/>); no dedup, documents with nothing to embed last. Saves the same
/// <c>order_*</c> statistics as <see cref="IclmOrderStage"/> (a path is a cluster).
/// </summary>
public sealed class ClusterOrderStage(Stage<CorpusArtifact> corpus, Stage<EmbeddingArtifact> embeddings, ClusterOrderOptions? options = null) : Stage<DocumentOrderArtifact>
{
    readonly ClusterOrderOptions _options = options ?? new ClusterOrderOptions();

    public ClusterOrderOptions Options => _options;
    public override string Name => "cluster-order";
    public override object KeyConfig => _options;
    public override IReadOnlyDictionary<string, IStage> Inputs => new Dictionary<string, IStage> { ["corpus"] = corpus, ["embeddings"] = embeddings };
    public override string Describe() => $"k-means clusters of ~{_options.Clusters?.ToString() ?? _options.ClusterSize + " documents"}, concatenated cluster by cluster (seed {_options.Seed})";

    public override void Run(StageContext context) =>
        OrderStageInputs.Save(context, Compute(context.Input(corpus), context.Input(embeddings), _options, context.Progress, context.Cancellation));

    /// <summary>The order and its <c>order_*</c> statistics from a corpus and its embeddings (the stage's work, also
    /// for <c>rk iclm order --clusters</c>).</summary>
    public static (int[] Order, Dictionary<string, double> Metrics) Compute(CorpusArtifact corpus, EmbeddingArtifact embeddings, ClusterOrderOptions options,
        IProgress<WorkProgress>? progress = null, CancellationToken cancellation = default)
    {
        var (texts, matrix) = OrderStageInputs.Read(corpus, embeddings);
        int withText = matrix.Rows - matrix.ZeroRowCount();
        int k = options.ClustersFor(withText);
        var paths = IclmOrderBuilder.ClusterConcat(matrix, k, (ulong)options.Seed, options.Within, options.Device, progress, cancellation);
        var adjacent = IclmOrderBuilder.AdjacentSimilarity(matrix.Normalized(), paths.Order, IclmOrderBuilder.RandomOrderSeed);
        var metrics = new Dictionary<string, double>
        {
            ["order_documents"] = texts.Length,
            ["order_kept"] = paths.Order.Length,
            ["order_removed_semantic"] = 0,
            ["order_removed_lexical"] = 0,
            ["order_empty_documents"] = matrix.Rows - withText,
            ["order_adjacent_cosine"] = adjacent.Ordered,
            ["order_random_adjacent_cosine"] = adjacent.Random,
            ["order_clusters"] = k,
        };
        // The empty documents form a last path of their own in ClusterConcat; count clusters only.
        OrderStageInputs.AddPaths(metrics, withText == matrix.Rows ? paths : new DocumentPaths(paths.Order[..withText], paths.PathStarts[..^1]));
        return (paths.Order, metrics);
    }

    public override DocumentOrderArtifact Load(string directory) => DocumentOrderArtifact.In(directory);
}
