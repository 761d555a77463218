using ResearchKit.Corpus;
using ResearchKit.Pipeline;

namespace ResearchKit.Experiments;

/// <summary>
/// Keeps each document's leading paragraphs: the text up to the last paragraph break (a blank line) at or before
/// <c>maxChars</c> characters, or the first <c>maxChars</c> characters when the first paragraph alone is longer. Short
/// documents stay whole. Small CPU runs use it to make documents window-sized: what packing changes shows only when a
/// window holds several documents (web text in an 8k-token window), and the bundled corpus's documents average 6,500
/// characters. Same documents, same order and ids, so indices still match.
/// </summary>
public sealed class LeadParagraphsStage(Stage<CorpusArtifact> corpus, int maxChars) : Stage<CorpusArtifact>
{
    const string FileName = "corpus.parquet";

    public override string Name => "lead-paragraphs";
    public override object KeyConfig => new { MaxChars = maxChars };
    public override IReadOnlyDictionary<string, IStage> Inputs => new Dictionary<string, IStage> { ["corpus"] = corpus };
    public override string Describe() => $"leading paragraphs of each document, at most {maxChars:N0} characters";

    public override void Run(StageContext context)
    {
        if (maxChars < 1) throw new ArgumentOutOfRangeException(nameof(maxChars), maxChars, "keep at least one character");
        long before = 0, after = 0, shortened = 0;
        var documents = context.Input(corpus).Read().Select(d =>
        {
            var lead = Lead(d.Text, maxChars);
            before += d.Text.Length;
            after += lead.Length;
            if (lead.Length < d.Text.Length) shortened++;
            return d with { Text = lead };
        });
        context.Stats["documents"] = CorpusWriter.Write(context.PathOf(FileName), documents, context.Progress);
        context.Stats["shortened"] = shortened;
        context.Stats["characters_before"] = before;
        context.Stats["characters"] = after;
    }

    /// <summary>The leading paragraphs of <paramref name="text"/> within <paramref name="maxChars"/> characters.</summary>
    public static string Lead(string text, int maxChars)
    {
        if (text.Length <= maxChars) return text;
        int cut = text.LastIndexOf("\n\n", maxChars, maxChars + 1, StringComparison.Ordinal);
        while (cut > 0 && char.IsWhiteSpace(text[cut - 1])) cut--;
        return cut > 0 ? text[..cut] : TruncateTransform.Cut(new Document("", text, ""), maxChars).Text;
    }

    public override CorpusArtifact Load(string directory) => new(System.IO.Path.Combine(directory, FileName));
}
