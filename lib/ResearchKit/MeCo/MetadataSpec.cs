using System.Runtime.CompilerServices;
using ResearchKit.Corpus;
using ResearchKit.Tokenization;

namespace ResearchKit.MeCo;

/// <summary>
/// How a document's metadata prefix is made: which <see cref="MetadataKind"/>, and the text around it. The default
/// text is MeCo's: <c>"URL: " + metadata + "\n\n"</c>.
/// </summary>
/// <param name="Kind">Which metadata string to use.</param>
public sealed record MetadataSpec(MetadataKind Kind = MetadataKind.Host) : PrefixSpec
{
    /// <summary>Text placed before the metadata string.</summary>
    public string TextBefore { get; init; } = "URL: ";
    /// <summary>Text placed after the metadata string; it separates the prefix from the document.</summary>
    public string TextAfter { get; init; } = "\n\n";
    /// <summary>The constant used by <see cref="MetadataKind.Fixed"/>.</summary>
    public string? FixedText { get; init; }
    /// <summary>The <see cref="Corpus.Document.Meta"/> keys read by <see cref="MetadataKind.Topic"/>; the first one a document has wins.</summary>
    public IReadOnlyList<string> TopicKeys { get; init; } = ["topic"];
    /// <summary>Hex characters of SHA-256 kept by <see cref="MetadataKind.HashedHost"/> (1..64).</summary>
    public int HashLength { get; init; } = 16;
    /// <summary>Prepended to the host before hashing, so different runs can use unrelated hash spaces.</summary>
    public string HashSalt { get; init; } = "";

    public static MetadataSpec None { get; } = new(MetadataKind.None);

    public override string? For(Document document) => MetadataPrefix.For(document, this);

#pragma warning disable CA2255 // the kit registers its own spec kinds when its assembly loads, before any config is read
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RegisterKind() => SpecTypes.Register<PrefixSpec, MetadataSpec>("meco-metadata");
}
