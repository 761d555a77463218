namespace ResearchKit.Embeddings;

/// <summary>
/// The batching shared by the model embedders: texts are tokenized a chunk at a time on all cores, sorted by length
/// within the chunk (ties by position) so a batch wastes little padding, run through the model a batch at a time, and
/// written back to their own rows. Memory is bounded by one chunk of token ids. Batches depend only on the texts and
/// the settings, so results are reproducible.
/// </summary>
public abstract class BatchedEmbedder : ITextEmbedder
{
    /// <summary>Texts tokenized ahead of the model (bounds memory for token ids). Batches never cross a chunk, so
    /// embedding chunk-aligned slices separately gives the same floats as one call (sharded embedding relies on it).</summary>
    public const int ChunkSize = 4096;

    public abstract string Name { get; }
    public abstract int Dimension { get; }

    /// <summary>Texts per model call.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Token ids of one text, already truncated to the model's maximum; empty when there is nothing to embed.</summary>
    protected abstract int[] Tokenize(string text);

    /// <summary>Embeds a batch of non-empty id sequences into <paramref name="output"/> (ids.Count × Dimension).</summary>
    protected abstract void EmbedBatch(IReadOnlyList<int[]> ids, Span<float> output, CancellationToken cancellation);

    public EmbeddingMatrix Embed(IReadOnlyList<string> texts, IProgress<WorkProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "batch size must be positive");
        for (int i = 0; i < texts.Count; i++)
            if (texts[i] is null) throw new ArgumentException($"text {i} is null (an empty text is fine: it gets a zero row)", nameof(texts));
        int d = Dimension;
        var data = new float[(long)texts.Count * d];
        var buffer = new float[BatchSize * d];
        int done = 0, empty = 0;
        for (int chunkStart = 0; chunkStart < texts.Count; chunkStart += ChunkSize)
        {
            int count = Math.Min(ChunkSize, texts.Count - chunkStart);
            var ids = new int[count][];
            Parallel.For(0, count, new ParallelOptions { CancellationToken = cancellation }, i =>
            {
                var text = texts[chunkStart + i];
                ids[i] = string.IsNullOrWhiteSpace(text) ? [] : Tokenize(text);
            });
            var order = Enumerable.Range(0, count).Where(i => ids[i].Length > 0).OrderBy(i => ids[i].Length).ThenBy(i => i).ToArray();
            empty += count - order.Length;
            for (int b = 0; b < order.Length; b += BatchSize)
            {
                cancellation.ThrowIfCancellationRequested();
                int n = Math.Min(BatchSize, order.Length - b);
                var batch = new int[n][];
                for (int j = 0; j < n; j++) batch[j] = ids[order[b + j]];
                EmbedBatch(batch, buffer.AsSpan(0, n * d), cancellation);
                for (int j = 0; j < n; j++)
                    buffer.AsSpan(j * d, d).CopyTo(data.AsSpan((chunkStart + order[b + j]) * d, d));
                done += n;
                progress?.Report(new WorkProgress("embed", done + empty, texts.Count, $"{Name}"));
            }
        }
        progress?.Report(new WorkProgress("embed", texts.Count, texts.Count, empty > 0 ? $"{empty:N0} empty texts (zero rows)" : Name));
        return new EmbeddingMatrix(texts.Count, d, data, Name, EmbeddingMatrix.FingerprintOf(texts));
    }

    public virtual void Dispose() => GC.SuppressFinalize(this);
}
