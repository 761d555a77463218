using ResearchKit.Corpus;

namespace ResearchKit.Tokenization;

/// <summary>
/// A tokenized dataset in one binary file, read memory-mapped. Little-endian layout, version 2:
/// <code>
///   0  magic "RKTOKENS"        8  version u32 (2)    12  token width u32: 1 (uint8), 2 (uint16) or 4 (int32)
///  16  documents i64          24  tokens i64
///  32  vocab size i32         36  end-of-text i32
///  40  document table offset  48  domain id offset   56  info offset   64  checksum offset   72  block bytes (i64 each)
/// 120  header checksum u64 (XXH3-64 of bytes 0..119; 80..119 are zero)
/// 128  tokens: width bytes each; per document its prefix tokens, then its body tokens
///      document table (8-aligned): per document { start i64, prefix length i32, body length i32 }
///      domain ids: i32[documents], indexes into the info's domain list (sorted by name)
///      info: UTF-8 JSON { "domains": [...], "tokenizer": description (see TextTokenizers.Describe) }
///      checksums (8-aligned): XXH3-64 of the document table and domain ids, of the info, then of each block of
///      "block bytes" of the token section (the last one shorter)
/// </code>
/// The token width is the narrowest that holds every id a document can carry: the vocabulary less its end-of-text id
/// when that is the largest (packers add end-of-text; documents do not store it), so byte-level shards take 1 byte per
/// token, GPT-2-sized vocabularies 2. Version 1 (int32 tokens, 64-byte header, no checksums) is still read.
/// </summary>
public static class TokenShard
{
    internal static ReadOnlySpan<byte> Magic => "RKTOKENS"u8;
    internal const int Version = 2;
    internal const int HeaderSize = 128, HeaderChecksumAt = 120, Version1HeaderSize = 64;
    /// <summary>Token-section bytes per checksum: lazy verification checks a block the first time it is read.</summary>
    internal const long DefaultBlockBytes = 16L << 20;
    /// <summary>Set to <c>lazy</c> to make <see cref="Open"/> verify blocks on first read by default (very large shards).</summary>
    public const string VerifyVariable = "RK_SHARD_VERIFY";

    /// <summary>Bytes per stored token for a vocabulary (see the layout above).</summary>
    internal static int WidthFor(int vocabSize, int endOfText)
    {
        int largest = endOfText == vocabSize - 1 ? vocabSize - 2 : vocabSize - 1;
        return largest <= byte.MaxValue ? 1 : largest <= ushort.MaxValue ? 2 : 4;
    }

    internal static int MaxStorableId(int width) => width switch { 1 => byte.MaxValue, 2 => ushort.MaxValue, _ => int.MaxValue };
    internal static string TypeName(int width) => width switch { 1 => "uint8", 2 => "uint16", _ => "int32" };

    /// <summary>Whether <paramref name="path"/> is a file that starts with the shard magic (its version is checked by <see cref="Open"/>).</summary>
    public static bool IsShard(string path)
    {
        if (!File.Exists(path)) return false;
        Span<byte> head = stackalloc byte[8];
        using var file = File.OpenRead(path);
        return file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length && head.SequenceEqual(Magic);
    }

    /// <summary>Maps a shard and verifies it; the caller disposes it. The header, tables and info are always checked;
    /// the tokens (checksums and ids inside the vocabulary) at once by <see cref="ShardVerification.Full"/>, or block by
    /// block on first read by <see cref="ShardVerification.Lazy"/> (very large files). Default: <c>$RK_SHARD_VERIFY</c>
    /// when it says <c>lazy</c>, else full.</summary>
    /// <exception cref="DataFormatException">Wrong magic or version, truncation, inconsistent tables, a checksum
    /// mismatch (file and section named), a token id outside the vocabulary.</exception>
    public static MappedTokenDataset Open(string path, ShardVerification? verify = null) =>
        MappedTokenDataset.Open(path, verify ?? (string.Equals(Environment.GetEnvironmentVariable(VerifyVariable), "lazy", StringComparison.OrdinalIgnoreCase)
            ? ShardVerification.Lazy : ShardVerification.Full));

    /// <summary>Writes any token dataset (e.g. an <see cref="InMemoryTokenDataset"/>) as a shard, atomically.</summary>
    public static void Write(string path, ITokenDataset data, TextTokenizer tokenizer) => Write(path, data, tokenizer, DefaultBlockBytes);

    internal static void Write(string path, ITokenDataset data, TextTokenizer tokenizer, long blockBytes)
    {
        CheckTokenizer(data, tokenizer);
        AtomicFile.Write(path, (Stream s) =>
        {
            var w = new TokenShardWriter(s, tokenizer, blockBytes);
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
                (d.Domain, Chars: (long)d.Text.Length, Prefix: prefix?.Invoke(d) is { Length: > 0 } p ? tokenizer.Encode(p) : [], Body: tokenizer.Encode(d.Text)), d => d.Text.Length);
            foreach (var (domain, docChars, pre, body) in encoded)
            {
                w.Add(domain, pre, body);
                chars += docChars;
                if (w.Documents % 1000 == 0) progress?.Report(new WorkProgress("tokenize", w.Documents, null, $"{w.Tokens:N0} tokens"));
            }
            w.Finish();
            summary = new TokenizeSummary(w.Documents, w.Tokens, w.PrefixTokens, chars, w.DomainCount, w.PrefixedDocuments);
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

/// <summary>How much of a shard <see cref="TokenShard.Open"/> checks before it returns.</summary>
public enum ShardVerification
{
    /// <summary>Every checksum and every token id, at open (one pass over the file at memory speed).</summary>
    Full,
    /// <summary>Header, tables and info at open; each block of tokens the first time a document in it is read.</summary>
    Lazy,
}

/// <summary>What <see cref="TokenShard.Tokenize"/> wrote. Characters are UTF-16 code units of the bodies.</summary>
/// <param name="PrefixedDocuments">Documents that got a non-empty prefix (when a prefix function was given).</param>
public readonly record struct TokenizeSummary(long Documents, long Tokens, long PrefixTokens, long Characters, int Domains, long PrefixedDocuments = 0);
