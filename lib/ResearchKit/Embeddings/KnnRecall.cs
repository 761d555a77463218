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
        if (kk <= 0 || kk > approximate.K || kk > exact.K) throw new ArgumentOutOfRangeException(nameof(k), kk, $"k must be in 1..{Math.Min(approximate.K, exact.K)}");
        long wanted = 0, found = 0;
        var row = new HashSet<int>();
        for (int i = 0; i < exact.Count; i++)
        {
            row.Clear();
            foreach (var j in approximate.Neighbours(i)[..kk]) if (j != NeighbourGraph.Missing) row.Add(j);
            foreach (var j in exact.Neighbours(i)[..kk])
            {
                if (j == NeighbourGraph.Missing) continue;
                wanted++;
                if (row.Contains(j)) found++;
            }
        }
        return wanted == 0 ? 1 : (double)found / wanted;
    }
}
