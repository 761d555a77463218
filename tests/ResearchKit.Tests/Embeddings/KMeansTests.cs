using ResearchKit.Embeddings;

namespace ResearchKit.Tests.Embeddings;

public class KMeansTests
{
    // Three well separated directions, three points each, in corpus order mixed.
    static readonly float[][] Points =
    [
        [1f, 0.05f, 0f], [0f, 1f, 0.1f], [0.05f, 0f, 1f],
        [1f, -0.05f, 0.02f], [0.1f, 1f, 0f], [0f, 0.05f, 1f],
        [0.98f, 0f, -0.03f], [-0.02f, 0.97f, 0.03f], [0f, -0.1f, 1f],
    ];

    [Fact]
    public void SeparablePointsFallIntoTheirGroups()
    {
        foreach (ulong seed in new ulong[] { 0, 1, 2, 42 })
        {
            var r = KMeans.Fit(EmbeddingMatrix.FromRows(Points), 3, seed);
            Assert.True(r.Converged);
            for (int i = 0; i < 9; i++) Assert.Equal(r.Assignment[i % 3], r.Assignment[i]);
            Assert.Equal(3, r.Assignment.Take(3).Distinct().Count());
            Assert.Equal([3, 3, 3], r.Sizes());
        }
    }

    [Fact]
    public void SameSeedSameResult()
    {
        var m = KnnTests.Random(400, 16, 5);
        var a = KMeans.Fit(m, 7, seed: 9);
        var b = KMeans.Fit(m, 7, seed: 9);
        Assert.Equal(a.Assignment, b.Assignment);
        Assert.Equal(a.Centroids, b.Centroids);
        Assert.Equal(a.Iterations, b.Iterations);
    }

    [Fact]
    public void MoreClustersThanDistinctPointsLeavesClustersEmptyWithoutError()
    {
        var same = EmbeddingMatrix.FromRows([[1f, 0f], [1f, 0f], [1f, 0f]]);
        var r = KMeans.Fit(same, 5, seed: 1);
        Assert.Equal(3, r.Clusters);   // at most one cluster per document
        Assert.Equal(0, r.Inertia, 10);
        Assert.Equal(3, r.Sizes().Sum());
    }
}
