using ResearchKit.Embeddings;
using ResearchKit.Packing.Iclm;

namespace ResearchKit.Tests.Packing.Iclm;

public class ReferenceSortMergeTests
{
    const float Inf = float.NegativeInfinity;

    [Fact]
    public void SortsIntoCappedClustersThenMergesSmallOnesBeforeTheirNeighbour()
    {
        // Two groups {0,1,2} and {3,4,5,6}; clusters hold at most 3.
        var g = new NeighbourGraph(7, 2,
            [1, 2, 2, 0, 0, 1, 4, 0, 3, 5, 6, 4, 5, 4],
            [0.9f, 0.8f, 0.9f, 0.8f, 0.9f, 0.8f, 0.9f, 0.1f, 0.9f, 0.8f, 0.9f, 0.8f, 0.9f, 0.8f]);
        // Sort: [0 1 2] (dead end) [3 4 5] (full) [6]. Merge: 6 goes just before its first neighbour 5.
        var paths = ReferenceSortMerge.Run(g, window: 2, maxClusterSize: 3);
        Assert.Equal([0, 1, 2, 3, 4, 6, 5], paths.Order);
        Assert.Equal([0, 3], paths.PathStarts);
    }

    [Fact]
    public void TheFirstDocumentCountsTowardsTheClusterLimit()
    {
        // A chain 0 -> 1 -> 2 -> 3 with clusters of 2: the reference's first cluster would take 0, 1 and 2.
        var g = new NeighbourGraph(4, 1, [1, 2, 3, 2], [0.9f, 0.9f, 0.9f, 0.9f]);
        var paths = ReferenceSortMerge.Run(g, window: 1, maxClusterSize: 2);
        Assert.Equal([0, 1, 2, 3], paths.Order);
        Assert.Equal([0, 2], paths.PathStarts);
    }

    [Fact]
    public void MissingNeighboursAndNoMergeTargetDoNotCrash()
    {
        // Where the reference crashed: remove(-1), and a small cluster with no neighbour elsewhere (None).
        var none = new NeighbourGraph(3, 2, [-1, -1, -1, -1, -1, -1], Enumerable.Repeat(Inf, 6).ToArray());
        var paths = ReferenceSortMerge.Run(none);
        Assert.Equal([0, 1, 2], paths.Order);
        Assert.Equal([0, 1, 2], paths.PathStarts);
        // Fewer than 32 documents, real kNN: a permutation.
        var e = Embeddings.KnnTests.Random(10, 4, 3);
        Assert.Equal(Enumerable.Range(0, 10), ReferenceSortMerge.Run(ExactKnn.Build(e, 50)).Order.Order());
    }
}
