using ResearchKit.Corpus;
using ResearchKit.Pipeline;
using ResearchKit.ProX;
using ResearchKit.Tokenization;

namespace ResearchKit.Tests.ProX;

public sealed class ProxRefineTransformTests
{
    /// <summary>Programs looked up by document id: a stand-in for a model whose outputs we choose.</summary>
    sealed class FixedWriter(Dictionary<string, string> documentPrograms, Dictionary<string, string[]> chunkPrograms) : IProgramWriter
    {
        public string Name => "fixed";
        public List<int> BatchSizes { get; } = [];

        public IReadOnlyList<string> WriteDocumentPrograms(IReadOnlyList<Document> documents, CancellationToken cancellationToken = default)
        {
            BatchSizes.Add(documents.Count);
            return documents.Select(d => documentPrograms.GetValueOrDefault(d.Id, "keep_doc()")).ToArray();
        }

        public IReadOnlyList<IReadOnlyList<string>> WriteChunkPrograms(IReadOnlyList<ChunkedDocument> documents, CancellationToken cancellationToken = default) =>
            documents.Select(d => (IReadOnlyList<string>)(chunkPrograms.TryGetValue(d.Document.Id, out var p) ? p : d.Chunks.Select(_ => "keep_chunk()").ToArray())).ToArray();
    }

    const string Words = "one two three four five six seven eight nine ten eleven twelve";

    [Fact]
    public void LabelProgramsDropSpamAndRemoveBoilerplateWithStatistics()
    {
        var meta = new Dictionary<string, string> { ["boilerplate"] = "0-1,4-4" };
        var docs = new[]
        {
            new Document("ham", Words, "mail-ham"),
            new Document("spam", "BUY NOW " + Words, "mail-spam"),
            new Document("page", $"Navigation\nindex | modules\n{Words}\n{Words}\n© Copyright", "python-docs", Meta: meta),
            new Document("short", "too short to keep", "brown-press"),
        };
        var seen = new List<ProxRefinement>();
        var transform = new ProxRefineTransform(new LabelProgramWriter(), ProxStages.DocumentAndChunk, new ProxChunker(ByteTokenizer.Instance, 40),
                                                batchSize: 3, observe: seen.Add);
        var stats = new TransformStats();
        var output = transform.Apply(docs, stats).ToList();

        Assert.Equal("prox-dc-labels", transform.Name);
        Assert.Equal(["ham", "page"], output.Select(d => d.Id));
        Assert.Same(docs[0], output[0]);
        Assert.Equal($"{Words}\n{Words}", output[1].Text);
        Assert.Equal(["ham", "spam", "page", "short"], seen.Select(r => r.Input.Id));
        Assert.Equal("drop_doc()", seen[1].DocumentProgram);
        Assert.Null(seen[1].ChunkProgram);   // dropped at ProX-D: no chunk stage
        // The page's chunks (byte budget 40): its label program, merged.
        Assert.Equal("remove_lines(line_start=0, line_end=1)\nkeep_chunk()\nkeep_chunk()\nremove_lines(line_start=4, line_end=4)", seen[2].ChunkProgram);

        var reasons = stats.Reasons();
        var rows = Enumerable.Range(0, (int)reasons.Rows.Count).ToDictionary(i => (string)reasons["reason"][i], i => ((long)reasons["documents"][i], (long)reasons["characters"][i]));
        Assert.Equal((1L, (long)docs[1].Text.Length), rows["dropped_by_program"]);
        Assert.Equal((1L, (long)docs[3].Text.Length), rows["too_few_words"]);
        // Lines 0, 1 and 4 with their line breaks: "Navigation\n" + "index | modules\n" + "\n© Copyright".
        Assert.Equal((1L, 11L + 16 + 12), rows["lines_removed"]);
        Assert.False(rows.ContainsKey("program_errors"));
        var steps = stats.Steps();
        Assert.Equal(4L, (long)steps["documents_in"][0]);
        Assert.Equal(2L, (long)steps["documents_out"][0]);
        Assert.Equal(1L, (long)steps["documents_modified"][0]);
    }

    [Fact]
    public void ProgramsWithErrorsAndNormalizationsAreCounted()
    {
        var docs = new[] { new Document("a", Words, "d"), new Document("b", Words, "d"), new Document("c", Words, "d") };
        var writer = new FixedWriter([], new()
        {
            ["a"] = ["normalize(\"one\", \"1\")\nnormalize(\"two\", \"\")"],
            ["b"] = ["oops(\nremove_lines(5, 9)"],
            ["c"] = ["keep_chunk()  # fine\nnot a call"],
        });
        var stats = new TransformStats();
        var output = new ProxRefineTransform(writer, ProxStages.Chunk, new ProxChunker(ByteTokenizer.Instance), name: "prox-c").Apply(docs, stats).ToList();
        Assert.Equal(["1  three four five six seven eight nine ten eleven twelve", Words, Words], output.Select(d => d.Text));
        var reasons = stats.Reasons();
        var rows = Enumerable.Range(0, (int)reasons.Rows.Count).ToDictionary(i => (string)reasons["reason"][i], i => ((long)reasons["documents"][i], (long)reasons["characters"][i]));
        Assert.Equal((1L, 2L + 3), rows["normalized"]);
        Assert.Equal((1L, 0L), rows["errors_kept_original"]);
        Assert.Equal((2L, 0L), rows["program_errors"]);
        Assert.Empty(writer.BatchSizes);   // chunk stage only
    }

    [Fact]
    public void AWriterReturningTheWrongNumberOfProgramsIsAnError()
    {
        var writer = new FixedWriter([], new() { ["a"] = ["keep_chunk()", "keep_chunk()"] });
        var transform = new ProxRefineTransform(writer, ProxStages.Chunk, new ProxChunker(ByteTokenizer.Instance));
        var e = Assert.Throws<InvalidOperationException>(() => transform.Apply([new Document("a", Words, "d")], new TransformStats()).ToList());
        Assert.Contains("2 programs for the 1 chunks of 'a'", e.Message);
        Assert.Throws<ArgumentException>(() => new ProxRefineTransform(writer, ProxStages.Chunk));
    }

    [Fact]
    public void BatchesAreAsConfiguredAndTheReferenceDialectIsHonoured()
    {
        var docs = Enumerable.Range(0, 7).Select(i => new Document($"d{i}", Words, "d")).ToArray();
        var writer = new FixedWriter(new() { ["d3"] = "keep_doc()  # not a drop" }, []);
        var strict = new ProxRefineTransform(writer, ProxStages.Document, batchSize: 3);
        Assert.Equal(7, strict.Apply(docs, new TransformStats()).Count());
        Assert.Equal([3, 3, 1], writer.BatchSizes);
        var reference = new ProxRefineTransform(writer, ProxStages.Document, options: ProxOptions.Reference);
        Assert.Equal(6, reference.Apply(docs, new TransformStats()).Count());
    }
}
