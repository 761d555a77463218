using ResearchKit.Embeddings;

namespace ResearchKit.Packing.Iclm;

/// <summary>How documents are ordered inside one cluster.</summary>
public enum WithinClusterOrder
{
    /// <summary>Nearest to the centroid first (ties: smallest index): the most typical documents lead.</summary>
    ByDistanceToCentroid,
    /// <summary>Ascending document index (corpus order).</summary>
    ByIndex,
}

/// <summary>
/// The "cluster concatenate" order: documents grouped cluster by cluster from a k-means clustering. Clusters come in
/// order of their smallest document index (so the order follows the corpus and depends on no extra draw); inside a
/// cluster, documents follow <see cref="WithinClusterOrder"/>. Each cluster is one path. Empty clusters are skipped.
/// </summary>
public static class ClusterOrder
{
    /// <param name="documents">the documents that were clustered, as indices into the corpus (row r of the k-means input
    /// is document <c>documents[r]</c>); null when rows are the documents themselves.</param>
    public static DocumentPaths Build(KMeansResult clustering, WithinClusterOrder within = WithinClusterOrder.ByDistanceToCentroid, IReadOnlyList<int>? documents = null)
    {
        int n = clustering.Assignment.Length;
        if (documents is not null && documents.Count != n) throw new ArgumentException($"{documents.Count} document indices for {n} clustered rows", nameof(documents));
        var members = new List<int>[clustering.Clusters];
        for (int c = 0; c < members.Length; c++) members[c] = [];
        for (int r = 0; r < n; r++) members[clustering.Assignment[r]].Add(r);   // ascending row order
        int Doc(int r) => documents?[r] ?? r;
        var clusters = Enumerable.Range(0, members.Length).Where(c => members[c].Count > 0)
                                 .OrderBy(c => members[c].Min(Doc)).ToArray();
        var order = new List<int>(n);
        var starts = new List<int>(clusters.Length);
        foreach (var c in clusters)
        {
            starts.Add(order.Count);
            var rows = within == WithinClusterOrder.ByIndex
                ? members[c].OrderBy(Doc)
                : members[c].OrderBy(r => clustering.Distances[r]).ThenBy(Doc);
            order.AddRange(rows.Select(Doc));
        }
        return new DocumentPaths(order.ToArray(), starts.ToArray());
    }
}
