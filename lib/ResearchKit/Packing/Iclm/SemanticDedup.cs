using ResearchKit.Embeddings;

namespace ResearchKit.Packing.Iclm;

/// <summary>Which documents a dedup pass removed, and for each the kept document it duplicates (-1 when kept).</summary>
public sealed record DedupResult(bool[] Removed, int[] DuplicateOf)
{
    public int RemovedCount => Removed.Count(r => r);
}

/// <summary>
/// Semantic near-duplicate removal (the ICLM paper's dedup; the reference code has only the lexical check): documents
/// are visited in index order and one is removed when an earlier, kept document has cosine similarity ≥
/// <c>threshold</c> with it; so the first of each group of near-duplicates is kept, and a document is never removed
/// for resembling one that was itself removed. Pairs are found in the kNN graph, in both directions (i lists j, or j
/// lists i), so a pair is caught unless neither is among the other's k nearest; that needs more than k documents
/// closer still, which are then duplicates too. <see cref="DedupResult.DuplicateOf"/> names the most similar earlier
/// kept document (ties: smallest index). O(N·k).
/// </summary>
public static class SemanticDedup
{
    /// <param name="threshold">cosine similarity at or above which two documents are near-duplicates, in (−1, 1].</param>
    /// <param name="excluded">documents not taking part (neither removed nor a reason to remove another).</param>
    public static DedupResult Run(NeighbourGraph graph, double threshold, ReadOnlySpan<bool> excluded = default)
    {
        if (!(threshold > -1 && threshold <= 1)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "a cosine threshold is in (-1, 1]");
        int n = graph.Count;
        if (!excluded.IsEmpty && excluded.Length != n) throw new ArgumentException($"excluded has {excluded.Length} flags for {n} documents", nameof(excluded));
        var skip = excluded.IsEmpty ? new bool[n] : excluded.ToArray();
        var removed = new bool[n];
        var duplicateOf = new int[n];
        Array.Fill(duplicateOf, -1);
        var reverse = graph.Reverse();
        float t = (float)threshold;
        for (int i = 0; i < n; i++)
        {
            if (skip[i]) continue;
            int best = -1;
            float bestSim = float.NegativeInfinity;
            void Consider(int j, float sim)
            {
                if (j >= i || sim < t || removed[j] || skip[j]) return;
                if (sim > bestSim || (sim == bestSim && j < best)) { best = j; bestSim = sim; }
            }
            var row = graph.Neighbours(i);
            var sims = graph.NeighbourSimilarities(i);
            for (int s = 0; s < row.Length && row[s] != NeighbourGraph.Missing; s++) Consider(row[s], sims[s]);
            foreach (var slot in reverse.Slots(i)) Consider(reverse.Source(slot), graph.Similarities[slot]);
            if (best >= 0) { removed[i] = true; duplicateOf[i] = best; }
        }
        return new DedupResult(removed, duplicateOf);
    }
}
