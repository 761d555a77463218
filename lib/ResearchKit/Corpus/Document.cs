namespace ResearchKit.Corpus;

/// <summary>One pretraining document and where it came from.</summary>
/// <param name="Id">Stable identifier, unique within a corpus (used for the train/validation split).</param>
/// <param name="Text">The document text.</param>
/// <param name="Domain">The domain/group the document belongs to (DoReMi domains, per-domain metrics).</param>
/// <param name="Url">The document's true source URL, when it has one (MeCo metadata).</param>
/// <param name="Source">A human-readable source name (publication, package, mailing list) when there is no URL.</param>
/// <param name="Meta">Any other string metadata (topic labels, licence, ...).</param>
public sealed record Document(
    string Id,
    string Text,
    string Domain,
    string? Url = null,
    string? Source = null,
    IReadOnlyDictionary<string, string>? Meta = null);
