using ResearchKit.Corpus;
using ResearchKit.Embeddings;
using ResearchKit.Experiments;
using ResearchKit.Pipeline;
using ResearchKit.Tests.Corpus;
using ResearchKit.Tests.Packing.Strategies;

namespace ResearchKit.Tests.Embeddings;

public sealed class EmbeddingShardsTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    static readonly MiniLMEmbedding MiniLM = new() { Threads = 2, BatchSize = 3 };

    Document[] Corpus() => Enumerable.Range(0, 23).Select(i => new Document($"d{i}",
        i == 5 ? "" : $"Document {i} is about {(i % 3 == 0 ? "cats and their naps" : i % 3 == 1 ? "interest rates and banks" : "rivers, rain and floods")}, part {i}.",
        "x")).ToArray();

    [Fact]
    public void ShardedEmbeddingMergesToTheBytesOfOneProcess()
    {
        var corpus = _dir["c.parquet"];
        CorpusWriter.Write(corpus, Corpus());
        var single = EmbeddingShards.Embed(corpus, ColumnMapping.Native, MiniLM, _dir.Path, unitDocuments: 4);
        var expected = File.ReadAllBytes(Path.Combine(_dir.Path, EmbeddingArtifact.FileName));

        var output = _dir["sharded"];
        var first = EmbeddingShards.Run(corpus, ColumnMapping.Native, MiniLM, output, new ShardSpec(2, 3), unitDocuments: 4);
        Assert.False(first.Skipped);
        Assert.Equal(7, first.Stats["documents"]!.GetValue<int>());   // units 2 and 5: documents 8-11 and 20-22
        Assert.Throws<InvalidOperationException>(() => EmbeddingShards.Merge(output));   // shards 0 and 1 are missing
        EmbeddingShards.Run(corpus, ColumnMapping.Native, MiniLM, output, new ShardSpec(0, 3), unitDocuments: 4);
        EmbeddingShards.Run(corpus, ColumnMapping.Native, MiniLM, output, new ShardSpec(1, 3), unitDocuments: 4);
        Assert.True(EmbeddingShards.Run(corpus, ColumnMapping.Native, MiniLM, output, new ShardSpec(1, 3), unitDocuments: 4).Skipped);
        Assert.Throws<InvalidOperationException>(() => EmbeddingShards.Run(corpus, ColumnMapping.Native, MiniLM, output, new ShardSpec(0, 2), unitDocuments: 4));

        var merged = EmbeddingShards.Merge(output);
        Assert.Equal(expected, File.ReadAllBytes(Path.Combine(output, EmbeddingArtifact.FileName)));
        Assert.Equal(single.TextFingerprint, merged.TextFingerprint);
        Assert.Equal(EmbeddingMatrix.FingerprintOf(Corpus().Select(d => d.Text)), merged.TextFingerprint);
        Assert.True(merged.IsZeroRow(5));
    }

    [Fact]
    public void TheEmbedStageWritesWhatTheCommandLineWrites()
    {
        var docs = Corpus();
        var corpus = _dir["c.parquet"];
        CorpusWriter.Write(corpus, docs);
        EmbeddingShards.Embed(corpus, ColumnMapping.Native, MiniLM, _dir.Path);
        using var runner = new StageRunner(new ArtifactStore(_dir["stages"]));
        var stage = runner.Run(new EmbedStage(new LiteralCorpusStage(docs), MiniLM));
        Assert.Equal(File.ReadAllBytes(Path.Combine(_dir.Path, EmbeddingArtifact.FileName)), File.ReadAllBytes(stage.Path));
    }
}
