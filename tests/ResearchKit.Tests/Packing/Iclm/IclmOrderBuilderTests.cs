using ResearchKit.Corpus;
using ResearchKit.Embeddings;
using ResearchKit.Packing;
using ResearchKit.Packing.Iclm;
using ResearchKit.Tests.Corpus;
using ResearchKit.Tests.Embeddings;

namespace ResearchKit.Tests.Packing.Iclm;

public class IclmOrderBuilderTests(MiniLMFixture fixture) : IClassFixture<MiniLMFixture>
{
    /// <summary>Real paragraphs (≥ 200 characters) of the bundled corpus, the first <paramref name="perDomain"/> of each domain.</summary>
    static List<Document> Paragraphs(string[] domains, int perDomain)
    {
        var sample = Path.Combine(TestCorpus.RepoRoot, "data-samples", "sample.parquet");
        var result = new List<Document>();
        foreach (var domain in domains)
            result.AddRange(CorpusReader.Read(sample).Where(d => d.Domain == domain)
                .SelectMany(d => d.Text.Split("\n\n").Select((p, k) => new Document($"{d.Id}#{k}", p.Trim(), d.Domain)))
                .Where(p => p.Text.Length >= 200).Take(perDomain));
        return result;
    }

    static double SameDomainAdjacent(IReadOnlyList<Document> docs, IReadOnlyList<int> order) =>
        Enumerable.Range(1, order.Count - 1).Count(i => docs[order[i]].Domain == docs[order[i - 1]].Domain) / (double)(order.Count - 1);

    [Fact]
    public void RelatedDocumentsEndUpNextToEachOther()
    {
        var docs = Paragraphs(["brown-fiction", "mail-spam", "man-pages"], 15);
        // Interleave the domains so corpus order carries no signal.
        docs = Enumerable.Range(0, 15).SelectMany(i => new[] { docs[i], docs[15 + i], docs[30 + i] }).ToList();
        var result = IclmOrderBuilder.Build(docs, fixture.Embedder, new IclmOptions { Neighbours = 10 });
        Assert.Equal(KnnMethod.Exact, result.KnnUsed);
        Assert.Equal(docs.Count - result.Semantic.RemovedCount, result.Order.Length);
        Assert.Equal(result.Order.Length, result.Order.Distinct().Count());
        Assert.True(SameDomainAdjacent(docs, result.Order) >= 0.8, $"same-domain neighbours {SameDomainAdjacent(docs, result.Order):F2}");
        Assert.True(result.MeanAdjacentSimilarity > result.RandomAdjacentSimilarity + 0.1,
                    $"adjacent cosine {result.MeanAdjacentSimilarity:F3} vs random {result.RandomAdjacentSimilarity:F3}");
        // Deterministic, also through HNSW (which finds the same neighbours on 45 documents).
        Assert.Equal(result.Order, IclmOrderBuilder.Build(docs, fixture.Embedder, new IclmOptions { Neighbours = 10 }).Order);
        Assert.Equal(result.Order, IclmOrderBuilder.Build(docs, fixture.Embedder, new IclmOptions { Neighbours = 10, Knn = KnnMethod.Hnsw }).Order);

        // The reference's behaviour (lexical dedup, sort and merge) on fewer than 32 documents.
        var reference = IclmOrderBuilder.Build(docs.Take(20).ToList(), fixture.Embedder, IclmOptions.Reference);
        Assert.Equal(20 - reference.Lexical!.RemovedCount, reference.Order.Length);
        Assert.True(reference.Paths.PathStarts.Zip(reference.Paths.PathStarts.Skip(1).Append(reference.Paths.Order.Length)).All(p => p.Second - p.First <= 21));

        // Cluster concatenation: three clusters, each a run of one domain.
        var clusters = IclmOrderBuilder.ClusterConcat(fixture.Embedder.Embed(docs.Select(d => d.Text).ToArray()), 3, seed: 1);
        Assert.Equal(Enumerable.Range(0, docs.Count), clusters.Order.Order());
        Assert.True(SameDomainAdjacent(docs, clusters.Order) >= 0.9, $"cluster concat same-domain neighbours {SameDomainAdjacent(docs, clusters.Order):F2}");
    }

    [Fact]
    public void DuplicatesEmptyDocumentsAndASingleDocument()
    {
        var x = "Bond markets rallied on Friday as investors priced in an early rate cut by the central bank.";
        var docs = new List<Document>
        {
            new("a", x, "news"), new("b", "Install the package with apt-get and restart the service.", "docs"),
            new("c", "", "news"), new("d", x, "news"), new("e", "   ", "docs"),
            new("f", "The recipe needs two eggs, flour, and a pinch of salt.", "food"),
        };
        var r = IclmOrderBuilder.Build(docs, fixture.Embedder);
        Assert.Equal([2, 4], r.EmptyDocuments);
        Assert.Equal([2, 4], r.Order[^2..]);                     // empty documents last, in index order
        Assert.True(r.Semantic.Removed[3]);                      // exact duplicate of document 0
        Assert.Equal(0, r.Semantic.DuplicateOf[3]);
        Assert.Equal([0, 1, 2, 4, 5], r.Order.Order());

        Assert.Equal([0], IclmOrderBuilder.Build([docs[0]], fixture.Embedder).Order);
        Assert.Equal([0], IclmOrderBuilder.Build([docs[2]], fixture.Embedder).Order);   // one empty document

        var twice = docs.Append(new Document("b", "another text", "docs")).ToList();
        var e = Assert.Throws<ArgumentException>(() => IclmOrderBuilder.Build(twice, fixture.Embedder));
        Assert.Contains("documents 1 and 6 share the id 'b'", e.Message);
    }

    [Fact]
    public void EmbeddingsAreCachedAndAWrongCacheIsRejected()
    {
        using var dir = new TempDir();
        string[] texts = ["first document", "second document", "third one"];
        var made = IclmOrderBuilder.Embed(texts, fixture.Embedder, dir["e.bin"]);
        Assert.True(File.Exists(dir["e.bin"]));
        Assert.Equal(made.Data, IclmOrderBuilder.Embed(texts, fixture.Embedder, dir["e.bin"]).Data);
        // Other texts: the cache is refused, not silently reused.
        Assert.Throws<ResearchKit.DataFormatException>(() => IclmOrderBuilder.Embed(["first document", "changed", "third one"], fixture.Embedder, dir["e.bin"]));
        // Rows of the wrong width under the right name and texts (a custom model that changed): a clear error.
        new EmbeddingMatrix(3, 8, new float[24], fixture.Embedder.Name, EmbeddingMatrix.FingerprintOf(texts)).Write(dir["w.bin"]);
        var e = Assert.Throws<ResearchKit.DataFormatException>(() => IclmOrderBuilder.Embed(texts, fixture.Embedder, dir["w.bin"]));
        Assert.Equal("dimension", e.Field);
        // Embeddings that do not match the texts.
        Assert.Throws<ArgumentException>(() => IclmOrderBuilder.Build(texts, new EmbeddingMatrix(2, 4, new float[8])));
    }
}
