namespace ResearchKit.Corpus;

/// <summary>Corpus file formats, chosen by file extension.</summary>
public enum CorpusFormat { Parquet, Jsonl, JsonlZstd }

static class CorpusFormats
{
    public static CorpusFormat? TryFromPath(string path)
    {
        var name = Path.GetFileName(path).ToLowerInvariant();
        if (name.EndsWith(".parquet")) return CorpusFormat.Parquet;
        if (name.EndsWith(".jsonl") || name.EndsWith(".json") || name.EndsWith(".ndjson")) return CorpusFormat.Jsonl;
        if (name.EndsWith(".jsonl.zst") || name.EndsWith(".json.zst") || name.EndsWith(".ndjson.zst")) return CorpusFormat.JsonlZstd;
        return null;
    }

    public static CorpusFormat FromPath(string path) => TryFromPath(path)
        ?? throw new ArgumentException($"{path}: unknown corpus format (expected .parquet, .jsonl, .jsonl.zst or .json.zst)");
}
