using ResearchKit.Corpus;
using ResearchKit.ProX.Refining;

namespace ResearchKit.ProX;

/// <summary>How supervised (input → program) pairs are drawn from labelled documents.</summary>
/// <param name="PassagesPerDocument">Document level: examples per labelled document (keep or drop), the first its
/// whole text and the others its text from a later paragraph on, so a short prompt sees more of each document.</param>
/// <param name="UnlabelledAsKeep">Documents with no label at a level count as keep (<c>keep_doc()</c>, and
/// <c>keep_chunk()</c> for their chunks). Right for a corpus of extracted main text such as data-samples/sample.parquet;
/// turn it off for a crawl, where unlabelled documents may be anything.</param>
/// <param name="UnlabelledChunksPerDocument">Chunk level: chunks taken from each unlabelled document (seeded), so
/// the model also learns to leave clean text alone without clean text outnumbering the labelled pages.</param>
/// <param name="Seed">Seed of the chunk choice.</param>
public sealed record RefinerExampleOptions(int PassagesPerDocument = 3, bool UnlabelledAsKeep = true, int UnlabelledChunksPerDocument = 2, long Seed = 1);

/// <summary>
/// The supervised pairs that teach a refining model the ground truth of <see cref="ProxLabel"/>: document level, the
/// document (<see cref="ProxPrompts.DocumentUserMessage"/>) → <c>drop_doc()</c> / <c>keep_doc()</c>; chunk level, a
/// chunk (<see cref="ProxPrompts.ChunkUserMessage(ProxChunk)"/>, cut by the model's own chunker) →
/// <see cref="LabelProgramWriter.ChunkProgram"/>, i.e. one <c>remove_lines</c> per labelled boilerplate range in the
/// chunk, or <c>keep_chunk()</c>. Documents labelled drop give no chunk examples (ProX-D removes them first).
/// </summary>
public static class RefinerExamples
{
    public static IReadOnlyList<SftExample> Documents(IEnumerable<Document> documents, RefinerExampleOptions? options = null)
    {
        options ??= new RefinerExampleOptions();
        var examples = new List<SftExample>();
        foreach (var d in documents)
        {
            var label = ProxLabel.Of(d);
            if (label.Drop is null && !options.UnlabelledAsKeep) continue;
            string program = LabelProgramWriter.DocumentProgram(label);
            int passages = label.Drop is null ? 1 : Math.Max(1, options.PassagesPerDocument);
            foreach (var passage in Passages(d.Text).Take(passages)) examples.Add(new SftExample(ProxPrompts.DocumentUserMessage(passage), program));
        }
        return examples;
    }

    /// <summary>The text, then the text from each later paragraph ("\n\n") on, skipping passages of under 40 characters.</summary>
    internal static IEnumerable<string> Passages(string text)
    {
        yield return text;
        for (int at = text.IndexOf("\n\n", StringComparison.Ordinal); at >= 0; at = text.IndexOf("\n\n", at + 2, StringComparison.Ordinal))
        {
            var rest = text[(at + 2)..];
            if (rest.Trim().Length >= 40) yield return rest;
        }
    }

    public static IReadOnlyList<SftExample> Chunks(IEnumerable<Document> documents, ProxChunker chunker, RefinerExampleOptions? options = null)
    {
        options ??= new RefinerExampleOptions();
        var examples = new List<SftExample>();
        foreach (var d in documents)
        {
            var label = ProxLabel.Of(d);
            if (label.Drop == true) continue;
            if (label.Boilerplate is null && (!options.UnlabelledAsKeep || options.UnlabelledChunksPerDocument <= 0)) continue;
            var chunks = chunker.Chunk(d.Text);
            if (label.Boilerplate is null)
            {
                // The smallest seeded keys pick the chunks; corpus order is kept.
                chunks = chunks.Select((c, i) => (c, Key: StableHash.Of($"{d.Id}#{i}", options.Seed)))
                    .OrderBy(x => x.Key).Take(options.UnlabelledChunksPerDocument).Select(x => x.c).OrderBy(c => c.FirstLine).ToList();
            }
            foreach (var chunk in chunks)
                examples.Add(new SftExample(ProxPrompts.ChunkUserMessage(chunk), LabelProgramWriter.ChunkProgram(label, chunk)));
        }
        return examples;
    }
}
