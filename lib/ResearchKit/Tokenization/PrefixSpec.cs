using ResearchKit.Corpus;

namespace ResearchKit.Tokenization;

/// <summary>
/// A text placed before each document's body and masked from the loss (MeCo's <c>URL: host\n\n</c>), as config:
/// derive, register a kind with <see cref="SpecTypes"/>, and tokenization stores it as the document's prefix.
/// </summary>
public abstract record PrefixSpec
{
    /// <summary>The prefix text of a document; null or empty = none.</summary>
    public abstract string? For(Document document);
}
