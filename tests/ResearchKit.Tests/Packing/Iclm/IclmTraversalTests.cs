using ResearchKit.Embeddings;
using ResearchKit.Packing;
using ResearchKit.Packing.Iclm;

namespace ResearchKit.Tests.Packing.Iclm;

public class IclmTraversalTests
{
    const float Inf = float.NegativeInfinity;

    /// <summary>doc0: [1 .9, 2 .5]; doc1: [0 .9, 2 .4]; doc2: [3 .8, 0 .5]; doc3: [2 .8, missing].</summary>
    static NeighbourGraph FourDocs() => new(4, 2, [1, 2, 0, 2, 3, 0, 2, -1], [0.9f, 0.5f, 0.9f, 0.4f, 0.8f, 0.5f, 0.8f, Inf]);

    [Fact]
    public void StartsAtFewestUnvisitedNeighboursThenFollowsTheMostSimilar()
    {
        // Unvisited neighbour counts: 2, 2, 2, 1 -> start at 3; 3 -> 2 -> 0 -> 1 in one path.
        var paths = IclmTraversal.Run(FourDocs());
        Assert.Equal([3, 2, 0, 1], paths.Order);
        Assert.Equal([0], paths.PathStarts);
    }

    [Fact]
    public void EqualCountsStartAtTheSmallestIndex()
    {
        // Two mutual pairs, every count 1: start 0 -> 1, dead end; then counts 2:1, 3:1 -> start 2 -> 3.
        var paths = IclmTraversal.Run(new NeighbourGraph(4, 1, [1, 0, 3, 2], [0.5f, 0.5f, 0.5f, 0.5f]));
        Assert.Equal([0, 1, 2, 3], paths.Order);
        Assert.Equal([0, 2], paths.PathStarts);
    }

    [Fact]
    public void EqualSimilaritiesStepToTheSmallestIndex()
    {
        // Doc 0 is exactly as close to 1 as to 2 (mirror images): the step goes to 1, then 2, then 3.
        float c = MathF.Sqrt(0.5f);
        var e = EmbeddingMatrix.FromRows([[1f, 0f], [c, c], [c, -c], [-1f, 0f]]);
        var g = ExactKnn.Build(e, 3);
        Assert.Equal(g.NeighbourSimilarities(0)[0], g.NeighbourSimilarities(0)[1]);
        Assert.Equal([1, 2, 3], g.Neighbours(0).ToArray());
        Assert.Equal([0, 1, 2, 3], IclmTraversal.Run(g).Order);
    }

    [Fact]
    public void ExcludedDocumentsAreNeitherVisitedNorCounted()
    {
        // Without 3, doc 2 has one unvisited neighbour (0) and starts: 2 -> 0 -> 1.
        var excluded = new[] { false, false, false, true };
        Assert.Equal([2, 0, 1], IclmTraversal.Run(FourDocs(), excluded).Order);
    }

    [Fact]
    public void AnyCorpusSizeWorks()
    {
        Assert.Empty(IclmTraversal.Run(ExactKnn.Build(new EmbeddingMatrix(0, 3, []), 5)).Order);
        Assert.Equal([0], IclmTraversal.Run(ExactKnn.Build(EmbeddingMatrix.FromRows([[1f, 2f]]), 5)).Order);
        Assert.Equal([0, 1], IclmTraversal.Run(ExactKnn.Build(EmbeddingMatrix.FromRows([[1f, 2f], [2f, 1f]]), 5)).Order);
        // All embeddings identical: every similarity ties, rows are the 3 smallest other indices, so the path walks
        // 0 1 2 3; then 4 and 5, whose rows hold only visited documents, are paths of their own.
        var same = EmbeddingMatrix.FromRows(Enumerable.Repeat(new[] { 0.3f, -0.2f, 0.9f }, 6).ToList());
        var paths = IclmTraversal.Run(ExactKnn.Build(same, 3));
        Assert.Equal([0, 1, 2, 3, 4, 5], paths.Order);
        Assert.Equal([0, 4, 5], paths.PathStarts);
        // Every neighbour missing: each document is its own path, in index order.
        var none = new NeighbourGraph(3, 2, [-1, -1, -1, -1, -1, -1], Enumerable.Repeat(Inf, 6).ToArray());
        Assert.Equal([0, 1, 2], IclmTraversal.Run(none).PathStarts);
    }

    /// <summary>The rule written as plainly as possible (quadratic): recount every unvisited document's unvisited
    /// neighbours at each path start.</summary>
    static int[] Reference(NeighbourGraph g)
    {
        var visited = new bool[g.Count];
        var order = new List<int>();
        while (order.Count < g.Count)
        {
            int start = -1, best = int.MaxValue;
            for (int i = 0; i < g.Count; i++)
            {
                if (visited[i]) continue;
                int count = g.Neighbours(i).ToArray().Count(j => j >= 0 && !visited[j]);
                if (count < best) { best = count; start = i; }
            }
            for (int cur = start; cur >= 0;)
            {
                visited[cur] = true;
                order.Add(cur);
                cur = g.Neighbours(cur).ToArray().Where(j => j >= 0 && !visited[j]).DefaultIfEmpty(-1).First();
            }
        }
        return order.ToArray();
    }

    [Fact]
    public void MatchesAPlainImplementationOnGraphsWithManyTies()
    {
        foreach (ulong seed in new ulong[] { 1, 2, 3 })
        {
            // Coarse vectors (entries in {-1, 0, 1}) give many equal similarities and exact duplicates.
            var rng = new SeededRandom(seed);
            var rows = Enumerable.Range(0, 150).Select(_ => Enumerable.Range(0, 4).Select(_ => (float)(rng.NextInt(3) - 1)).ToArray())
                                 .Select(r => r.All(v => v == 0) ? [1f, 0f, 0f, 0f] : r).ToList();
            var g = ExactKnn.Build(EmbeddingMatrix.FromRows(rows), 5);
            var order = IclmTraversal.Run(g).Order;
            Assert.Equal(Reference(g), order);
            Assert.Equal(Enumerable.Range(0, 150), order.Order());
        }
    }
}
