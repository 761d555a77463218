using System.Runtime.ExceptionServices;

namespace ResearchKit;

/// <summary>
/// Maps a stream on all cores and yields the results in input order, so the output is the same whatever the core
/// count. A pipeline, not a barrier: the caller's thread reads the source and consumes results while batches are
/// mapped as tasks, so reading and writing overlap the mapping and no core waits for the slowest item of a batch.
/// Batches close at <see cref="BatchWeight"/> (e.g. characters) or <see cref="BatchItems"/> items; at most
/// <c>4 × cores</c> are in flight, which bounds memory. On one core everything runs on the caller's thread.
/// </summary>
static class OrderedParallel
{
    public const long BatchWeight = 256 << 10;
    public const int BatchItems = 256;

    /// <param name="weight">The work an item stands for (a document's characters), for sizing batches.</param>
    public static IEnumerable<TOut> Select<TIn, TOut>(IEnumerable<TIn> source, Func<TIn, TOut> map, Func<TIn, long> weight)
    {
        if (Environment.ProcessorCount == 1)
        {
            foreach (var item in source) yield return map(item);
            yield break;
        }
        int maxInFlight = 4 * Environment.ProcessorCount;
        var inFlight = new Queue<Task<Mapped<TOut>>>();
        try
        {
            var batch = new List<TIn>();
            long filled = 0;
            foreach (var item in source)
            {
                batch.Add(item);
                filled += weight(item);
                if (batch.Count < BatchItems && filled < BatchWeight) continue;
                inFlight.Enqueue(Start(batch, map));
                (batch, filled) = (new List<TIn>(), 0);
                // Hand back whatever is done (keeps the writer busy and memory low); block only when the window is full.
                while (inFlight.Count > 0 && (inFlight.Count >= maxInFlight || inFlight.Peek().IsCompleted))
                    foreach (var r in inFlight.Dequeue().Result.Results()) yield return r;
            }
            if (batch.Count > 0) inFlight.Enqueue(Start(batch, map));
            while (inFlight.Count > 0)
                foreach (var r in inFlight.Dequeue().Result.Results()) yield return r;
        }
        finally
        {
            // Stopped early (an error, or the caller broke off): no mapping outlives the call.
            foreach (var task in inFlight)
                task.Wait();   // mapping errors are captured in the batch, never thrown by the task
        }
    }

    static Task<Mapped<TOut>> Start<TIn, TOut>(List<TIn> batch, Func<TIn, TOut> map) => Task.Run(() =>
    {
        var results = new TOut[batch.Count];
        for (int i = 0; i < results.Length; i++)
        {
            try { results[i] = map(batch[i]); }
            catch (Exception e) { return new Mapped<TOut>(results, i, ExceptionDispatchInfo.Capture(e)); }
        }
        return new Mapped<TOut>(results, results.Length, null);
    });

    /// <summary>A batch's results up to its first failure, which is rethrown (unwrapped) after them, as a sequential map would.</summary>
    readonly record struct Mapped<TOut>(TOut[] Values, int Count, ExceptionDispatchInfo? Error)
    {
        public IEnumerable<TOut> Results()
        {
            for (int i = 0; i < Count; i++) yield return Values[i];
            Error?.Throw();
        }
    }
}
