using ResearchKit.Embeddings;

namespace ResearchKit.Packing.Iclm;

/// <summary>A document order made of paths: <see cref="Order"/> lists documents, <see cref="PathStarts"/> the positions in
/// it where a new path (a jump to an unrelated document) begins; the first is always 0 when the order is non-empty.</summary>
public sealed record DocumentPaths(int[] Order, int[] PathStarts)
{
    public int Paths => PathStarts.Length;
    public double MeanPathLength => PathStarts.Length == 0 ? 0 : (double)Order.Length / PathStarts.Length;
}

/// <summary>
/// The kit's ICLM traversal (a deliberate change from the reference's sort, which stays available): a path starts at the unvisited document with the fewest unvisited
/// neighbours (ties: smallest index, documented and tested), then repeatedly steps to the current document's most
/// similar unvisited neighbour among its k (neighbour rows are sorted by similarity, ties by smaller index, so "first
/// unvisited in the row"). When every neighbour is visited, the path ends and the next starts by the same rule. Every
/// document not excluded appears exactly once; missing neighbours are skipped; any graph size works (0, 1, 2 documents,
/// all similarities equal). Deterministic.
/// <para>"Neighbours" of d are the documents in d's own kNN row; when a document is visited, every row that lists it
/// loses one unvisited neighbour (found through the reverse edges).</para>
/// <para>Cost: O(N·k) for the steps and reverse edges plus O(log N) per count change in the start queue, usually much
/// less (its updates stop early): close to N·k·log N at worst. Memory per document: the graph's k ints + k floats, the
/// reverse edges' k + 1 ints, a count, a flag and two queue ints: 12k + 17 bytes (k = 50: about 620 bytes; 1M documents:
/// about 0.6 GB). The embeddings are not needed during the traversal and can be released before it.</para>
/// </summary>
public static class IclmTraversal
{
    /// <param name="excluded">documents to leave out (e.g. near-duplicates); they are never visited and do not count
    /// as unvisited neighbours.</param>
    public static DocumentPaths Run(NeighbourGraph graph, ReadOnlySpan<bool> excluded = default,
                                    IProgress<WorkProgress>? progress = null, CancellationToken cancellation = default)
    {
        int n = graph.Count, k = graph.K;
        if (!excluded.IsEmpty && excluded.Length != n) throw new ArgumentException($"excluded has {excluded.Length} flags for {n} documents", nameof(excluded));
        var visited = new bool[n];
        if (!excluded.IsEmpty) excluded.CopyTo(visited);
        var counts = new int[n];
        for (int i = 0; i < n; i++)
            foreach (var j in graph.Neighbours(i))
                if (j != NeighbourGraph.Missing && !visited[j]) counts[i]++;
        var reverse = graph.Reverse();
        var present = new bool[n];
        int remaining = 0;
        for (int i = 0; i < n; i++) if (present[i] = !visited[i]) remaining++;
        var queue = new FewestNeighboursQueue(counts, present);

        var order = new int[remaining];
        var starts = new List<int>();
        int written = 0;
        void Visit(int v)
        {
            visited[v] = true;
            order[written++] = v;
            queue.Remove(v);
            foreach (var slot in reverse.Slots(v))
            {
                int u = reverse.Source(slot);
                if (visited[u]) continue;
                counts[u]--;
                queue.Improved(u);
            }
        }

        while (queue.Peek() is var start && start >= 0)
        {
            if ((starts.Count & 1023) == 0)
            {
                cancellation.ThrowIfCancellationRequested();
                progress?.Report(new WorkProgress("iclm traversal", written, remaining));
            }
            starts.Add(written);
            Visit(start);
            int current = start;
            while (true)
            {
                int next = NeighbourGraph.Missing;
                foreach (var j in graph.Neighbours(current))
                    if (j != NeighbourGraph.Missing && !visited[j]) { next = j; break; }
                if (next == NeighbourGraph.Missing) break;
                Visit(next);
                current = next;
            }
        }
        progress?.Report(new WorkProgress("iclm traversal", written, remaining, $"{starts.Count:N0} paths"));
        return new DocumentPaths(order, starts.ToArray());
    }
}
