using ResearchKit.Corpus;

namespace ResearchKit.Tokenization;

/// <summary>An <see cref="ITokenDataset"/> held in memory: for tests, small corpora and freshly tokenized data.</summary>
public sealed class InMemoryTokenDataset : ITokenDataset
{
    readonly List<int> _tokens = [];
    readonly List<(int BodyStart, int BodyLength, int PrefixStart, int PrefixLength, int Domain)> _docs = [];
    readonly string[] _domains;

    /// <param name="domains">Domain names; sorted here so that ids follow name order (as DoReMi does).</param>
    public InMemoryTokenDataset(IEnumerable<string> domains, int vocabSize, int endOfText)
    {
        _domains = domains.Distinct().Order(StringComparer.Ordinal).ToArray();
        if (endOfText < 0 || endOfText >= vocabSize) throw new ArgumentOutOfRangeException(nameof(endOfText), "end-of-text id must be inside the vocabulary");
        VocabSize = vocabSize;
        EndOfText = endOfText;
    }

    /// <summary>
    /// Tokenizes documents in order. When <paramref name="prefixOf"/> gives a text for a document (MeCo's
    /// "URL: host\n\n"), it is encoded on its own and stored as the document's loss-masked prefix, so no token spans
    /// the prefix/body boundary. For corpora that fit in memory; <see cref="TokenShard.Tokenize"/> streams to disk.
    /// </summary>
    public static InMemoryTokenDataset Tokenize(IReadOnlyList<Document> documents, TextTokenizer tokenizer, Func<Document, string?>? prefixOf = null,
        IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var dataset = new InMemoryTokenDataset(documents.Select(d => d.Domain), tokenizer.VocabSize, tokenizer.EndOfText);
        for (int i = 0; i < documents.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var prefix = prefixOf?.Invoke(documents[i]);
            dataset.Add(documents[i].Domain, tokenizer.Encode(documents[i].Text), string.IsNullOrEmpty(prefix) ? default : tokenizer.Encode(prefix));
            if ((i + 1) % 256 == 0 || i + 1 == documents.Count) progress?.Report(new("tokenize", i + 1, documents.Count));
        }
        return dataset;
    }

    public int DocumentCount => _docs.Count;
    public IReadOnlyList<string> Domains => _domains;
    public int VocabSize { get; }
    public int EndOfText { get; }

    /// <summary>Appends a document; returns its index.</summary>
    public int Add(string domain, ReadOnlySpan<int> body, ReadOnlySpan<int> prefix = default)
    {
        int d = Array.IndexOf(_domains, domain);
        if (d < 0) throw new ArgumentException($"unknown domain '{domain}'", nameof(domain));
        foreach (var t in body) CheckId(t);
        foreach (var t in prefix) CheckId(t);
        int prefixStart = _tokens.Count;
        _tokens.AddRange(prefix);
        int bodyStart = _tokens.Count;
        _tokens.AddRange(body);
        _docs.Add((bodyStart, body.Length, prefixStart, prefix.Length, d));
        return _docs.Count - 1;
    }

    void CheckId(int id)
    {
        if ((uint)id >= (uint)VocabSize) throw new ArgumentOutOfRangeException(nameof(id), $"token id {id} is outside the vocabulary of {VocabSize}");
    }

    public int DomainOf(int document) => _docs[document].Domain;
    public ReadOnlySpan<int> Body(int document) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_tokens).Slice(_docs[document].BodyStart, _docs[document].BodyLength);
    public ReadOnlySpan<int> Prefix(int document) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_tokens).Slice(_docs[document].PrefixStart, _docs[document].PrefixLength);
}
