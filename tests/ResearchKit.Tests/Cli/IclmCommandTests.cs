using ResearchKit.Corpus;
using ResearchKit.Embeddings;
using ResearchKit.Experiments;
using ResearchKit.Packing;
using ResearchKit.Packing.Iclm;
using ResearchKit.Recipes;
using ResearchKit.Tests.Corpus;

namespace ResearchKit.Tests.Cli;

/// <summary><c>rk iclm embed</c>, <c>rk merge</c> of embedding shards, <c>rk iclm order</c> and
/// <c>rk ablate packing-strategies --dry-run</c> as processes: they write what the library computes.</summary>
public sealed class IclmCommandTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    static Document[] Docs() => Enumerable.Range(0, 12).Select(i => new Document($"d{i}",
        i == 7 ? "" : $"Note {i}: {(i % 3 == 0 ? "the cat naps on the warm mat" : i % 3 == 1 ? "the bank raised interest rates" : "the river flooded after rain")}.", "x")).ToArray();

    static (int Code, string Output) Ok(params string[] args)
    {
        var (code, output) = Rk.Run(args);
        Assert.True(code == 0, output);
        return (code, output);
    }

    [Fact]
    public void EmbedMergeAndOrderWriteWhatTheLibraryComputes()
    {
        var corpus = _dir["c.parquet"];
        CorpusWriter.Write(corpus, Docs());
        var whole = _dir["emb"];
        Ok("iclm", "embed", corpus, "--out", whole, "--threads", "1");
        var embeddings = new EmbeddingArtifact(Path.Combine(whole, EmbeddingArtifact.FileName));
        var matrix = embeddings.Read();
        Assert.Equal(12, matrix.Rows);
        Assert.Equal(384, matrix.Dimension);
        Assert.True(matrix.IsZeroRow(7));

        // Two shards merged: the bytes of one process.
        var sharded = _dir["sharded"];
        Ok("iclm", "embed", corpus, "--out", sharded, "--threads", "1", "--shard", "1/2");
        Ok("iclm", "embed", corpus, "--out", sharded, "--threads", "1", "--shard", "0/2");
        Ok("merge", sharded);
        Assert.Equal(File.ReadAllBytes(embeddings.Path), File.ReadAllBytes(Path.Combine(sharded, EmbeddingArtifact.FileName)));

        var iclmDir = _dir["iclm"];
        var (_, text) = Ok("iclm", "order", corpus, "--embeddings", embeddings.Path, "--out", iclmDir, "--k", "4");
        Assert.Contains("order_adjacent_cosine", text);
        var expected = IclmOrderStage.Compute(new CorpusArtifact(corpus), embeddings, new IclmOptions { Neighbours = 4, Device = "cpu" });
        Assert.Equal(expected.Order, DocumentOrder.Read(Path.Combine(iclmDir, DocumentOrder.FileName)));
        Assert.Equal(7, expected.Order[^1]);   // the empty document goes last
        Assert.Equal(expected.Metrics, new DocumentOrderArtifact(Path.Combine(iclmDir, DocumentOrder.FileName)).Metrics);

        var clusterDir = _dir["clusters"];
        Ok("iclm", "order", corpus, "--embeddings", embeddings.Path, "--out", clusterDir, "--clusters", "--cluster-size", "4", "--seed", "3");
        var clustered = ClusterOrderStage.Compute(new CorpusArtifact(corpus), embeddings, new ClusterOrderOptions(ClusterSize: 4, Seed: 3) { Device = "cpu" });
        Assert.Equal(clustered.Order, DocumentOrder.Read(Path.Combine(clusterDir, DocumentOrder.FileName)));
        Assert.Equal(3, clustered.Metrics["order_clusters"]);   // round(11 with text / 4)

        // Embeddings of another corpus: refused, naming the file.
        var other = _dir["other.parquet"];
        CorpusWriter.Write(other, Docs()[..5]);
        var (code, error) = Rk.Run("iclm", "order", other, "--embeddings", embeddings.Path, "--out", _dir["bad"]);
        Assert.NotEqual(0, code);
        Assert.Contains(EmbeddingArtifact.FileName, error);
    }

    [Fact]
    public void AblateListsPackingStrategiesAndPlansItsStages()
    {
        var (_, list) = Ok("ablate");
        Assert.Contains("packing-strategies", list);
        var output = _dir["dry"];
        var (_, text) = Ok("ablate", "packing-strategies", "--preset", "smoke", "--seeds", "1", "--dry-run",
            "--corpus", Path.Combine(TestCorpus.RepoRoot, RecipeCatalog.DefaultCorpus), "--out", output);
        foreach (var stage in new[] { "lead-paragraphs-", "embed-", "iclm-order-", "cluster-order-", "incontext-pairs-", "incontext-probe-", "packing-stats-" })
            Assert.Contains(stage, text);
        Assert.False(Directory.Exists(Path.Combine(output, "stages")));
    }
}
