using ResearchKit.Corpus;

namespace ResearchKit.Tokenization;

/// <summary>
/// A tokenized dataset in one binary file, read memory-mapped. Little-endian layout, version 1:
/// <code>
///   0  magic "RKTOKENS"        8  version u32 (1)   12  reserved u32
///  16  documents i64          24  tokens i64
///  32  vocab size i32         36  end-of-text i32
///  40  document table offset  48  domain id offset   56  info offset   (i64 each)
///  64  tokens: i32[tokens]; per document its prefix tokens, then its body tokens
///      document table (8-aligned): per document { start i64, prefix length i32, body length i32 }
///      domain ids: i32[documents], indexes into the info's domain list (sorted by name)
///      info: UTF-8 JSON { "domains": [...], "tokenizer": description (see TextTokenizers.Describe) }, to end of file
/// </code>
/// </summary>
public static class TokenShard
{
    internal static ReadOnlySpan<byte> Magic => "RKTOKENS"u8;
    internal const int Version = 1;
    internal const int HeaderSize = 64;

    /// <summary>Whether <paramref name="path"/> is a file that starts with the shard magic (its version is checked by <see cref="Open"/>).</summary>
    public static bool IsShard(string path)
    {
        if (!File.Exists(path)) return false;
        Span<byte> head = stackalloc byte[8];
        using var file = File.OpenRead(path);
        return file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length && head.SequenceEqual(Magic);
    }

    /// <summary>Maps a shard; the caller disposes it.</summary>
    /// <exception cref="DataFormatException">Wrong magic or version, truncation, inconsistent tables.</exception>
    public static MappedTokenDataset Open(string path) => MappedTokenDataset.Open(path);

    /// <summary>Writes any token dataset (e.g. an <see cref="InMemoryTokenDataset"/>) as a shard, atomically.</summary>
    public static void Write(string path, ITokenDataset data, TextTokenizer tokenizer)
    {
        CheckTokenizer(data, tokenizer);
        AtomicFile.Write(path, (Stream s) =>
        {
            var w = new TokenShardWriter(s, tokenizer);
            for (int d = 0; d < data.DocumentCount; d++) w.Add(data.Domains[data.DomainOf(d)], data.Prefix(d), data.Body(d));
            w.Finish();
        });
    }

    /// <summary>
    /// Tokenizes documents into a shard on all cores; the output is identical whatever the core count. When
    /// <paramref name="prefix"/> gives a text for a document (MeCo's "URL: host\n\n"), it is tokenized on its own
    /// and stored as the document's loss-masked prefix. Atomic: a bad document leaves no file.
    /// </summary>
    public static TokenizeSummary Tokenize(IEnumerable<Document> docs, TextTokenizer tokenizer, string path,
                                           Func<Document, string?>? prefix = null, IProgress<WorkProgress>? progress = null)
    {
        TokenizeSummary summary = default;
        AtomicFile.Write(path, (Stream s) =>
        {
            var w = new TokenShardWriter(s, tokenizer);
            long chars = 0;
            var encoded = OrderedParallel.Select(docs, d =>
                (d.Domain, Chars: (long)d.Text.Length, Prefix: prefix?.Invoke(d) is { Length: > 0 } p ? tokenizer.Encode(p) : [], Body: tokenizer.Encode(d.Text)));
            foreach (var (domain, docChars, pre, body) in encoded)
            {
                w.Add(domain, pre, body);
                chars += docChars;
                if (w.Documents % 1000 == 0) progress?.Report(new WorkProgress("tokenize", w.Documents, null, $"{w.Tokens:N0} tokens"));
            }
            w.Finish();
            summary = new TokenizeSummary(w.Documents, w.Tokens, w.PrefixTokens, chars, w.DomainCount);
            progress?.Report(new WorkProgress("tokenize", w.Documents, w.Documents, $"{w.Tokens:N0} tokens"));
        });
        return summary;
    }

    static void CheckTokenizer(ITokenDataset data, TextTokenizer tokenizer)
    {
        if (data.VocabSize != tokenizer.VocabSize || data.EndOfText != tokenizer.EndOfText)
            throw new ArgumentException($"dataset (vocab {data.VocabSize}, end-of-text {data.EndOfText}) does not match tokenizer {tokenizer.Name} (vocab {tokenizer.VocabSize}, end-of-text {tokenizer.EndOfText})");
    }
}

/// <summary>What <see cref="TokenShard.Tokenize"/> wrote. Characters are UTF-16 code units of the bodies.</summary>
public readonly record struct TokenizeSummary(long Documents, long Tokens, long PrefixTokens, long Characters, int Domains);
