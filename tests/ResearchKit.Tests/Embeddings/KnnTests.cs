using ResearchKit.Embeddings;
using ResearchKit.Packing;

namespace ResearchKit.Tests.Embeddings;

public class KnnTests
{
    /// <summary>Seeded Gaussian vectors (Box-Muller over SplitMix64).</summary>
    internal static EmbeddingMatrix Random(int n, int d, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var data = new float[n * d];
        for (int i = 0; i < data.Length; i++)
            data[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        return new EmbeddingMatrix(n, d, data);
    }

    /// <summary>The plain reference: every pair's cosine in double, sorted by (similarity desc, index asc).</summary>
    static (int Id, double Sim)[][] BruteForce(EmbeddingMatrix m, int k)
    {
        var rows = new (int, double)[m.Rows][];
        for (int i = 0; i < m.Rows; i++)
        {
            var all = new List<(int Id, double Sim)>();
            for (int j = 0; j < m.Rows; j++)
            {
                if (j == i) continue;
                double dot = 0, ni = 0, nj = 0;
                for (int c = 0; c < m.Dimension; c++) { dot += m.Row(i)[c] * (double)m.Row(j)[c]; ni += m.Row(i)[c] * (double)m.Row(i)[c]; nj += m.Row(j)[c] * (double)m.Row(j)[c]; }
                all.Add((j, ni == 0 || nj == 0 ? 0 : dot / Math.Sqrt(ni * nj)));
            }
            rows[i] = all.OrderByDescending(x => x.Sim).ThenBy(x => x.Id).Take(k).ToArray();
        }
        return rows;
    }

    [Fact]
    public void ExactKnnMatchesBruteForce()
    {
        var m = Random(300, 24, 7);
        var graph = ExactKnn.Build(m, 8, blockBytes: 300 * 12 * 37);   // a 37-row block: several blocks and a ragged last one
        var expected = BruteForce(m, 8);
        for (int i = 0; i < m.Rows; i++)
        {
            var ids = graph.Neighbours(i).ToArray();
            var sims = graph.NeighbourSimilarities(i).ToArray();
            for (int s = 0; s < 8; s++)
            {
                Assert.Equal(expected[i][s].Sim, sims[s], 1e-5);
                // Where float rounding cannot swap neighbours, the ids are the reference's.
                bool clear = (s == 0 || expected[i][s - 1].Sim - expected[i][s].Sim > 1e-5) && (s == 7 || expected[i][s].Sim - expected[i][s + 1].Sim > 1e-5);
                if (clear) Assert.Equal(expected[i][s].Id, ids[s]);
            }
        }
    }

    [Fact]
    public void ExactKnnBreaksTiesBySmallestIndexAlsoAtTheKthPlace()
    {
        // Ten identical vectors and one other: every neighbour ties, so rows are the smallest other indices.
        var rows = Enumerable.Range(0, 10).Select(_ => new[] { 1f, 2f, 3f }).Append([-1f, 0f, 0f]).ToList();
        var graph = ExactKnn.Build(EmbeddingMatrix.FromRows(rows), 3);
        Assert.Equal([1, 2, 3], graph.Neighbours(0).ToArray());
        Assert.Equal([0, 1, 2], graph.Neighbours(5).ToArray());
        Assert.Equal([0, 1, 3], graph.Neighbours(2).ToArray());
        Assert.Equal([0, 1, 2], graph.Neighbours(10).ToArray());   // all ten tie for the outlier too
        // Exact duplicates: the duplicate comes first, never the document itself.
        var dup = EmbeddingMatrix.FromRows([[1f, 0f], [0.6f, 0.8f], [1f, 0f], [0f, 1f]]);
        var g = ExactKnn.Build(dup, 2);
        Assert.Equal([2, 1], g.Neighbours(0).ToArray());
        Assert.Equal([0, 1], g.Neighbours(2).ToArray());
        Assert.Equal(1f, g.NeighbourSimilarities(0)[0], 6);
    }

    [Fact]
    public void SmallCorporaGetMissingNeighboursNotErrors()
    {
        var one = EmbeddingMatrix.FromRows([[1f, 0f]]);
        foreach (var g in new[] { ExactKnn.Build(one, 5), HnswKnn.Build(one, 5) })
        {
            Assert.Equal(Enumerable.Repeat(NeighbourGraph.Missing, 5), g.Neighbours(0).ToArray());
            Assert.Equal(0, g.Found(0));
        }
        var three = EmbeddingMatrix.FromRows([[1f, 0f], [0.8f, 0.6f], [0f, 1f]]);
        foreach (var g in new[] { ExactKnn.Build(three, 5), HnswKnn.Build(three, 5) })
        {
            Assert.Equal([1, 2, -1, -1, -1], g.Neighbours(0).ToArray());
            Assert.Equal([0, 2, -1, -1, -1], g.Neighbours(1).ToArray());
            Assert.Equal(2, g.Found(2));
            Assert.Equal(3, g.ShortRows());
        }
        Assert.Equal(0, ExactKnn.Build(new EmbeddingMatrix(0, 4, []), 3).Count);
    }

    [Fact]
    public void HnswRecallAgainstExactIsAtLeast95Percent()
    {
        // Stated bar: recall@10 >= 0.95 on 2,000 random 32-d vectors with the default settings (M 16, ef 128).
        var m = Random(2000, 32, 11);
        var exact = ExactKnn.Build(m, 10);
        var approx = HnswKnn.Build(m, 10);
        double recall = KnnRecall.Measure(approx, exact);
        Assert.True(recall >= 0.95, $"recall@10 {recall:F4}");
        Assert.Equal(1.0, KnnRecall.Measure(exact, exact));
        // The index is built in index order: the same graph every time.
        Assert.Equal(approx.Ids, HnswKnn.Build(m, 10).Ids);
        // Every row is valid: no self, sorted, no duplicates.
        _ = new NeighbourGraph(approx.Count, approx.K, approx.Ids, approx.Similarities);
    }

    [Fact]
    public void QueryingASampleGivesTheFullGraphsRowsAndItsRecall()
    {
        var m = Random(500, 16, 13);
        var full = ExactKnn.Build(m, 6);
        int[] sample = [499, 0, 250, 17];
        var (ids, sims) = ExactKnn.Query(m, sample, 6, blockBytes: 500 * 12 * 3);
        for (int r = 0; r < sample.Length; r++)
        {
            Assert.Equal(full.Neighbours(sample[r]).ToArray(), ids.AsSpan(r * 6, 6).ToArray());
            // Blocks of other heights may round the last bit differently.
            for (int s = 0; s < 6; s++) Assert.Equal(full.NeighbourSimilarities(sample[r])[s], sims[r * 6 + s], 1e-6);
        }
        var approx = HnswKnn.Build(m, 6);
        double sampled = KnnRecall.Measure(approx, Enumerable.Range(0, 500).ToArray(), ExactKnn.Query(m, Enumerable.Range(0, 500).ToArray(), 6).Ids, 6, 6);
        Assert.Equal(KnnRecall.Measure(approx, full), sampled, 12);
    }

    [Fact]
    public void RecallCountsMissingExactNeighboursAsNothingToFind()
    {
        var exact = new NeighbourGraph(3, 2, [1, 2, 0, -1, 0, 1], [0.9f, 0.1f, 0.9f, float.NegativeInfinity, 0.5f, 0.4f]);
        var approx = new NeighbourGraph(3, 2, [2, -1, 0, -1, 1, 0], [0.1f, float.NegativeInfinity, 0.9f, float.NegativeInfinity, 0.4f, 0.5f / 2]);
        // Found: row 0 {2} of {1,2}; row 1 {0} of {0}; row 2 {0,1} of {0,1} -> 4 of 5.
        Assert.Equal(0.8, KnnRecall.Measure(approx, exact), 10);
    }

    [Fact]
    public void GraphRejectsBrokenRows()
    {
        Assert.Contains("itself", Assert.Throws<ArgumentException>(() => new NeighbourGraph(2, 1, [0, 0], [1f, 1f])).Message);
        Assert.Contains("sorted", Assert.Throws<ArgumentException>(() => new NeighbourGraph(3, 2, [1, 2, 0, 2, 0, 1], [0.1f, 0.5f, 1, 1, 1, 1])).Message);
        Assert.Contains("missing slots go last", Assert.Throws<ArgumentException>(() => new NeighbourGraph(3, 2, [-1, 2, 0, 2, 0, 1], [float.NegativeInfinity, 0.5f, 1, 1, 1, 1])).Message);
    }
}
