using ResearchKit.Corpus;

namespace ResearchKit.Pipeline;

/// <summary>
/// One step of a document pipeline (datatrove's step): documents in, documents out, streaming. A step may drop
/// documents (a filter), rewrite them (ProX programs, line filters) or both; it records what it did in
/// <see cref="TransformStats"/> under its <see cref="Name"/>. Steps must be deterministic in their input, so a
/// sharded run gives the same bytes as a single one.
/// </summary>
public interface IDocumentTransform
{
    /// <summary>Short, unique within a pipeline, e.g. "gopher-quality"; names the step in the statistics.</summary>
    string Name { get; }

    IEnumerable<Document> Apply(IEnumerable<Document> documents, TransformStats stats, CancellationToken cancellationToken = default);
}
