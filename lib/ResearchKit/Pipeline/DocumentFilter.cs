using System.Diagnostics;
using ResearchKit.Corpus;

namespace ResearchKit.Pipeline;

/// <summary>
/// A step that keeps or drops whole documents and says why (datatrove's BaseFilter): subclasses return null to keep
/// a document or a short reason ("too_few_words") to drop it. Counts and characters per reason, and the time spent
/// deciding, go to <see cref="TransformStats"/>.
/// </summary>
public abstract class DocumentFilter : IDocumentTransform
{
    public abstract string Name { get; }

    /// <summary>Null to keep the document; otherwise the reason it is dropped.</summary>
    public abstract string? DropReason(Document document);

    public IEnumerable<Document> Apply(IEnumerable<Document> documents, TransformStats stats, CancellationToken cancellationToken = default)
    {
        foreach (var document in documents)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long start = Stopwatch.GetTimestamp();
            var reason = DropReason(document);
            stats.AddTime(Name, Stopwatch.GetElapsedTime(start));
            if (reason is null)
            {
                stats.Kept(Name, document, document);
                yield return document;
            }
            else stats.Dropped(Name, document, reason);
        }
    }
}
