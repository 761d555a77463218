using ResearchKit.Corpus;
using ResearchKit.Embeddings;
using ResearchKit.Experiments;
using ResearchKit.Pipeline;

namespace ResearchKit.Packing.Iclm;

/// <summary>
/// What an order stage reads, checked before any ordering, and how it saves what it computed. It reads a corpus with
/// unique ids and at least one document with text, and embeddings made from exactly its texts (one row per document, in
/// corpus order). Errors name the file, the record and the field.
/// </summary>
static class OrderStageInputs
{
    public static (string[] Texts, EmbeddingMatrix Embeddings) Read(CorpusArtifact corpus, EmbeddingArtifact embeddings)
    {
        var documents = corpus.Read().ToList();
        if (DocumentIds.FirstRepeat(documents) is (var earlier, var repeat, var id))
            throw new DataFormatException(corpus.Path, repeat, "id",
                $"documents {earlier} and {repeat} share the id '{id}'; an order names documents by position, and repeated ids almost always mean a corpus read twice");
        var texts = documents.Select(d => d.Text).ToArray();
        var matrix = embeddings.Read();
        if (matrix.Rows != texts.Length)
            throw new DataFormatException(embeddings.Path, null, "rows", $"{matrix.Rows} embeddings for the {texts.Length} documents of {corpus.Path}");
        if (matrix.TextFingerprint != 0 && matrix.TextFingerprint != EmbeddingMatrix.FingerprintOf(texts))
            throw new DataFormatException(embeddings.Path, null, "text fingerprint", $"made from other texts than the documents of {corpus.Path}");
        if (Enumerable.Range(0, matrix.Rows).All(matrix.IsZeroRow))
            throw new DataFormatException(corpus.Path, null, "text", $"none of its {texts.Length} documents has text to embed (all empty or whitespace-only): nothing to order");
        return (texts, matrix);
    }

    /// <summary>Writes a computed order and its <c>order_*</c> statistics into the stage's folder and its stats.</summary>
    public static void Save(StageContext context, (int[] Order, Dictionary<string, double> Metrics) computed)
    {
        DocumentOrderArtifact.Write(context.Directory, computed.Order, computed.Metrics);
        foreach (var (k, v) in computed.Metrics) context.Stats[k] = v;
    }

    /// <summary>Path statistics shared by the orders: count, mean and longest path, and single-document paths.</summary>
    public static void AddPaths(Dictionary<string, double> metrics, DocumentPaths paths)
    {
        var lengths = paths.PathStarts.Select((s, i) => (i + 1 < paths.PathStarts.Length ? paths.PathStarts[i + 1] : paths.Order.Length) - s).ToArray();
        metrics["order_paths"] = lengths.Length;
        metrics["order_mean_path_length"] = lengths.Length == 0 ? 0 : lengths.Average();
        metrics["order_longest_path"] = lengths.Length == 0 ? 0 : lengths.Max();
        metrics["order_single_document_paths"] = lengths.Count(l => l == 1);
    }
}
