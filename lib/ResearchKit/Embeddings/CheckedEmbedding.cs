namespace ResearchKit.Embeddings;

static class CheckedEmbedding
{
    /// <summary>Embeds <paramref name="texts"/> and refuses a result that is not one row of the embedder's dimension per
    /// text: an embedder from outside the kit can break that contract, and a wrong shape would misalign every later row.</summary>
    /// <exception cref="InvalidOperationException">The embedder returned another shape; names it and both shapes.</exception>
    public static EmbeddingMatrix EmbedChecked(this ITextEmbedder embedder, IReadOnlyList<string> texts, IProgress<WorkProgress>? progress, CancellationToken cancellation)
    {
        var matrix = embedder.Embed(texts, progress, cancellation);
        if (matrix.Rows != texts.Count || matrix.Dimension != embedder.Dimension)
            throw new InvalidOperationException($"embedder '{embedder.Name}' returned {matrix.Rows} × {matrix.Dimension} for {texts.Count} texts of {embedder.Dimension}-d");
        return matrix;
    }
}
