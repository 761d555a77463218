using System.Buffers.Binary;
using ResearchKit.Embeddings;
using ResearchKit.Tests.Corpus;

namespace ResearchKit.Tests.Embeddings;

public class EmbeddingMatrixTests
{
    static EmbeddingMatrix Sample() => new(3, 2, [1f, 2f, -0.5f, 0f, 0f, 0f], "model x", 0xDEADBEEFCAFEF00DUL);

    [Fact]
    public void WriteThenReadGivesTheSameMatrix()
    {
        using var dir = new TempDir();
        Sample().Write(dir["e.bin"]);
        var back = EmbeddingMatrix.Read(dir["e.bin"]);
        Assert.Equal((3, 2, "model x", 0xDEADBEEFCAFEF00DUL), (back.Rows, back.Dimension, back.Model, back.TextFingerprint));
        Assert.Equal(Sample().Data, back.Data);
        Assert.True(back.IsZeroRow(2));
        Assert.False(back.IsZeroRow(1));
        Assert.Equal(["e.bin"], dir.Files());   // no temporary file left behind
    }

    [Fact]
    public void TruncatedFileNamesTheRowsField()
    {
        using var dir = new TempDir();
        Sample().Write(dir["e.bin"]);
        var bytes = File.ReadAllBytes(dir["e.bin"]);
        File.WriteAllBytes(dir["e.bin"], bytes[..^4]);
        var e = Assert.Throws<ResearchKit.DataFormatException>(() => EmbeddingMatrix.Read(dir["e.bin"]));
        Assert.Equal("rows", e.Field);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void WrongMagicVersionAndNonFiniteValuesAreNamed()
    {
        using var dir = new TempDir();
        Sample().Write(dir["e.bin"]);
        var good = File.ReadAllBytes(dir["e.bin"]);

        var bad = (byte[])good.Clone(); bad[0] = (byte)'X';
        File.WriteAllBytes(dir["m.bin"], bad);
        Assert.Equal("magic", Assert.Throws<ResearchKit.DataFormatException>(() => EmbeddingMatrix.Read(dir["m.bin"])).Field);

        bad = (byte[])good.Clone(); BinaryPrimitives.WriteUInt32LittleEndian(bad.AsSpan(8), 7);
        File.WriteAllBytes(dir["v.bin"], bad);
        Assert.Equal("version", Assert.Throws<ResearchKit.DataFormatException>(() => EmbeddingMatrix.Read(dir["v.bin"])).Field);

        // Row 1, column 1 becomes NaN.
        bad = (byte[])good.Clone();
        int dataStart = bad.Length - 6 * 4;
        BinaryPrimitives.WriteSingleLittleEndian(bad.AsSpan(dataStart + 3 * 4), float.NaN);
        File.WriteAllBytes(dir["n.bin"], bad);
        var e = Assert.Throws<ResearchKit.DataFormatException>(() => EmbeddingMatrix.Read(dir["n.bin"]));
        Assert.Equal((1L, "embedding"), (e.Record, e.Field));

        File.WriteAllBytes(dir["short.bin"], good[..10]);
        Assert.Equal("header", Assert.Throws<ResearchKit.DataFormatException>(() => EmbeddingMatrix.Read(dir["short.bin"])).Field);
    }

    [Fact]
    public void CacheFromAnotherModelOrOtherTextsIsRejected()
    {
        using var dir = new TempDir();
        var texts = new[] { "a", "b", "" };
        var m = new EmbeddingMatrix(3, 2, new float[6], "model x", EmbeddingMatrix.FingerprintOf(texts));
        m.Write(dir["e.bin"]);
        Assert.NotNull(EmbeddingMatrix.ReadCache(dir["e.bin"], "model x", EmbeddingMatrix.FingerprintOf(texts)));
        Assert.Null(EmbeddingMatrix.ReadCache(dir["none.bin"], "model x", 1));
        Assert.Equal("model name", Assert.Throws<ResearchKit.DataFormatException>(() => EmbeddingMatrix.ReadCache(dir["e.bin"], "model y", EmbeddingMatrix.FingerprintOf(texts))).Field);
        var other = EmbeddingMatrix.FingerprintOf(["a", "b", "c"]);
        Assert.Equal("text fingerprint", Assert.Throws<ResearchKit.DataFormatException>(() => EmbeddingMatrix.ReadCache(dir["e.bin"], "model x", other)).Field);
        // Order matters, and ["ab"] is not ["a", "b"].
        Assert.NotEqual(EmbeddingMatrix.FingerprintOf(["a", "b"]), EmbeddingMatrix.FingerprintOf(["b", "a"]));
        Assert.NotEqual(EmbeddingMatrix.FingerprintOf(["a", "b"]), EmbeddingMatrix.FingerprintOf(["ab"]));
    }

    [Fact]
    public void NormalizedScalesRowsAndKeepsZeroRows()
    {
        var n = Sample().Normalized();
        Assert.Equal(1 / Math.Sqrt(5), n.Data[0], 6);
        Assert.Equal(2 / Math.Sqrt(5), n.Data[1], 6);
        Assert.Equal([-1f, 0f, 0f, 0f], n.Data[2..]);
        var withNaN = new EmbeddingMatrix(1, 2, [float.NaN, 1f]);
        Assert.Contains("row 0", Assert.Throws<ArgumentException>(() => withNaN.Normalized()).Message);
    }
}
