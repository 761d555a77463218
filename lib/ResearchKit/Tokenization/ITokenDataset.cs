namespace ResearchKit.Tokenization;

/// <summary>
/// A tokenized corpus: per document its body tokens, an optional loss-masked prefix (MeCo metadata) and a
/// domain id. Packers and samplers read it; nothing downstream knows how it was produced.
/// </summary>
public interface ITokenDataset
{
    int DocumentCount { get; }
    /// <summary>Domain names; a document's domain id indexes this list. Sorted by name.</summary>
    IReadOnlyList<string> Domains { get; }
    int VocabSize { get; }
    /// <summary>The end-of-document token appended by packers.</summary>
    int EndOfText { get; }
    int DomainOf(int document);
    ReadOnlySpan<int> Body(int document);
    /// <summary>Tokens placed before the body and masked from the loss; empty when the document has none.</summary>
    ReadOnlySpan<int> Prefix(int document);
    /// <summary>The body's token count, without reading its tokens (a shard with a narrow token type widens on read).</summary>
    int BodyLength(int document) => Body(document).Length;
    /// <summary>The prefix's token count, without reading its tokens.</summary>
    int PrefixLength(int document) => Prefix(document).Length;
}
