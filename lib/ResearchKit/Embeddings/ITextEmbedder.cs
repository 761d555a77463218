namespace ResearchKit.Embeddings;

/// <summary>
/// Turns texts into fixed-size vectors, one row per text, in input order. Implementations batch and use all cores, are
/// deterministic (the same texts and settings give the same bits on CPU), report progress in texts, and stop at the next
/// batch when cancelled.
/// <para>Documented handling of degenerate texts: a text that yields no tokens (empty or whitespace-only: shorter than
/// any embedder's minimum of one token) gets an all-zero row, which <see cref="EmbeddingMatrix.IsZeroRow"/> reports;
/// texts longer than the embedder's maximum are truncated to their first tokens.</para>
/// </summary>
public interface ITextEmbedder : IDisposable
{
    /// <summary>The model and the settings that change its output; stored in embedding files, so a cache made by one
    /// embedder is never read as another's.</summary>
    string Name { get; }

    /// <summary>Floats per embedding.</summary>
    int Dimension { get; }

    /// <summary>Embeds <paramref name="texts"/>; the result's <see cref="EmbeddingMatrix.TextFingerprint"/> is set.</summary>
    EmbeddingMatrix Embed(IReadOnlyList<string> texts, IProgress<WorkProgress>? progress = null, CancellationToken cancellation = default);
}
