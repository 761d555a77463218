using ResearchKit.Corpus;
using ResearchKit.ProX;
using ResearchKit.Tokenization;

namespace ResearchKit.Tests.ProX;

public sealed class ProxChunkerTests
{
    [Fact]
    public void GreedyChunksWithinTheBudgetAndAnOversizedLineAlone()
    {
        // Byte tokens: "[000]ab" 7, "[001]cd" 7, "[002]" 5, "[003]longlonglong" 17; budget 12.
        var chunks = new ProxChunker(ByteTokenizer.Instance, maxTokens: 12).Chunk("ab\ncd\n\nlonglonglong\nz");
        Assert.Equal(
        [
            new ProxChunk(0, 0, "[000]ab", 7),
            new ProxChunk(1, 2, "[001]cd\n[002]", 12),
            new ProxChunk(3, 3, "[003]longlonglong", 17),
            new ProxChunk(4, 4, "[004]z", 6),
        ], chunks);
    }

    [Fact]
    public void TokensAddedPerLineCountLikeABosPerEncode()
    {
        var chunks = new ProxChunker(ByteTokenizer.Instance, maxTokens: 16, tokensAddedPerLine: 1).Chunk("ab\ncd\nef");
        Assert.Equal([(0, 1, 16), (2, 2, 8)], chunks.Select(c => (c.FirstLine, c.LastLine, c.Tokens)));
    }

    [Fact]
    public void NumbersAreZeroBasedDocumentGlobalAndWidenAtAThousand()
    {
        Assert.Equal("[000]", ProxChunker.LinePrefix(0));
        Assert.Equal("[042]", ProxChunker.LinePrefix(42));
        Assert.Equal("[999]", ProxChunker.LinePrefix(999));
        Assert.Equal("[1000]", ProxChunker.LinePrefix(1000));
        Assert.Equal("[12345]", ProxChunker.LinePrefix(12345));

        var text = string.Join('\n', Enumerable.Range(0, 1002).Select(i => $"line {i}"));
        var chunks = new ProxChunker(ByteTokenizer.Instance, maxTokens: 200).Chunk(text);
        Assert.Equal(0, chunks[0].FirstLine);
        Assert.StartsWith("[000]line 0\n[001]line 1\n", chunks[0].Text);
        Assert.Contains("[999]line 999\n[1000]line 1000\n[1001]line 1001", string.Join('\n', chunks.Select(c => c.Text)));
        for (int i = 1; i < chunks.Count; i++) Assert.Equal(chunks[i - 1].LastLine + 1, chunks[i].FirstLine);
        Assert.Equal(1001, chunks[^1].LastLine);
    }

    [Fact]
    public void EmptyTextHasNoChunksAndABlankLineIsALine()
    {
        var chunker = new ProxChunker(ByteTokenizer.Instance);
        Assert.Empty(chunker.Chunk(""));
        Assert.Equal("[000]\n[001]", Assert.Single(chunker.Chunk("\n")).Text);
    }

    [Fact]
    public void RealPagesWithCl100kCoverEveryLineOnceWithinTheBudget()
    {
        var chunker = new ProxChunker(TextTokenizers.Create("cl100k_base"), maxTokens: 1500);
        var tokenizer = chunker.Tokenizer;
        foreach (var doc in ProxLinesFile.Documents.Take(40))
        {
            var chunks = chunker.Chunk(doc.Text);
            var lines = doc.Text.Split('\n');
            Assert.Equal(0, chunks[0].FirstLine);
            Assert.Equal(lines.Length - 1, chunks[^1].LastLine);
            foreach (var chunk in chunks)
            {
                var chunkLines = chunk.Text.Split('\n');
                Assert.Equal(chunk.LineCount, chunkLines.Length);
                for (int k = 0; k < chunkLines.Length; k++)
                    Assert.Equal(ProxChunker.LinePrefix(chunk.FirstLine + k) + lines[chunk.FirstLine + k], chunkLines[k]);
                Assert.Equal(chunkLines.Sum(l => tokenizer.Encode(l).Length), chunk.Tokens);
                Assert.True(chunk.Tokens <= 1500 || chunk.LineCount == 1, $"{doc.Id}: chunk of {chunk.Tokens} tokens");
            }
            // Greedy: the next chunk's first line would not have fit.
            for (int i = 1; i < chunks.Count; i++)
                Assert.True(chunks[i - 1].Tokens + tokenizer.Encode(chunks[i].Text.Split('\n')[0]).Length > 1500);
        }
    }

    [Fact]
    public void MergeAndPromptsAreTheReferences()
    {
        Assert.Equal("remove_lines(line_start=1, line_end=2)\nkeep_chunk()\n\nskip_chunk()",
                     ProxChunker.MergePrograms(["  remove_lines(line_start=1, line_end=2) ", "keep_chunk()\n", " skip_chunk()"]));
        var chunk = new ProxChunk(3, 4, "[003]a\n[004]b", 0);
        Assert.Equal("[doc]\n[003]a\n[004]b\n[/doc]", ProxPrompts.ChunkUserMessage(chunk));
        Assert.Equal("raw text", ProxPrompts.DocumentUserMessage("raw text"));
        Assert.Equal("You are a helpful, respectful and honest assistant.", ProxPrompts.SystemMessage);
    }
}

/// <summary>The committed line-labelled pages, data-samples/prox-lines.parquet.</summary>
static class ProxLinesFile
{
    public static string Path { get; } = System.IO.Path.Combine(TestCorpus.RepoRoot, "data-samples", "prox-lines.parquet");
    static readonly Lazy<Document[]> Docs = new(() => CorpusReader.Read(Path).ToArray());
    public static IReadOnlyList<Document> Documents => Docs.Value;
}
