using ResearchKit.Corpus;
using ResearchKit.Models;
using ResearchKit.ProX;
using ResearchKit.ProX.Refining;
using ResearchKit.Runtime;
using ResearchKit.Tests.Models;
using static TorchSharp.torch;

namespace ResearchKit.Tests.ProX.Refining;

public sealed class RefiningModelWriterTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "rk-refiner-" + Guid.NewGuid().ToString("N"));
    readonly LoadedLlama _loaded;

    public RefiningModelWriterTests()
    {
        TorchRuntime.Initialize("cpu");
        TinyLlama.Write(_dir, new TinyLlama.Spec(SentencePieceTestModel.VocabSize, 32, 48, 2, 4, 2, MaxPositions: 2100), seed: 4);
        SentencePieceTestModel.Write(Path.Combine(_dir, "tokenizer.model"));
        _loaded = LlamaCheckpoint.Load(_dir);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The real model, recording the prompt of every prefill (batches of one, so prompts are unpadded; they
    /// are decoded shortest first).</summary>
    sealed class RecordingLm(ICausalLm inner) : ICausalLm
    {
        public List<int[]> Prompts { get; } = [];
        public int VocabSize => inner.VocabSize;
        public int Layers => inner.Layers;
        public int ContextLength => inner.ContextLength;
        public Device Device => inner.Device;

        public Tensor Forward(Tensor tokens, Tensor positions, Tensor attentionMask, ResearchKit.Models.KvCache? cache)
        {
            if (cache is { Length: 0 }) Prompts.Add(tokens[0].data<long>().Select(t => (int)t).ToArray());
            return inner.Forward(tokens, positions, attentionMask, cache);
        }
    }

    List<string> Greedy(IEnumerable<int[]> prompts, int maxNew) =>
        GreedyDecoding.Generate(_loaded.Model, prompts.ToList(), new GenerationOptions(maxNew, [2]))
            .Select(g => _loaded.Tokenizer!.Decode(g.Tokens).Trim(' ')).ToList();

    [Fact]
    public void DocumentLevelPromptsWithTheChatTemplateCutTo2000Tokens()
    {
        var tokenizer = _loaded.Tokenizer!;
        var r = new Random(3);
        var longDoc = new string(Enumerable.Range(0, 2600).Select(_ => "abcdefgh ,.\nXYZ"[r.Next(15)]).ToArray());
        var docs = new[] { "Hello world.", longDoc, "  Trailing whitespace   \n\n" };
        var recording = new RecordingLm(_loaded.Model);
        var writer = new RefiningModelWriter(recording, tokenizer, new ChatRefiningPrompt(tokenizer, 2000), _loaded.Model.Config.EndTokenIds, new RefiningWriterOptions(6, BatchSize: 1));
        var programs = writer.WriteDocumentPrograms(Documents(docs));

        var expected = docs.Select(d => Llama2ChatTemplate.Encode(tokenizer, Llama2ChatTemplate.ProxSystemMessage, d, maxTokens: 2000)).ToList();
        Assert.Equal(expected.OrderBy(e => e.Length), recording.Prompts);   // decoded shortest first
        Assert.Equal(2000, recording.Prompts.Max(e => e.Length));
        Assert.Equal((3, 1), (writer.Totals.Prompts, writer.Totals.PromptsTruncated));
        Assert.Equal(Greedy(expected, 6), programs);

        // The released-model factory is the same setting (with the reference's budgets), batched.
        Assert.Equal(programs, RefiningModelWriter.ReleasedDocumentModel(_loaded, new RefiningWriterOptions(6)).WriteDocumentPrograms(Documents(docs)));
        Assert.Equal(2000, RefiningModelWriter.ReleasedDocumentModel(_loaded).Options.MaxNewTokens);
        Assert.Equal(256, RefiningModelWriter.ReleasedChunkModel(_loaded).Options.MaxNewTokens);
    }

    static Document[] Documents(IEnumerable<string> texts) => texts.Select((t, i) => new Document($"d{i}", t, "test")).ToArray();

    [Fact]
    public void ChunkLevelWrapsEachChunkAndReturnsOneProgramPerChunk()
    {
        var tokenizer = _loaded.Tokenizer!;
        var documents = new[]
        {
            new ChunkedDocument(new Document("a", "First line\nsecond\nthird", "t"), [new ProxChunk(0, 0, "[000]First line", 4), new ProxChunk(1, 2, "[001]second\n[002]third", 8)]),
            new ChunkedDocument(new Document("b", "", "t"), []),
            new ChunkedDocument(new Document("c", "only chunk", "t"), [new ProxChunk(0, 0, "[000]only chunk", 4)]),
        };
        var recording = new RecordingLm(_loaded.Model);
        var writer = new RefiningModelWriter(recording, tokenizer, new ChatRefiningPrompt(tokenizer, null), [2], new RefiningWriterOptions(5, BatchSize: 1));
        var programs = writer.WriteChunkPrograms(documents);

        var messages = new[] { "[doc]\n[000]First line\n[/doc]", "[doc]\n[001]second\n[002]third\n[/doc]", "[doc]\n[000]only chunk\n[/doc]" };
        var prompts = messages.Select(m => Llama2ChatTemplate.Encode(tokenizer, Llama2ChatTemplate.ProxSystemMessage, m)).ToList();
        Assert.Equal(prompts.OrderBy(e => e.Length), recording.Prompts);
        var p = Greedy(prompts, 5);
        Assert.Equal(3, programs.Count);
        Assert.Equal([p[0], p[1]], programs[0]);
        Assert.Empty(programs[1]);
        Assert.Equal([p[2]], programs[2]);
    }

    /// <summary>The released chunk model counts chunk tokens as the reference: each numbered line with the model's
    /// SentencePiece tokenizer plus its BOS, 1500 per chunk.</summary>
    [Fact]
    public void ReleasedChunkModelChunksWithItsTokenizerPlusBosPerLine()
    {
        var tokenizer = _loaded.Tokenizer!;
        var chunker = RefiningModelWriter.ReleasedChunkModel(_loaded).CreateChunker();
        Assert.Same(tokenizer, chunker.Tokenizer);
        Assert.Equal((1500, 1), (chunker.MaxTokens, chunker.TokensAddedPerLine));
        var lines = new[] { "Hello world.", "", "second line here" };
        var chunk = Assert.Single(chunker.Chunk(string.Join('\n', lines)));
        Assert.Equal(lines.Select((l, j) => tokenizer.Encode(ProxChunker.LinePrefix(j) + l).Length + 1).Sum(), chunk.Tokens);
        // A budget that holds exactly the first two lines cuts before the third.
        int two = lines.Take(2).Select((l, j) => tokenizer.Encode(ProxChunker.LinePrefix(j) + l).Length + 1).Sum();
        var cut = RefiningModelWriter.ReleasedChunkModel(_loaded).CreateChunker(two).Chunk(string.Join('\n', lines));
        Assert.Equal([(0, 1), (2, 2)], cut.Select(c => (c.FirstLine, c.LastLine)));
    }

    /// <summary>Wired into the ProX transform: programs the model writes are executed on the documents, and the
    /// statistics name the model.</summary>
    [Fact]
    public void PlugsIntoTheRefineTransformAsAProgramWriter()
    {
        var writer = RefiningModelWriter.ReleasedDocumentModel(_loaded, new RefiningWriterOptions(6));
        var docs = Documents(["one two three four five six seven eight nine ten eleven twelve", "Hello world, short."]);
        var expected = writer.WriteDocumentPrograms(docs);
        var stats = new ResearchKit.Pipeline.TransformStats();
        var seen = new List<ProxRefinement>();
        var output = new ProxRefineTransform(writer, ProxStages.Document, observe: seen.Add).Apply(docs, stats).ToList();
        Assert.Equal(expected, seen.Select(r => r.DocumentProgram));
        var interpreter = new ProgramInterpreter();
        Assert.Equal(docs.Where((d, i) => !interpreter.RunDocumentProgram(d.Text, expected[i].Trim(' ')).Dropped).Select(d => d.Id), output.Select(d => d.Id));
        Assert.Equal("prox-d-" + Path.GetFileName(_dir), Assert.Single(stats.Steps()["step"].Cast<string>()));
    }

    [Fact]
    public void ReleasedModelsNeedTheirTokenizer()
    {
        File.Delete(Path.Combine(_dir, "tokenizer.model"));
        var loaded = LlamaCheckpoint.Load(_dir);
        Assert.Null(loaded.Tokenizer);
        Assert.Contains("tokenizer.model", Assert.Throws<FileNotFoundException>(() => RefiningModelWriter.ReleasedDocumentModel(loaded)).Message);
    }
}
