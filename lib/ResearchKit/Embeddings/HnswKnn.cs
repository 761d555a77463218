using Cloud.Unum.USearch;

namespace ResearchKit.Embeddings;

/// <summary>HNSW settings (USearch's names): graph degree, and the beam widths while adding and searching.</summary>
/// <param name="Connectivity">edges per node (HNSW's M).</param>
/// <param name="ExpansionAdd">beam width while inserting (efConstruction).</param>
/// <param name="ExpansionSearch">beam width while searching (ef); raised to k + 1 when smaller.</param>
public sealed record HnswOptions(int Connectivity = 16, int ExpansionAdd = 128, int ExpansionSearch = 128)
{
    public static HnswOptions Default { get; } = new();
}

/// <summary>
/// Approximate cosine kNN with an HNSW graph from USearch (native library inside the Cloud.Unum.USearch package):
/// vectors are L2-normalized and indexed by inner product. The index is built one vector at a time in index order,
/// so it is the same graph on every run; queries then run on all cores (each query is deterministic given the graph).
/// Build and search cost about N log N. Rows where the search returns fewer than k other documents end in
/// <see cref="NeighbourGraph.Missing"/>; nothing downstream treats that as an error.
/// <para>Memory: the index holds the vectors (N × d floats) plus about 2 × Connectivity links per node.</para>
/// </summary>
public static class HnswKnn
{
    const int AddChunk = 8192;

    /// <exception cref="ArgumentException">k is not positive or an embedding is NaN/infinite.</exception>
    public static NeighbourGraph Build(EmbeddingMatrix embeddings, int k, HnswOptions? options = null,
                                       IProgress<WorkProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be positive");
        options ??= HnswOptions.Default;
        if (options.Connectivity < 2 || options.ExpansionAdd < 1 || options.ExpansionSearch < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options, "connectivity must be >= 2 and expansions >= 1");
        int n = embeddings.Rows, d = embeddings.Dimension;
        if ((long)n * k > Array.MaxLength) throw new ArgumentException($"{n} × {k} neighbour slots exceed one array");
        var ids = new int[n * k];
        var sims = new float[n * k];
        if (n <= 1)
        {
            ids.AsSpan().Fill(NeighbourGraph.Missing);
            sims.AsSpan().Fill(float.NegativeInfinity);
            return new NeighbourGraph(n, k, ids, sims, validate: false);
        }
        var normalized = embeddings.Normalized();
        using var index = new USearchIndex(MetricKind.Ip, ScalarKind.Float32, (ulong)d, (ulong)options.Connectivity,
                                           (ulong)options.ExpansionAdd, (ulong)Math.Max(options.ExpansionSearch, k + 1));
        for (int start = 0; start < n; start += AddChunk)
        {
            cancellation.ThrowIfCancellationRequested();
            int count = Math.Min(AddChunk, n - start);
            var keys = new ulong[count];
            var vectors = new float[count][];
            for (int i = 0; i < count; i++) { keys[i] = (ulong)(start + i); vectors[i] = normalized.Row(start + i).ToArray(); }
            index.Add(keys, vectors);   // reserves the chunk, then inserts in order
            progress?.Report(new WorkProgress("knn hnsw build", start + count, n));
        }

        int searched = 0;
        // USearch keeps one search context per hardware thread: never run more queries at once than cores.
        var parallel = new ParallelOptions { CancellationToken = cancellation, MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.For(0, n, parallel, () => (Query: new float[d], Ids: new int[k + 1], Sims: new float[k + 1]),
            (i, _, local) =>
            {
                normalized.Row(i).CopyTo(local.Query);
                int found = index.Search(local.Query, k + 1, out var keys, out var distances);
                int w = 0;
                for (int r = 0; r < found && w < k + 1; r++)
                {
                    int j = (int)keys[r];
                    if (j == i) continue;   // itself: not assumed to come first (exact duplicates tie with it)
                    local.Ids[w] = j;
                    local.Sims[w++] = 1f - distances[r];
                }
                NeighbourGraph.FillRow(ids, sims, i, k, local.Ids.AsSpan(0, w), local.Sims.AsSpan(0, w));
                int done = Interlocked.Increment(ref searched);
                if (done % 4096 == 0) progress?.Report(new WorkProgress("knn hnsw search", done, n));
                return local;
            }, _ => { });
        progress?.Report(new WorkProgress("knn hnsw search", n, n));
        return new NeighbourGraph(n, k, ids, sims, validate: false);
    }
}
