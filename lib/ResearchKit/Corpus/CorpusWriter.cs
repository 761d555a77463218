namespace ResearchKit.Corpus;

/// <summary>Writes documents to one corpus file whose format follows its extension (.parquet: our schema, zstd;
/// .jsonl; .jsonl.zst / .json.zst). Atomic: a failure, including one raised while enumerating
/// <paramref name="docs"/>, leaves no file behind and any old file untouched.</summary>
public static class CorpusWriter
{
    /// <returns>The number of documents written.</returns>
    public static long Write(string path, IEnumerable<Document> docs, IProgress<WorkProgress>? progress = null)
    {
        var format = CorpusFormats.FromPath(path);
        long count = 0;
        AtomicFile.Write(path, (Stream stream) => count = format switch
        {
            CorpusFormat.Parquet => ParquetCorpus.Write(stream, docs, progress),
            CorpusFormat.Jsonl => JsonlCorpus.Write(stream, docs, zstd: false, progress),
            _ => JsonlCorpus.Write(stream, docs, zstd: true, progress),
        });
        return count;
    }
}
