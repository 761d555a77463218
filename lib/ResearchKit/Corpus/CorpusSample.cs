namespace ResearchKit.Corpus;

/// <summary>A seeded sample of a corpus, read in two streaming passes with memory bounded by the sample size.
/// Each document gets a seeded hash of its id as its random key; the sample is the documents with the smallest
/// keys (per domain when stratified), returned in corpus order.</summary>
public static class CorpusSample
{
    /// <param name="docs">Enumerated twice when stratified (a <see cref="CorpusReader.Read"/> result can be).</param>
    /// <param name="stratified">Give each domain its share of <paramref name="n"/> in proportion to its document
    /// count (largest remainders get the leftover places), so small domains are not lost by chance.</param>
    public static IReadOnlyList<Document> Take(IEnumerable<Document> docs, int n, long seed, bool stratified = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        Func<string, int> quota;
        if (stratified)
        {
            var counts = new Dictionary<string, long>();
            foreach (var d in docs) counts[d.Domain] = counts.GetValueOrDefault(d.Domain) + 1;
            var shares = Allocate(counts, n);
            quota = domain => shares[domain];
        }
        else quota = _ => n;

        // Per stratum, a max-heap on the key keeps the smallest keys seen so far.
        var heaps = new Dictionary<string, PriorityQueue<(long Index, Document Doc), ulong>>();
        long index = 0;
        foreach (var d in docs)
        {
            var stratum = stratified ? d.Domain : "";
            int q = quota(d.Domain);
            var key = StableHash.Of(d.Id, seed);
            if (!heaps.TryGetValue(stratum, out var heap))
                heaps[stratum] = heap = new(Comparer<ulong>.Create((a, b) => b.CompareTo(a)));
            if (heap.Count < q) heap.Enqueue((index, d), key);
            else if (q > 0 && heap.TryPeek(out _, out var worst) && key < worst) heap.EnqueueDequeue((index, d), key);
            index++;
        }
        return heaps.Values.SelectMany(h => h.UnorderedItems.Select(x => x.Element))
            .OrderBy(x => x.Index).Select(x => x.Doc).ToList();
    }

    /// <summary>Proportional shares of <paramref name="n"/> (largest-remainder method; ties by domain name).</summary>
    internal static Dictionary<string, int> Allocate(IReadOnlyDictionary<string, long> counts, int n)
    {
        long total = counts.Values.Sum();
        if (total <= n) return counts.ToDictionary(c => c.Key, c => (int)c.Value);
        var exact = counts.ToDictionary(c => c.Key, c => (double)n * c.Value / total);
        var shares = exact.ToDictionary(e => e.Key, e => (int)Math.Floor(e.Value));
        int left = n - shares.Values.Sum();
        foreach (var d in exact.OrderByDescending(e => e.Value - Math.Floor(e.Value)).ThenBy(e => e.Key, StringComparer.Ordinal).Take(left).Select(e => e.Key))
            shares[d]++;
        return shares;
    }
}
