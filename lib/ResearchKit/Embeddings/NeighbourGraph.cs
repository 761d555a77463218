namespace ResearchKit.Embeddings;

/// <summary>
/// A k-nearest-neighbour graph: for each document, up to <see cref="K"/> other documents by descending cosine
/// similarity, ties by ascending index. A row never contains the document itself or the same neighbour twice. Rows with
/// fewer than K neighbours (a corpus smaller than K+1, an approximate search that found fewer) end in -1 entries
/// ("missing"), whose similarity is −∞; every consumer skips them.
/// <para>Memory: K ints + K floats per document (k = 50: 400 bytes; 1M documents: 400 MB).</para>
/// </summary>
public sealed class NeighbourGraph
{
    public const int Missing = -1;

    /// <summary>Documents (rows).</summary>
    public int Count { get; }
    /// <summary>Neighbour slots per row.</summary>
    public int K { get; }
    /// <summary>Row-major Count × K neighbour indices; <see cref="Missing"/> pads short rows.</summary>
    public int[] Ids { get; }
    /// <summary>Row-major Count × K cosine similarities; −∞ where the id is <see cref="Missing"/>.</summary>
    public float[] Similarities { get; }

    /// <exception cref="ArgumentException">The rows break the invariants above (names the row).</exception>
    public NeighbourGraph(int count, int k, int[] ids, float[] similarities) : this(count, k, ids, similarities, validate: true) { }

    /// <summary>For the kit's own builders, whose rows are correct by construction (validation costs a hash set per row).</summary>
    internal NeighbourGraph(int count, int k, int[] ids, float[] similarities, bool validate)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count));
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k));
        if ((long)count * k > Array.MaxLength) throw new ArgumentException($"{count} × {k} neighbour slots exceed one array");
        if (ids.Length != count * k || similarities.Length != count * k) throw new ArgumentException($"expected {count} × {k} ids and similarities");
        Count = count; K = k; Ids = ids; Similarities = similarities;
        if (validate) Validate();
    }

    public ReadOnlySpan<int> Neighbours(int i) => Ids.AsSpan(i * K, K);
    public ReadOnlySpan<float> NeighbourSimilarities(int i) => Similarities.AsSpan(i * K, K);

    /// <summary>Neighbours present in row <paramref name="i"/> (the rest are <see cref="Missing"/>).</summary>
    public int Found(int i)
    {
        var row = Neighbours(i);
        int n = row.IndexOf(Missing);
        return n < 0 ? K : n;
    }

    /// <summary>Rows with fewer than K neighbours.</summary>
    public int ShortRows() { int s = 0; for (int i = 0; i < Count; i++) if (Found(i) < K) s++; return s; }

    void Validate()
    {
        var seen = new HashSet<int>();
        for (int i = 0; i < Count; i++)
        {
            var row = Neighbours(i);
            var sims = NeighbourSimilarities(i);
            seen.Clear();
            bool missing = false;
            for (int s = 0; s < K; s++)
            {
                int j = row[s];
                if (j == Missing) { missing = true; if (!float.IsNegativeInfinity(sims[s])) throw new ArgumentException($"row {i}: a missing neighbour must have similarity −∞"); continue; }
                if (missing) throw new ArgumentException($"row {i}: neighbour {j} after a missing slot; missing slots go last");
                if (j < 0 || j >= Count) throw new ArgumentException($"row {i}: neighbour {j} is not a document index (0..{Count - 1})");
                if (j == i) throw new ArgumentException($"row {i}: lists itself as a neighbour");
                if (!seen.Add(j)) throw new ArgumentException($"row {i}: neighbour {j} twice");
                if (float.IsNaN(sims[s])) throw new ArgumentException($"row {i}: similarity of neighbour {j} is NaN");
                if (s > 0 && (sims[s] > sims[s - 1] || (sims[s] == sims[s - 1] && j < row[s - 1])))
                    throw new ArgumentException($"row {i}: neighbours not sorted by descending similarity, then ascending index");
            }
        }
    }

    /// <summary>Sorts each candidate list by (similarity desc, index asc), keeps the first <paramref name="k"/>, pads with
    /// <see cref="Missing"/>. Candidates must already exclude the row itself and duplicates.</summary>
    internal static void FillRow(int[] ids, float[] sims, int row, int k, Span<int> candIds, Span<float> candSims)
    {
        // Insertion sort: candidate lists are short (k or k+1) and mostly sorted already.
        for (int a = 1; a < candIds.Length; a++)
        {
            int id = candIds[a]; float sim = candSims[a]; int b = a - 1;
            while (b >= 0 && (candSims[b] < sim || (candSims[b] == sim && candIds[b] > id)))
            {
                candIds[b + 1] = candIds[b]; candSims[b + 1] = candSims[b]; b--;
            }
            candIds[b + 1] = id; candSims[b + 1] = sim;
        }
        int n = Math.Min(k, candIds.Length);
        candIds[..n].CopyTo(ids.AsSpan(row * k, n));
        candSims[..n].CopyTo(sims.AsSpan(row * k, n));
        ids.AsSpan(row * k + n, k - n).Fill(Missing);
        sims.AsSpan(row * k + n, k - n).Fill(float.NegativeInfinity);
    }

    /// <summary>The reverse edges: for each document j, the flat slots (row × K + position) of the rows that list j, in
    /// ascending row order. CSR form: K + 1 ints per document.</summary>
    public ReverseEdges Reverse()
    {
        var offsets = new int[Count + 1];
        foreach (var j in Ids) if (j != Missing) offsets[j + 1]++;
        for (int i = 0; i < Count; i++) offsets[i + 1] += offsets[i];
        var slots = new int[offsets[Count]];
        var fill = offsets.AsSpan(0, Count).ToArray();
        for (int flat = 0; flat < Ids.Length; flat++)
            if (Ids[flat] is var j && j != Missing) slots[fill[j]++] = flat;
        return new ReverseEdges(offsets, slots, K);
    }

    /// <summary>Incoming edges in CSR form; <see cref="Sources"/> gives the rows, <see cref="Slots"/> the flat positions
    /// (for the similarity).</summary>
    public sealed class ReverseEdges(int[] offsets, int[] slots, int k)
    {
        public ReadOnlySpan<int> Slots(int j) => slots.AsSpan(offsets[j], offsets[j + 1] - offsets[j]);
        public int Source(int slot) => slot / k;
    }
}
