using ResearchKit.Corpus;

namespace ResearchKit.Pipeline;

/// <summary>Steps applied in order to a document stream (lazily: nothing runs until the result is enumerated),
/// each reporting into one shared <see cref="TransformStats"/>.</summary>
public sealed record DocumentPipeline(IReadOnlyList<IDocumentTransform> Steps)
{
    public IEnumerable<Document> Apply(IEnumerable<Document> documents, TransformStats stats, CancellationToken cancellationToken = default)
    {
        var duplicate = Steps.GroupBy(s => s.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"two pipeline steps are named '{duplicate.Key}'; step names key the statistics");
        foreach (var step in Steps) documents = step.Apply(documents, stats, cancellationToken);
        return documents;
    }
}
