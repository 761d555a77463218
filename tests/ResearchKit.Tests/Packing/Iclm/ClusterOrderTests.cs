using ResearchKit.Embeddings;
using ResearchKit.Packing.Iclm;

namespace ResearchKit.Tests.Packing.Iclm;

public class ClusterOrderTests
{
    // Documents 0..5 in clusters 1, 0, 1, 0, 2, 1 (cluster 3 empty) with these squared distances to their centroids.
    static readonly KMeansResult Clustering = new(4, 2, [1, 0, 1, 0, 2, 1], new float[8], [0.5f, 0.2f, 0.1f, 0.2f, 0f, 0.3f], 3, true);

    [Fact]
    public void ClustersInOrderOfTheirFirstDocumentMembersByDistance()
    {
        // Cluster 1 (first member 0): 2 (0.1), 5 (0.3), 0 (0.5); cluster 0 (first member 1): 1 and 3 tie at 0.2 -> 1, 3; cluster 2: 4.
        var paths = ClusterOrder.Build(Clustering);
        Assert.Equal([2, 5, 0, 1, 3, 4], paths.Order);
        Assert.Equal([0, 3, 5], paths.PathStarts);
        Assert.Equal([0, 2, 5, 1, 3, 4], ClusterOrder.Build(Clustering, WithinClusterOrder.ByIndex).Order);
    }

    [Fact]
    public void RowsMapToCorpusIndices()
    {
        // The clustered rows were documents 10..15 of a corpus.
        var paths = ClusterOrder.Build(Clustering, WithinClusterOrder.ByIndex, [10, 11, 12, 13, 14, 15]);
        Assert.Equal([10, 12, 15, 11, 13, 14], paths.Order);
    }
}
