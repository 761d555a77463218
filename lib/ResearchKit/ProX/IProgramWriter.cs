using ResearchKit.Corpus;

namespace ResearchKit.ProX;

/// <summary>
/// Where programs come from: a refining model (prompted with <see cref="ProxPrompts"/>), ground-truth labels
/// (<see cref="LabelProgramWriter"/>), or anything else. Called a batch at a time, so a model can generate for many
/// prompts at once. Outputs are raw program text; <see cref="ProxRefineTransform"/> strips, merges and interprets
/// them, so a writer never needs to validate what it writes. Must be deterministic for a given input.
/// </summary>
public interface IProgramWriter
{
    /// <summary>Short name for statistics and reports, e.g. "labels", "prox-web-doc-0.3b".</summary>
    string Name { get; }

    /// <summary>One document-level program per document, in order (e.g. "drop_doc()" or "keep_doc()").</summary>
    IReadOnlyList<string> WriteDocumentPrograms(IReadOnlyList<Document> documents, CancellationToken cancellationToken = default);

    /// <summary>For each document, one program per chunk, in chunk order.</summary>
    IReadOnlyList<IReadOnlyList<string>> WriteChunkPrograms(IReadOnlyList<ChunkedDocument> documents, CancellationToken cancellationToken = default);
}
