using System.Diagnostics;
using ResearchKit.Corpus;
using ResearchKit.Embeddings;

namespace ResearchKit.Packing.Iclm;

public enum KnnMethod
{
    /// <summary>Exact up to <see cref="IclmOptions.ExactUpTo"/> documents, HNSW above.</summary>
    Auto,
    Exact,
    Hnsw,
}

public enum TraversalMethod
{
    /// <summary>The kit's rule (a deliberate change from the ICLM reference's sort): start at the fewest unvisited neighbours, step to the most similar unvisited one.</summary>
    FewestNeighbours,
    /// <summary>The reference code's sort and merge (clusters of at most 21), crashes fixed.</summary>
    ReferenceSortMerge,
}

/// <summary>Settings of the ICLM order. The defaults are the kit's choices; <see cref="Reference"/> is the closest to
/// the reference code.</summary>
public sealed record IclmOptions
{
    /// <summary>Neighbours per document in the kNN graph (the reference's k = 50).</summary>
    public int Neighbours { get; init; } = 50;
    public KnnMethod Knn { get; init; } = KnnMethod.Auto;
    /// <summary>Largest corpus for which <see cref="KnnMethod.Auto"/> uses exact kNN (N² work).</summary>
    public int ExactUpTo { get; init; } = 20_000;
    public HnswOptions Hnsw { get; init; } = HnswOptions.Default;
    /// <summary>Cosine at or above which a later document is a near-duplicate of an earlier kept one and is removed
    /// (the paper's semantic dedup); null turns it off. 0.95 keeps paraphrases and removes near-copies with MiniLM.</summary>
    public double? SemanticDedupThreshold { get; init; } = 0.95;
    /// <summary>Also run the reference's lexical check (3-gram Jaccard of the first 100 characters &gt; 0.85 against
    /// the previously written document) over the finished order.</summary>
    public bool LexicalDedup { get; init; }
    public double LexicalThreshold { get; init; } = Iclm.LexicalDedup.ReferenceThreshold;
    public TraversalMethod Traversal { get; init; } = TraversalMethod.FewestNeighbours;
    /// <summary>Device for exact kNN: cpu, cuda, cuda:N or auto (CUDA when present, else the device torch was initialised with).</summary>
    [NotHashed] public string Device { get; init; } = "auto";

    /// <summary>The reference code's behaviour (crashes fixed): lexical dedup only, sort and merge.</summary>
    public static IclmOptions Reference { get; } = new()
    {
        SemanticDedupThreshold = null, LexicalDedup = true, Traversal = TraversalMethod.ReferenceSortMerge,
    };

    internal void Validate()
    {
        if (Neighbours <= 0) throw new ArgumentOutOfRangeException(nameof(Neighbours), Neighbours, "neighbours per document must be positive");
        if (ExactUpTo < 0) throw new ArgumentOutOfRangeException(nameof(ExactUpTo), ExactUpTo, "must be >= 0");
        if (SemanticDedupThreshold is { } t && !(t > -1 && t <= 1)) throw new ArgumentOutOfRangeException(nameof(SemanticDedupThreshold), t, "a cosine threshold is in (-1, 1]");
        if (!(LexicalThreshold >= 0 && LexicalThreshold <= 1)) throw new ArgumentOutOfRangeException(nameof(LexicalThreshold), LexicalThreshold, "a Jaccard threshold is in [0, 1]");
    }
}

/// <summary>Seconds spent in each step of <see cref="IclmOrderBuilder"/>.</summary>
public sealed record IclmTimings(double Knn, double Dedup, double Traversal, double Lexical);

/// <summary>
/// An ICLM document order: <see cref="Order"/> is a permutation of the corpus indices, less the removed
/// near-duplicates. Documents with nothing to embed (all-zero rows: empty or whitespace-only texts) take no part in
/// kNN, dedup or traversal and come last, in index order (they add nothing to a window but their separator).
/// </summary>
/// <param name="Paths">the traversal's paths over the embedded documents, in corpus indices (before lexical dedup).</param>
/// <param name="Semantic">semantic dedup, per document (nothing removed when it was off).</param>
/// <param name="Lexical">lexical dedup, per document, when it ran.</param>
/// <param name="MeanAdjacentSimilarity">mean cosine between consecutive documents of the order (0 for empty ones): how
/// related neighbours in a window are; compare with <see cref="RandomAdjacentSimilarity"/>.</param>
/// <param name="RandomAdjacentSimilarity">the same over a seeded shuffle of the same documents.</param>
public sealed record IclmOrder(
    int[] Order, DocumentPaths Paths, int[] EmptyDocuments, DedupResult Semantic, DedupResult? Lexical,
    KnnMethod KnnUsed, int ShortKnnRows, double MeanAdjacentSimilarity, double RandomAdjacentSimilarity, IclmTimings Seconds);

/// <summary>
/// ICLM end to end over a corpus: embed (or read the cached embeddings) → kNN graph → semantic dedup → traversal →
/// optional lexical dedup. Each step is also a public function of its own (<see cref="ITextEmbedder"/>,
/// <see cref="ExactKnn"/>/<see cref="HnswKnn"/>, <see cref="SemanticDedup"/>, <see cref="IclmTraversal"/>,
/// <see cref="ReferenceSortMerge"/>, <see cref="LexicalDedup"/>) for stages that cache them separately.
/// </summary>
public static class IclmOrderBuilder
{
    /// <summary>Embeds the documents (or reads <paramref name="embeddingCache"/> when it was made by the same embedder
    /// from the same texts; writes it otherwise) and builds the order.</summary>
    /// <exception cref="ArgumentException">Two documents share an id (the order refers to documents by position, but a
    /// corpus with repeated ids is almost always a corpus read twice).</exception>
    public static IclmOrder Build(IReadOnlyList<Document> documents, ITextEmbedder embedder, IclmOptions? options = null, string? embeddingCache = null,
                                  IProgress<WorkProgress>? progress = null, CancellationToken cancellation = default)
    {
        CheckUniqueIds(documents);
        var texts = documents.Select(d => d.Text).ToArray();
        var embeddings = Embed(texts, embedder, embeddingCache, progress, cancellation);
        return Build(texts, embeddings, options, progress, cancellation);
    }

    /// <summary>Reads a matching cache, or embeds and writes it (atomically) when <paramref name="cache"/> is given.</summary>
    /// <exception cref="DataFormatException">The cache is corrupt, or made by another embedder or from other texts.</exception>
    public static EmbeddingMatrix Embed(IReadOnlyList<string> texts, ITextEmbedder embedder, string? cache = null,
                                        IProgress<WorkProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (cache is not null && EmbeddingMatrix.ReadCache(cache, embedder.Name, EmbeddingMatrix.FingerprintOf(texts)) is { } cached)
        {
            if (cached.Dimension != embedder.Dimension)
                throw new DataFormatException(cache, null, "dimension", $"{cached.Dimension}-d rows; the embedder makes {embedder.Dimension}-d");
            return cached;
        }
        var embeddings = embedder.EmbedChecked(texts, progress, cancellation);
        if (cache is not null) embeddings.Write(cache);
        return embeddings;
    }

    /// <exception cref="ArgumentException">Two documents share an id; names it and both positions.</exception>
    public static void CheckUniqueIds(IReadOnlyList<Document> documents)
    {
        if (DocumentIds.FirstRepeat(documents) is (var earlier, var repeat, var id))
            throw new ArgumentException($"documents {earlier} and {repeat} share the id '{id}'; ids must be unique within a corpus");
    }

    /// <summary>The order from ready embeddings (row i = document i).</summary>
    /// <param name="texts">the documents' texts; used by the lexical check only (may be null when it is off).</param>
    /// <exception cref="ArgumentException">Embeddings and texts disagree in count, or an embedding is NaN/infinite.</exception>
    public static IclmOrder Build(IReadOnlyList<string>? texts, EmbeddingMatrix embeddings, IclmOptions? options = null,
                                  IProgress<WorkProgress>? progress = null, CancellationToken cancellation = default)
    {
        options ??= new IclmOptions();
        options.Validate();
        if (texts is not null && texts.Count != embeddings.Rows)
            throw new ArgumentException($"{embeddings.Rows} embeddings for {texts.Count} texts");
        if (options.LexicalDedup && texts is null) throw new ArgumentException("the lexical dedup needs the texts", nameof(texts));
        int n = embeddings.Rows;
        var normalized = embeddings.Normalized();   // also rejects NaN/infinite values with the row
        var active = new List<int>(n);
        var empty = new List<int>();
        for (int i = 0; i < n; i++) (normalized.IsZeroRow(i) ? empty : active).Add(i);
        var sub = normalized.Select(active);

        var clock = Stopwatch.StartNew();
        var method = options.Knn switch
        {
            KnnMethod.Auto => sub.Rows <= options.ExactUpTo ? KnnMethod.Exact : KnnMethod.Hnsw,
            var m => m,
        };
        var graph = method == KnnMethod.Exact
            ? ExactKnn.Build(sub, options.Neighbours, options.Device, progress: progress, cancellation: cancellation)
            : HnswKnn.Build(sub, options.Neighbours, options.Hnsw, progress, cancellation);
        double knnSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var semantic = options.SemanticDedupThreshold is { } threshold
            ? SemanticDedup.Run(graph, threshold)
            : new DedupResult(new bool[sub.Rows], Enumerable.Repeat(-1, sub.Rows).ToArray());
        double dedupSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var paths = options.Traversal == TraversalMethod.FewestNeighbours
            ? IclmTraversal.Run(graph, semantic.Removed, progress, cancellation)
            : ReferenceSortMerge.Run(graph, semantic.Removed, cancellation: cancellation);
        double traversalSeconds = clock.Elapsed.TotalSeconds;

        // Back to corpus indices.
        var corpusPaths = new DocumentPaths(paths.Order.Select(r => active[r]).ToArray(), paths.PathStarts);
        var semanticCorpus = new DedupResult(new bool[n], Enumerable.Repeat(-1, n).ToArray());
        for (int r = 0; r < active.Count; r++)
            if (semantic.Removed[r]) { semanticCorpus.Removed[active[r]] = true; semanticCorpus.DuplicateOf[active[r]] = active[semantic.DuplicateOf[r]]; }
        var order = corpusPaths.Order.Concat(empty).ToArray();

        clock.Restart();
        DedupResult? lexical = null;
        if (options.LexicalDedup)
        {
            lexical = LexicalDedup.Run(order, texts!, options.LexicalThreshold);
            order = order.Where(i => !lexical.Removed[i]).ToArray();
        }
        double lexicalSeconds = clock.Elapsed.TotalSeconds;

        var adjacent = AdjacentSimilarity(normalized, order, RandomOrderSeed);
        return new IclmOrder(order, corpusPaths, empty.ToArray(), semanticCorpus, lexical, method, graph.ShortRows(),
                             adjacent.Ordered, adjacent.Random,
                             new IclmTimings(knnSeconds, dedupSeconds, traversalSeconds, lexicalSeconds));
    }

    /// <summary>The "cluster concatenate" order: k-means on the embedded documents, documents cluster by cluster (see
    /// <see cref="ClusterOrder"/>); documents with nothing to embed come last in index order. No dedup.</summary>
    public static DocumentPaths ClusterConcat(EmbeddingMatrix embeddings, int clusters, ulong seed, WithinClusterOrder within = WithinClusterOrder.ByDistanceToCentroid,
                                              string device = "auto", IProgress<WorkProgress>? progress = null, CancellationToken cancellation = default)
    {
        var normalized = embeddings.Normalized();
        var active = Enumerable.Range(0, embeddings.Rows).Where(i => !normalized.IsZeroRow(i)).ToArray();
        var empty = Enumerable.Range(0, embeddings.Rows).Where(normalized.IsZeroRow).ToArray();
        if (active.Length == 0) return new DocumentPaths(empty, empty.Length > 0 ? [0] : []);
        var clustering = KMeans.Fit(normalized.Select(active), clusters, seed, device: device, progress: progress, cancellation: cancellation);
        var paths = ClusterOrder.Build(clustering, within, active);
        return empty.Length == 0 ? paths : new DocumentPaths([.. paths.Order, .. empty], [.. paths.PathStarts, paths.Order.Length]);
    }

    /// <summary>Seed of the random order the orders' adjacent cosine is compared with; fixed so saved statistics repeat.</summary>
    internal const ulong RandomOrderSeed = 0x1C1A;

    /// <summary><see cref="MeanAdjacentSimilarity"/> of <paramref name="order"/> and, as its control, of a shuffle of the
    /// same documents seeded with <paramref name="shuffleSeed"/> (rows already unit length).</summary>
    public static (double Ordered, double Random) AdjacentSimilarity(EmbeddingMatrix normalized, int[] order, ulong shuffleSeed)
    {
        var shuffled = (int[])order.Clone();
        new SeededRandom(shuffleSeed).Shuffle(shuffled.AsSpan());
        return (MeanAdjacentSimilarity(normalized, order), MeanAdjacentSimilarity(normalized, shuffled));
    }

    /// <summary>Mean cosine between consecutive documents of <paramref name="order"/> (rows already unit length).</summary>
    public static double MeanAdjacentSimilarity(EmbeddingMatrix normalized, IReadOnlyList<int> order)
    {
        if (order.Count < 2) return 0;
        double sum = 0;
        for (int i = 1; i < order.Count; i++)
        {
            var a = normalized.Row(order[i - 1]);
            var b = normalized.Row(order[i]);
            double dot = 0;
            for (int c = 0; c < a.Length; c++) dot += (double)a[c] * b[c];
            sum += dot;
        }
        return sum / (order.Count - 1);
    }
}
