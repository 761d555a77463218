using ResearchKit.Embeddings;

namespace ResearchKit.Packing.Iclm;

/// <summary>
/// The ICLM reference code's sort (sort/sort.py), kept as an option, with its crashes fixed:
/// <list type="number">
/// <item>Start at the smallest unseen index; step to the first unseen document among the first <c>window</c> neighbours
/// (the reference's <c>knn[cur][1:10]</c>: 9 neighbours after skipping column 0 as "itself"; our rows never hold the
/// document itself, so the first 9 are the same neighbours without the duplicate/self ambiguity).</item>
/// <item>When no such neighbour exists or the cluster holds <c>maxClusterSize</c> documents, start a new cluster at the
/// smallest unseen index. Fixed: the first document counts too, so no cluster exceeds the limit (the reference's first
/// cluster could hold 22).</item>
/// <item>Merge: clusters in creation order whose current size is below the limit move each document, in order, to just
/// before its first window neighbour that lies in another cluster (this can cascade, as in the reference). Fixed: a
/// document with no such neighbour stays where it is (the reference crashed on None); missing neighbours (−1) are
/// skipped (the reference crashed on remove(−1)).</item>
/// <item>Output: the surviving clusters in creation order.</item>
/// </list>
/// Each cluster is reported as a path. Deterministic; O(N · window) with linked lists (no list insertions).
/// </summary>
public static class ReferenceSortMerge
{
    public const int ReferenceWindow = 9;
    public const int ReferenceMaxClusterSize = 21;

    public static DocumentPaths Run(NeighbourGraph graph, ReadOnlySpan<bool> excluded = default,
                                    int window = ReferenceWindow, int maxClusterSize = ReferenceMaxClusterSize, CancellationToken cancellation = default)
    {
        int n = graph.Count;
        if (!excluded.IsEmpty && excluded.Length != n) throw new ArgumentException($"excluded has {excluded.Length} flags for {n} documents", nameof(excluded));
        if (window <= 0) throw new ArgumentOutOfRangeException(nameof(window), window, "window must be positive");
        if (maxClusterSize <= 0) throw new ArgumentOutOfRangeException(nameof(maxClusterSize), maxClusterSize, "clusters must hold at least one document");
        window = Math.Min(window, graph.K);
        var skip = new bool[n];
        if (!excluded.IsEmpty) excluded.CopyTo(skip);
        var seen = (bool[])skip.Clone();

        // Clusters are doubly linked lists of documents: insert-before is O(1).
        var next = new int[n]; var prev = new int[n]; var clusterOf = new int[n];
        Array.Fill(next, -1); Array.Fill(prev, -1); Array.Fill(clusterOf, -1);
        var heads = new List<int>(); var tails = new List<int>(); var sizes = new List<int>();
        int smallestUnseen = 0;
        int NextUnseen() { while (smallestUnseen < n && seen[smallestUnseen]) smallestUnseen++; return smallestUnseen < n ? smallestUnseen : -1; }
        void Append(int doc, int c)
        {
            clusterOf[doc] = c;
            prev[doc] = tails[c]; next[doc] = -1;
            if (tails[c] >= 0) next[tails[c]] = doc; else heads[c] = doc;
            tails[c] = doc; sizes[c]++;
            seen[doc] = true;
        }
        int NewCluster() { heads.Add(-1); tails.Add(-1); sizes.Add(0); return heads.Count - 1; }

        int current = NextUnseen();
        if (current >= 0) Append(current, NewCluster());
        while (NextUnseen() >= 0)
        {
            int c = clusterOf[current];
            int step = -1;
            foreach (var j in graph.Neighbours(current)[..window])
                if (j != NeighbourGraph.Missing && !seen[j]) { step = j; break; }
            if (step < 0 || sizes[c] >= maxClusterSize) { current = NextUnseen(); c = NewCluster(); }
            else current = step;
            Append(current, c);
        }

        // Merge small clusters into their neighbours' clusters.
        for (int c = 0; c < heads.Count; c++)
        {
            cancellation.ThrowIfCancellationRequested();
            if (sizes[c] == 0 || sizes[c] >= maxClusterSize) continue;
            var members = new List<int>(sizes[c]);
            for (int d = heads[c]; d >= 0; d = next[d]) members.Add(d);
            foreach (var doc in members)
            {
                int target = -1;
                foreach (var j in graph.Neighbours(doc)[..window])
                    if (j != NeighbourGraph.Missing && !skip[j] && clusterOf[j] != c) { target = j; break; }
                if (target < 0) continue;
                // Unlink from c.
                if (prev[doc] >= 0) next[prev[doc]] = next[doc]; else heads[c] = next[doc];
                if (next[doc] >= 0) prev[next[doc]] = prev[doc]; else tails[c] = prev[doc];
                sizes[c]--;
                // Insert just before the target.
                int t = clusterOf[target];
                prev[doc] = prev[target]; next[doc] = target;
                if (prev[target] >= 0) next[prev[target]] = doc; else heads[t] = doc;
                prev[target] = doc;
                sizes[t]++;
                clusterOf[doc] = t;
            }
        }

        var order = new List<int>(n);
        var starts = new List<int>();
        for (int c = 0; c < heads.Count; c++)
        {
            if (sizes[c] == 0) continue;
            starts.Add(order.Count);
            for (int d = heads[c]; d >= 0; d = next[d]) order.Add(d);
        }
        return new DocumentPaths(order.ToArray(), starts.ToArray());
    }
}
