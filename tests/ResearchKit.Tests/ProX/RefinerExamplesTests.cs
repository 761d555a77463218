using ResearchKit.Corpus;
using ResearchKit.ProX;
using ResearchKit.ProX.Refining;
using ResearchKit.Tokenization;
using ResearchKit.Training;

namespace ResearchKit.Tests.ProX;

/// <summary>The supervised pairs the kit's refining models learn from: exactly the label programs, on exactly the
/// chunks the trained model will be shown.</summary>
public sealed class RefinerExamplesTests
{
    static readonly Dictionary<string, string> Page = new() { ["boilerplate"] = "0-1,6-7" };

    [Fact]
    public void DocumentExamplesAreLabelledMailWithPassagesAndUnlabelledTextAsKeep()
    {
        var docs = new[]
        {
            new Document("s", "Buy cheap pills now, limited offer today only!\n\nClick the link below to claim your prize money.\n\nok", "mail-spam"),
            new Document("h", "Are we still on for the meeting at noon tomorrow?", "mail-ham"),
            new Document("b", "It was a bright cold day in April.\n\nThe clocks were striking thirteen on every tower.", "brown-fiction"),
        };
        var examples = RefinerExamples.Documents(docs, new RefinerExampleOptions(PassagesPerDocument: 3));
        Assert.Equal(
        [
            new SftExample(docs[0].Text, "drop_doc()"),
            new SftExample("Click the link below to claim your prize money.\n\nok", "drop_doc()"),   // "ok" alone is under 40 characters
            new SftExample(docs[1].Text, "keep_doc()"),
            new SftExample(docs[2].Text, "keep_doc()"),                                          // unlabelled: its head only
        ], examples);
        Assert.Equal(3, RefinerExamples.Documents(docs, new RefinerExampleOptions(UnlabelledAsKeep: false)).Count);
    }

    [Fact]
    public void ChunkExamplesAreLabelProgramsOnTheModelsOwnChunks()
    {
        var text = string.Join('\n', "Home", "Next | Previous", "Title", "First paragraph of the page.", "Second paragraph.", "Third.", "Footer (c)", "Last updated");
        var docs = new[]
        {
            new Document("p", text, "python-docs-pages", Meta: Page),
            new Document("s", "spam\nspam", "mail-spam"),
            new Document("b", string.Join('\n', Enumerable.Range(0, 40).Select(i => $"Clean line number {i}.")), "brown-press"),
        };
        var chunker = new ProxChunker(ByteTokenizer.Instance, maxTokens: 60, tokensAddedPerLine: 1);
        var examples = RefinerExamples.Chunks(docs, chunker, new RefinerExampleOptions(UnlabelledChunksPerDocument: 2, Seed: 3));
        var pageChunks = chunker.Chunk(text);
        Assert.True(pageChunks.Count >= 3);
        var label = ProxLabel.Of(docs[0]);
        Assert.Equal(pageChunks.Select(c => new SftExample("[doc]\n" + c.Text + "\n[/doc]", LabelProgramWriter.ChunkProgram(label, c))), examples.Take(pageChunks.Count));
        Assert.Equal("[doc]\n[000]Home\n[001]Next | Previous\n[002]Title\n[/doc]", examples[0].Input);
        Assert.Equal("remove_lines(line_start=0, line_end=1)", examples[0].Program);
        // Spam gives none; the clean document two seeded chunks, in document order, each keep_chunk().
        var clean = examples.Skip(pageChunks.Count).ToList();
        Assert.Equal(2, clean.Count);
        Assert.All(clean, e => Assert.Equal("keep_chunk()", e.Program));
        var cleanChunks = chunker.Chunk(docs[2].Text).Select(c => "[doc]\n" + c.Text + "\n[/doc]").ToList();
        Assert.True(cleanChunks.IndexOf(clean[0].Input) < cleanChunks.IndexOf(clean[1].Input));
        Assert.Equal(clean, RefinerExamples.Chunks(docs, chunker, new RefinerExampleOptions(UnlabelledChunksPerDocument: 2, Seed: 3)).Skip(pageChunks.Count));
        Assert.NotEqual(clean, RefinerExamples.Chunks(docs, chunker, new RefinerExampleOptions(UnlabelledChunksPerDocument: 2, Seed: 4)).Skip(pageChunks.Count));
    }

    /// <summary>A kit refiner's chunks fill its prompt exactly: the longest chunk's "[doc]"-wrapped message, with the
    /// separator, is at most the prompt budget, so the model sees every line it is asked about.</summary>
    [Fact]
    public void AKitRefinersChunksFitItsPromptUncut()
    {
        var model = new GptConfig(257, 32, 1, 2, 256);
        var options = new SftOptions(MaxProgramTokens: 48);
        var chunker = RefinerSft.Chunker(ByteTokenizer.Instance, model, options);
        var prompt = new PlainRefiningPrompt(ByteTokenizer.Instance, model.Context - options.MaxProgramTokens - 1, options.Separator);
        var pages = CorpusReader.Read(Path.Combine(TestCorpus.RepoRoot, "data-samples", "prox-lines.parquet")).Take(5);
        int longest = 0;
        foreach (var page in pages)
            foreach (var chunk in chunker.Chunk(page.Text).Where(c => c.Tokens <= chunker.MaxTokens))
            {
                var encoded = prompt.Encode(ProxPrompts.ChunkUserMessage(chunk));
                Assert.False(encoded.Truncated, chunk.Text);
                longest = Math.Max(longest, encoded.Ids.Length);
            }
        Assert.InRange(longest, prompt.MaxTokens - 100, prompt.MaxTokens);   // and the budget is used
    }
}
