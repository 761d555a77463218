using ResearchKit.Models;
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
        var programs = writer.WriteDocumentPrograms(docs);

        var expected = docs.Select(d => Llama2ChatTemplate.Encode(tokenizer, Llama2ChatTemplate.ProxSystemMessage, d, maxTokens: 2000)).ToList();
        Assert.Equal(expected.OrderBy(e => e.Length), recording.Prompts);   // decoded shortest first
        Assert.Equal(2000, recording.Prompts.Max(e => e.Length));
        Assert.Equal((3, 1), (writer.Totals.Prompts, writer.Totals.PromptsTruncated));
        Assert.Equal(Greedy(expected, 6), programs);

        // The released-model factory is the same setting (with the reference's budgets), batched.
        Assert.Equal(programs, RefiningModelWriter.ReleasedDocumentModel(_loaded, new RefiningWriterOptions(6)).WriteDocumentPrograms(docs));
        Assert.Equal(2000, RefiningModelWriter.ReleasedDocumentModel(_loaded).Options.MaxNewTokens);
        Assert.Equal(256, RefiningModelWriter.ReleasedChunkModel(_loaded).Options.MaxNewTokens);
    }

    [Fact]
    public void ChunkLevelWrapsEachChunkAndJoinsADocumentsPrograms()
    {
        var tokenizer = _loaded.Tokenizer!;
        IReadOnlyList<IReadOnlyList<string>> documents = [["[000]First line", "[001]second\n[002]third"], [], ["[000]only chunk"]];
        var recording = new RecordingLm(_loaded.Model);
        var writer = new RefiningModelWriter(recording, tokenizer, new ChatRefiningPrompt(tokenizer, null), [2], new RefiningWriterOptions(5, BatchSize: 1));
        var merged = writer.WriteChunkPrograms(documents);

        var messages = new[] { "[doc]\n[000]First line\n[/doc]", "[doc]\n[001]second\n[002]third\n[/doc]", "[doc]\n[000]only chunk\n[/doc]" };
        var prompts = messages.Select(m => Llama2ChatTemplate.Encode(tokenizer, Llama2ChatTemplate.ProxSystemMessage, m)).ToList();
        Assert.Equal(prompts.OrderBy(e => e.Length), recording.Prompts);
        var p = Greedy(prompts, 5);
        Assert.Equal([p[0] + "\n" + p[1], "", p[2]], merged);
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
