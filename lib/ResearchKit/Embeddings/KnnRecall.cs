namespace ResearchKit.Embeddings;

/// <summary>How much of the exact kNN graph an approximate one found.</summary>
public static class KnnRecall
{
    /// <summary>recall@k: over all documents, the fraction of exact neighbours (the first <paramref name="k"/> of each
    /// exact row, missing slots not counted) that the approximate row's first k also holds. 1 when there is nothing to find.</summary>
    public static double Measure(NeighbourGraph approximate, NeighbourGraph exact, int? k = null)
    {
        if (approximate.Count != exact.Count) throw new ArgumentException($"graphs of {approximate.Count} and {exact.Count} documents");
        int kk = k ?? Math.Min(approximate.K, exact.K);
        // Every document is a query and the exact graph's rows are its ids (K slots each); the sampled overload checks k.
        return Measure(approximate, Enumerable.Range(0, exact.Count).ToArray(), exact.Ids, exact.K, kk);
    }

    /// <summary>recall@k over a sample of documents: <paramref name="exactIds"/> holds the exact rows of
    /// <paramref name="queries"/> (as <see cref="ExactKnn.Query"/> returns them, <paramref name="exactK"/> slots each).</summary>
    public static double Measure(NeighbourGraph approximate, IReadOnlyList<int> queries, int[] exactIds, int exactK, int k)
    {
        if (exactIds.Length != queries.Count * exactK) throw new ArgumentException($"expected {queries.Count} × {exactK} exact ids");
        if (k <= 0 || k > approximate.K || k > exactK) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in 1..{Math.Min(approximate.K, exactK)}");
        long wanted = 0, found = 0;
        var row = new HashSet<int>();
        for (int r = 0; r < queries.Count; r++)
        {
            row.Clear();
            foreach (var j in approximate.Neighbours(queries[r])[..k]) if (j != NeighbourGraph.Missing) row.Add(j);
            foreach (var j in exactIds.AsSpan(r * exactK, k))
            {
                if (j == NeighbourGraph.Missing) continue;
                wanted++;
                if (row.Contains(j)) found++;
            }
        }
        return wanted == 0 ? 1 : (double)found / wanted;
    }
}
