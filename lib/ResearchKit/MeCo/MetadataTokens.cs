using ResearchKit.Corpus;
using ResearchKit.Tokenization;

namespace ResearchKit.MeCo;

/// <summary>A document's prefix and body token ids, tokenized separately so that no token spans the boundary.</summary>
public readonly record struct PrefixedTokens(int[] Prefix, int[] Body);

/// <summary>
/// Tokenizes MeCo documents: the prefix text is encoded on its own and kept apart from the body, as in the reference
/// (MeCo, Gao et al. 2025), so packers can loss-mask it (<see cref="ITokenDataset.Prefix"/>). No BOS is added: the kit's
/// tokenizers have none and separate documents with <see cref="TextTokenizer.EndOfText"/>, appended by the packer.
/// </summary>
public static class MetadataTokens
{
    public static PrefixedTokens Encode(TextTokenizer tokenizer, Document document, MetadataSpec spec) =>
        Encode(tokenizer, document, MetadataPrefix.For(document, spec));

    /// <summary>Encodes with an explicit prefix text (null or empty: no prefix), e.g. another domain's metadata or a user-given prefix.</summary>
    public static PrefixedTokens Encode(TextTokenizer tokenizer, Document document, string? prefix) =>
        new(string.IsNullOrEmpty(prefix) ? [] : tokenizer.Encode(prefix), tokenizer.Encode(document.Text));

    /// <summary>Tokenizes a corpus with the prefix given by <paramref name="spec"/> (<see cref="MetadataKind.None"/>: no prefixes).</summary>
    public static InMemoryTokenDataset Build(IReadOnlyList<Document> documents, TextTokenizer tokenizer, MetadataSpec spec,
        IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default) =>
        InMemoryTokenDataset.Tokenize(documents, tokenizer, d => MetadataPrefix.For(d, spec), progress, cancellationToken);
}
