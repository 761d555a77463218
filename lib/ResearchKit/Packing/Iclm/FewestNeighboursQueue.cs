namespace ResearchKit.Packing.Iclm;

/// <summary>
/// The unvisited document with the fewest unvisited neighbours, ties to the smallest index: a tournament tree over
/// document indices whose nodes hold the winner of their subtree. Counts only fall and documents only leave, and an
/// update stops climbing as soon as a subtree's winner is unchanged, so most updates touch a few nodes.
/// Memory: two ints per document (rounded up to a power of two) besides the counts.
/// </summary>
sealed class FewestNeighboursQueue
{
    const int None = -1;
    readonly int[] tree;      // tree[1] is the root; leaves at size + i hold i, or None once removed
    readonly int[] counts;    // the caller's counts, read for comparisons
    readonly int size;

    public FewestNeighboursQueue(int[] counts, ReadOnlySpan<bool> present)
    {
        this.counts = counts;
        size = 1;
        while (size < Math.Max(1, counts.Length)) size <<= 1;
        tree = new int[2 * size];
        Array.Fill(tree, None);
        for (int i = 0; i < counts.Length; i++) if (present[i]) tree[size + i] = i;
        for (int node = size - 1; node >= 1; node--) tree[node] = Better(tree[2 * node], tree[2 * node + 1]);
    }

    /// <summary>The winner, or -1 when empty.</summary>
    public int Peek() => tree[1];

    int Better(int a, int b)
    {
        if (a == None) return b;
        if (b == None) return a;
        return counts[a] < counts[b] || (counts[a] == counts[b] && a < b) ? a : b;
    }

    /// <summary>Call after lowering <c>counts[i]</c>.</summary>
    public void Improved(int i) => Climb(i);

    public void Remove(int i)
    {
        tree[size + i] = None;
        Climb(i);
    }

    void Climb(int i)
    {
        for (int node = (size + i) >> 1; node >= 1; node >>= 1)
        {
            int old = tree[node];
            int winner = Better(tree[2 * node], tree[2 * node + 1]);
            if (winner == old && old != i) return;   // this subtree's winner did not change: nor will its ancestors'
            tree[node] = winner;
        }
    }
}
