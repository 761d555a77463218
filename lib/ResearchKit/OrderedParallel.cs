namespace ResearchKit;

/// <summary>Maps a stream over all cores, a batch at a time, and yields the results in input order, so the output
/// is the same whatever the core count. Memory is bounded by one batch.</summary>
static class OrderedParallel
{
    public static IEnumerable<TOut> Select<TIn, TOut>(IEnumerable<TIn> source, Func<TIn, TOut> map, int batchSize = 1024)
    {
        var batch = new List<TIn>(batchSize);
        var results = new TOut[batchSize];
        foreach (var item in source)
        {
            batch.Add(item);
            if (batch.Count < batchSize) continue;
            foreach (var r in Run(batch, results, map)) yield return r;
            batch.Clear();
        }
        foreach (var r in Run(batch, results, map)) yield return r;
    }

    static IEnumerable<TOut> Run<TIn, TOut>(List<TIn> batch, TOut[] results, Func<TIn, TOut> map)
    {
        if (batch.Count == 1) results[0] = map(batch[0]);
        else Parallel.For(0, batch.Count, i => results[i] = map(batch[i]));
        for (int i = 0; i < batch.Count; i++) yield return results[i];
    }
}
