using ResearchKit.Packing;
using ResearchKit.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Embeddings;

/// <summary>A k-means clustering: one cluster per document, the centroids, each document's squared distance to its centroid.</summary>
public sealed record KMeansResult(int Clusters, int Dimension, int[] Assignment, float[] Centroids, float[] Distances, int Iterations, bool Converged)
{
    /// <summary>Sum of squared distances to the assigned centroids.</summary>
    public double Inertia => Distances.Sum(d => (double)d);
    /// <summary>Documents per cluster (some may be 0 when there are fewer distinct points than clusters).</summary>
    public int[] Sizes()
    {
        var sizes = new int[Clusters];
        foreach (var c in Assignment) sizes[c]++;
        return sizes;
    }
}

/// <summary>
/// Lloyd's k-means with k-means++ initialization on L2-normalized embeddings (on unit vectors squared Euclidean distance
/// is 2 − 2·cosine, so clusters are cosine clusters). Seeded and deterministic on CPU: the seeding draws come from
/// <see cref="SeededRandom"/>, distances from blocked matrix products (TorchSharp, GPU when asked for), ties go to the
/// smaller cluster index, centroids are averaged in double. A cluster that empties is re-seeded with the document
/// farthest from its centroid (ties: smallest index). Stops when no assignment changes or after the iteration limit.
/// </summary>
public static class KMeans
{
    /// <param name="clusters">wanted clusters; at most the number of documents.</param>
    /// <param name="device">cpu, cuda, cuda:N or auto.</param>
    public static KMeansResult Fit(EmbeddingMatrix embeddings, int clusters, ulong seed, int maxIterations = 25, string device = "auto",
                                   long blockBytes = 128L << 20, IProgress<WorkProgress>? progress = null, CancellationToken cancellation = default)
    {
        int n = embeddings.Rows, d = embeddings.Dimension;
        if (n == 0) throw new ArgumentException("k-means needs at least one document");
        if (clusters <= 0) throw new ArgumentOutOfRangeException(nameof(clusters), clusters, "clusters must be positive");
        if (maxIterations <= 0) throw new ArgumentOutOfRangeException(nameof(maxIterations), maxIterations, "at least one iteration");
        int k = Math.Min(clusters, n);
        var x = embeddings.Normalized();
        var dev = TorchRuntime.Initialize(device).TorchDevice;
        using var points = torch.tensor(x.Data, [n, d]).to(dev);
        var sqNorm = new float[n];
        for (int i = 0; i < n; i++) { double s = 0; foreach (var v in x.Row(i)) s += (double)v * v; sqNorm[i] = (float)s; }

        var centroids = PlusPlus(x, points, sqNorm, k, seed, cancellation);
        var assignment = new int[n];
        var distances = new float[n];
        Array.Fill(assignment, -1);
        int iteration = 0;
        bool converged = false;
        while (iteration < maxIterations)
        {
            cancellation.ThrowIfCancellationRequested();
            iteration++;
            int changed = Assign(points, sqNorm, centroids, k, d, assignment, distances, blockBytes);
            progress?.Report(new WorkProgress("kmeans", iteration, maxIterations, $"{changed:N0} moved"));
            if (changed == 0) { converged = true; break; }
            Update(x, assignment, distances, centroids, k);
        }
        return new KMeansResult(k, d, assignment, centroids, distances, iteration, converged);
    }

    /// <summary>k-means++: the first centre uniformly, each next one with probability proportional to the squared
    /// distance to the nearest centre so far. When every document already sits on a centre, the remaining centres are
    /// the smallest unused indices (their clusters stay empty or split exact duplicates).</summary>
    static float[] PlusPlus(EmbeddingMatrix x, Tensor points, float[] sqNorm, int k, ulong seed, CancellationToken cancellation)
    {
        int n = x.Rows, d = x.Dimension;
        var rng = new SeededRandom(seed);
        var centroids = new float[k * d];
        var nearest = new double[n];
        Array.Fill(nearest, double.PositiveInfinity);
        var chosen = new bool[n];
        int pick = rng.NextInt(n);
        int nextUnused = 0;
        for (int c = 0; c < k; c++)
        {
            cancellation.ThrowIfCancellationRequested();
            if (c > 0)
            {
                double total = 0;
                for (int i = 0; i < n; i++) total += nearest[i];
                pick = -1;
                if (total > 0)
                {
                    double r = rng.NextDouble() * total, acc = 0;
                    for (int i = 0; i < n && pick < 0; i++) { acc += nearest[i]; if (acc > r && nearest[i] > 0) pick = i; }
                    if (pick < 0) for (int i = n - 1; i >= 0; i--) if (nearest[i] > 0) { pick = i; break; }   // rounding at the top end
                }
                if (pick < 0) { while (chosen[nextUnused]) nextUnused++; pick = nextUnused; }
            }
            chosen[pick] = true;
            x.Row(pick).CopyTo(centroids.AsSpan(c * d, d));
            using var scope = torch.NewDisposeScope();
            var centre = torch.tensor(centroids.AsSpan(c * d, d).ToArray(), [d]).to(points.device);
            var dots = points.matmul(centre).cpu().data<float>().ToArray();
            double cNorm = sqNorm[pick];
            for (int i = 0; i < n; i++)
                nearest[i] = Math.Min(nearest[i], Math.Max(0, sqNorm[i] + cNorm - 2.0 * dots[i]));
        }
        return centroids;
    }

    /// <summary>Assigns each document to its nearest centroid (ties: smaller cluster index); returns how many moved.</summary>
    static int Assign(Tensor points, float[] sqNorm, float[] centroids, int k, int d, int[] assignment, float[] distances, long blockBytes)
    {
        int n = assignment.Length;
        var cNorm = new float[k];
        for (int c = 0; c < k; c++) { double s = 0; foreach (var v in centroids.AsSpan(c * d, d)) s += (double)v * v; cNorm[c] = (float)s; }
        using var cent = torch.tensor(centroids, [k, d]).to(points.device);
        using var centT = cent.t();
        int block = (int)Math.Clamp(blockBytes / (k * 8L), 1, n);
        int changed = 0;
        for (int start = 0; start < n; start += block)
        {
            int b = Math.Min(block, n - start);
            using var scope = torch.NewDisposeScope();
            var dots = points.narrow(0, start, b).matmul(centT).cpu().data<float>().ToArray();
            for (int r = 0; r < b; r++)
            {
                int i = start + r, best = 0;
                float bestDistance = float.PositiveInfinity;
                for (int c = 0; c < k; c++)
                {
                    float dist = sqNorm[i] + cNorm[c] - 2f * dots[r * k + c];
                    if (dist < bestDistance) { bestDistance = dist; best = c; }
                }
                if (assignment[i] != best) changed++;
                assignment[i] = best;
                distances[i] = Math.Max(0f, bestDistance);
            }
        }
        return changed;
    }

    static void Update(EmbeddingMatrix x, int[] assignment, float[] distances, float[] centroids, int k)
    {
        int n = x.Rows, d = x.Dimension;
        var sums = new double[k * d];
        var counts = new int[k];
        for (int i = 0; i < n; i++)
        {
            int c = assignment[i];
            counts[c]++;
            var row = x.Row(i);
            var sum = sums.AsSpan(c * d, d);
            for (int j = 0; j < d; j++) sum[j] += row[j];
        }
        var taken = new bool[n];
        for (int c = 0; c < k; c++)
        {
            if (counts[c] > 0)
            {
                for (int j = 0; j < d; j++) centroids[c * d + j] = (float)(sums[c * d + j] / counts[c]);
                continue;
            }
            // Empty cluster: re-seed it with the document farthest from its centroid (ties: smallest index).
            int far = -1;
            for (int i = 0; i < n; i++)
                if (!taken[i] && distances[i] > 0 && (far < 0 || distances[i] > distances[far])) far = i;
            if (far < 0) continue;   // every document sits on its centroid: nothing to split
            taken[far] = true;
            x.Row(far).CopyTo(centroids.AsSpan(c * d, d));
        }
    }
}
