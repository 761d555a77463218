using ResearchKit.Corpus;

namespace ResearchKit.Pipeline;

/// <summary>Cuts each document to its first <see cref="MaxChars"/> characters (never inside a surrogate pair): an
/// evaluation budget applied after the steps that decide what text remains. Statistics: "truncated" with the
/// characters cut.</summary>
public sealed class TruncateTransform(int maxChars) : IDocumentTransform
{
    public int MaxChars { get; } = maxChars > 0 ? maxChars : throw new ArgumentOutOfRangeException(nameof(maxChars), "the budget must be positive");
    public string Name => "truncate";

    public IEnumerable<Document> Apply(IEnumerable<Document> documents, TransformStats stats, CancellationToken cancellationToken = default)
    {
        foreach (var document in documents)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var output = Cut(document, MaxChars);
            if (!ReferenceEquals(output, document)) stats.Removed(Name, "truncated", document.Text.Length - output.Text.Length);
            stats.Kept(Name, document, output);
            yield return output;
        }
    }

    /// <summary>The first <paramref name="chars"/> characters, never splitting a surrogate pair; the same document
    /// when it is no longer.</summary>
    public static Document Cut(Document d, int chars)
    {
        if (d.Text.Length <= chars) return d;
        int cut = char.IsHighSurrogate(d.Text[chars - 1]) ? chars - 1 : chars;
        return d with { Text = d.Text[..cut] };
    }
}
