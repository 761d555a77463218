using ResearchKit.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Embeddings;

/// <summary>
/// Exact cosine kNN: vectors are L2-normalized, then a block of query rows at a time is multiplied by the whole matrix
/// (TorchSharp; CUDA by default when present) and the top k of each row kept. The block height is chosen so the
/// similarity block stays within <c>blockBytes</c>, so memory is bounded whatever the corpus size. Cost is N² · d: the
/// ground truth for <see cref="HnswKnn"/> and the right choice up to some tens of thousands of documents.
/// <para>Ties are broken by ascending index, also across the k-th place (when more documents share the k-th
/// similarity than fit, the smallest indices are kept), so the graph is deterministic for a given device and
/// <c>blockBytes</c> (another block height may round a similarity's last bit differently).</para>
/// </summary>
public static class ExactKnn
{
    /// <param name="k">neighbours per document (fewer when the corpus has at most k documents: the rest are missing).</param>
    /// <param name="device">cpu, cuda, cuda:N or auto.</param>
    /// <param name="blockBytes">memory for one block of similarities (and its comparisons).</param>
    /// <exception cref="ArgumentException">k is not positive or an embedding is NaN/infinite.</exception>
    public static NeighbourGraph Build(EmbeddingMatrix embeddings, int k, string device = "auto", long blockBytes = 256L << 20,
                                       IProgress<WorkProgress>? progress = null, CancellationToken cancellation = default)
    {
        var (ids, sims) = Query(embeddings, Enumerable.Range(0, embeddings.Rows).ToArray(), k, device, blockBytes, progress, cancellation);
        return new NeighbourGraph(embeddings.Rows, k, ids, sims, validate: false);
    }

    /// <summary>The exact rows of some documents only (e.g. a sample of queries to measure an approximate graph's
    /// recall on a corpus too large for the full N² product): row r of the result is document <c>queries[r]</c>'s,
    /// in <see cref="NeighbourGraph"/>'s layout (k slots, sorted, −1 padded).</summary>
    public static (int[] Ids, float[] Similarities) Query(EmbeddingMatrix embeddings, IReadOnlyList<int> queries, int k, string device = "auto",
                                                          long blockBytes = 256L << 20, IProgress<WorkProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be positive");
        int n = embeddings.Rows, d = embeddings.Dimension, q = queries.Count;
        if ((long)q * k > Array.MaxLength) throw new ArgumentException($"{q} × {k} neighbour slots exceed one array");
        foreach (var i in queries) if (i < 0 || i >= n) throw new ArgumentOutOfRangeException(nameof(queries), i, $"not a document index (0..{n - 1})");
        var ids = new int[q * k];
        var sims = new float[q * k];
        int kk = Math.Min(k, n - 1);
        if (kk <= 0)
        {
            ids.AsSpan().Fill(NeighbourGraph.Missing);
            sims.AsSpan().Fill(float.NegativeInfinity);
            return (ids, sims);
        }
        var normalized = embeddings.Normalized();
        var dev = TorchRuntime.Initialize(device).TorchDevice;
        // Similarities, the equality mask and topk's copies: about 3 floats per cell.
        int block = (int)Math.Clamp(blockBytes / (n * 12L), 1, Math.Max(1, q));
        using var all = torch.tensor(normalized.Data, [n, d]).to(dev);
        using var allT = all.t();
        var candIds = new int[kk];
        var candSims = new float[kk];
        for (int start = 0; start < q; start += block)
        {
            cancellation.ThrowIfCancellationRequested();
            int b = Math.Min(block, q - start);
            using var scope = torch.NewDisposeScope();
            var rows = new long[b];
            for (int r = 0; r < b; r++) rows[r] = queries[start + r];
            var rowIndex = torch.tensor(rows).to(dev);
            var s = all.index_select(0, rowIndex).matmul(allT);
            s.index_put_(torch.tensor(float.NegativeInfinity).to(dev), torch.arange(b, device: dev), rowIndex);   // never its own neighbour
            var (values, indices) = s.topk(kk, dim: 1, largest: true, sorted: true);
            var kth = values.narrow(1, kk - 1, 1);
            var equalAll = s.eq(kth).sum(1).cpu().data<long>().ToArray();
            var equalTop = values.eq(kth).sum(1).cpu().data<long>().ToArray();
            var v = values.cpu().data<float>().ToArray();
            var ix = indices.cpu().data<long>().ToArray();
            for (int r = 0; r < b; r++)
            {
                for (int c = 0; c < kk; c++) { candIds[c] = (int)ix[r * kk + c]; candSims[c] = v[r * kk + c]; }
                if (equalAll[r] > equalTop[r])
                {
                    // More documents share the k-th similarity than topk kept, and it chose among them arbitrarily:
                    // keep those above it and the smallest indices at it.
                    float t = v[r * kk + kk - 1];
                    int above = kk - (int)equalTop[r];
                    var atThreshold = s[r].eq(t).nonzero().narrow(0, 0, kk - above).cpu().data<long>().ToArray();
                    int w = 0;
                    for (int c = 0; c < kk; c++) if (v[r * kk + c] > t) { candIds[w] = (int)ix[r * kk + c]; candSims[w++] = v[r * kk + c]; }
                    foreach (var j in atThreshold) { candIds[w] = (int)j; candSims[w++] = t; }
                }
                NeighbourGraph.FillRow(ids, sims, start + r, k, candIds, candSims);
            }
            progress?.Report(new WorkProgress("knn exact", start + b, q));
        }
        return (ids, sims);
    }
}
