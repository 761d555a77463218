using System.Buffers.Binary;
using System.Text;
using ResearchKit.Integrity;
using ResearchKit.Tests.Corpus;
using ResearchKit.Tokenization;

namespace ResearchKit.Tests.Reliability;

/// <summary>Token shard v2: narrowest token type, checksums per section (header, tables, info, token blocks), token ids
/// inside the vocabulary, readable errors for a malformed info block; version 1 still read.</summary>
public sealed class TokenShardIntegrityTests
{
    static InMemoryTokenDataset Sample(int vocab = 257, int eot = 256, int big = 200)
    {
        var d = new InMemoryTokenDataset(["web", "code"], vocab, eot);
        for (int i = 0; i < 40; i++) d.Add(i % 2 == 0 ? "web" : "code", Enumerable.Range(0, 10 + i).Select(t => (t * 7 + i) % big).ToArray(), i % 3 == 0 ? [5, 6] : []);
        return d;
    }

    static void AssertSame(ITokenDataset expected, ITokenDataset actual)
    {
        Assert.Equal(expected.DocumentCount, actual.DocumentCount);
        for (int i = 0; i < expected.DocumentCount; i++)
        {
            Assert.Equal(expected.Body(i).ToArray(), actual.Body(i).ToArray());
            Assert.Equal(expected.Prefix(i).ToArray(), actual.Prefix(i).ToArray());
            Assert.Equal(expected.BodyLength(i), actual.BodyLength(i));
        }
    }

    [Theory]
    [InlineData(257, 256, 255, 1)]      // bytes: 0..255 plus end-of-text, which documents never store
    [InlineData(258, 256, 257, 2)]
    [InlineData(50_257, 50_256, 50_255, 2)]
    [InlineData(100_277, 100_257, 100_276, 4)]
    public void StoresTokensInTheNarrowestTypeTheVocabularyAllows(int vocab, int eot, int big, int width)
    {
        using var dir = new TempDir();
        var data = Sample(vocab, eot, big + 1);
        TokenShard.Write(dir["t.rkt"], data, new FixedVocabulary(vocab, eot));
        using var shard = TokenShard.Open(dir["t.rkt"]);
        Assert.Equal(width, shard.TokenWidth);
        Assert.Equal(width, BinaryPrimitives.ReadInt32LittleEndian(File.ReadAllBytes(dir["t.rkt"]).AsSpan(12)));
        AssertSame(data, shard);
        long tokens = Enumerable.Range(0, data.DocumentCount).Sum(d => data.Body(d).Length + data.Prefix(d).Length);
        Assert.InRange(new FileInfo(dir["t.rkt"]).Length, 128 + width * tokens, 128 + width * tokens + 20 * 40 + 400);
    }

    [Fact]
    public void AVersion1ShardIsStillRead()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir["v1.rkt"], Version1([[1, 2], [3]], [0, 1], 257, 256, ["code", "web"]));
        using var shard = TokenShard.Open(dir["v1.rkt"]);
        Assert.Equal(1, shard.FormatVersion);
        Assert.Equal([1, 2], shard.Body(0).ToArray());
        Assert.Equal([3], shard.Body(1).ToArray());
        Assert.Equal("web", shard.Domains[shard.DomainOf(1)]);
    }

    [Fact]
    public void TokenIdsOutsideTheVocabularyAreRefusedAtOpenOrOnRead()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir["v1.rkt"], Version1([[1, 2], [3, 900, 4]], [0, 1], 257, 256, ["code", "web"]));
        var e = Assert.Throws<DataFormatException>(() => TokenShard.Open(dir["v1.rkt"]).Dispose());
        Assert.Equal(("tokens", dir["v1.rkt"]), (e.Field, e.File));
        Assert.Contains("token 3 has id 900, outside the vocabulary of 257", e.Message);
        using var lazy = TokenShard.Open(dir["v1.rkt"], ShardVerification.Lazy);   // checked when read
        Assert.Contains("id 900", Assert.Throws<DataFormatException>(() => lazy.Body(1).ToArray()).Message);
    }

    [Fact]
    public void AOneBitFlipInTheTokensIsNamedAtOpenOrWhenItsBlockIsRead()
    {
        using var dir = new TempDir();
        var data = Sample();
        TokenShard.Write(dir["t.rkt"], data, ByteTokenizer.Instance, blockBytes: 64);
        var bytes = File.ReadAllBytes(dir["t.rkt"]);
        bytes[128 + 400] ^= 0x04;   // inside block 6 of the token section
        File.WriteAllBytes(dir["bad.rkt"], bytes);

        var e = Assert.Throws<DataFormatException>(() => TokenShard.Open(dir["bad.rkt"]).Dispose());
        Assert.Equal(dir["bad.rkt"], e.File);
        Assert.StartsWith("tokens (block 6 of", e.Field);
        Assert.Contains("checksum mismatch", e.Message);

        using var lazy = TokenShard.Open(dir["bad.rkt"], ShardVerification.Lazy);
        int hit = Enumerable.Range(0, data.DocumentCount).First(d => Touches(lazy, d, 400));
        Assert.Equal(data.Body(0).ToArray(), lazy.Body(0).ToArray());   // blocks before the flip read fine
        Assert.Throws<DataFormatException>(() => lazy.Body(hit).ToArray());
    }

    static bool Touches(MappedTokenDataset shard, int d, long byteOffset)
    {
        long start = 0;
        for (int i = 0; i < d; i++) start += shard.PrefixLength(i) + shard.BodyLength(i);
        return start + shard.PrefixLength(d) + shard.BodyLength(d) > byteOffset && start <= byteOffset;
    }

    [Theory]
    [InlineData("tables")]
    [InlineData("info")]
    [InlineData("header")]
    public void AOneBitFlipInTheTablesInfoOrHeaderIsNamed(string section)
    {
        using var dir = new TempDir();
        TokenShard.Write(dir["t.rkt"], Sample(), ByteTokenizer.Instance);
        var bytes = File.ReadAllBytes(dir["t.rkt"]);
        long at = section switch
        {
            "tables" => BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(40)) + 17,
            "info" => BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(56)) + 3,
            _ => 33,
        };
        bytes[at] ^= 0x01;
        File.WriteAllBytes(dir["t.rkt"], bytes);
        var e = Assert.Throws<DataFormatException>(() => TokenShard.Open(dir["t.rkt"]).Dispose());
        Assert.Equal(section, e.Field);
        Assert.Contains("checksum mismatch", e.Message);
    }

    [Theory]
    [InlineData("\"domains\"", "\"domain_names\"", "info.domains")]
    [InlineData("\"tokenizer\"", "\"tokeniser\"", "info.tokenizer")]
    [InlineData("\"name\"", "\"title\"", "info.tokenizer.name")]
    public void ARenamedInfoKeyNamesTheFileAndField(string key, string renamed, string field)
    {
        using var dir = new TempDir();
        var info = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes("{\"domains\":[\"code\",\"web\"],\"tokenizer\":{\"name\":\"bytes\"}}")).Replace(key, renamed);
        File.WriteAllBytes(dir["v1.rkt"], Version1([[1, 2], [3]], [0, 1], 257, 256, ["code", "web"], info));
        var e = Assert.Throws<DataFormatException>(() => TokenShard.Open(dir["v1.rkt"]).Dispose());
        Assert.Equal((dir["v1.rkt"], field), (e.File, e.Field));
    }

    [Fact]
    public void TheDataFingerprintIsTheSameInMemoryAndInEitherShardVersion()
    {
        using var dir = new TempDir();
        var data = new InMemoryTokenDataset(["code", "web"], 257, 256);
        data.Add("code", [1, 2]);
        data.Add("web", [3]);
        TokenShard.Write(dir["v2.rkt"], data, ByteTokenizer.Instance);
        File.WriteAllBytes(dir["v1.rkt"], Version1([[1, 2], [3]], [0, 1], 257, 256, ["code", "web"]));
        using var v1 = TokenShard.Open(dir["v1.rkt"]);
        using var v2 = TokenShard.Open(dir["v2.rkt"]);
        var expected = DataFingerprint.Of(data);
        Assert.Equal(expected, DataFingerprint.Of(v1));
        Assert.Equal(expected, DataFingerprint.Of(v2));
        data.Add("web", [4]);
        Assert.NotEqual(expected.Tokens, DataFingerprint.Of(new InMemoryTokenDataset(["code", "web"], 257, 256)).Tokens);
    }

    /// <summary>A version 1 shard, byte by byte as that format defines it (int32 tokens, 64-byte header, no checksums).</summary>
    internal static byte[] Version1(int[][] bodies, int[] domains, int vocab, int eot, string[] names, string? info = null)
    {
        long tokens = bodies.Sum(b => (long)b.Length);
        long table = (64 + 4 * tokens + 7) & ~7L, domainIds = table + 16 * bodies.Length, infoAt = domainIds + 4 * bodies.Length;
        var infoBytes = Encoding.UTF8.GetBytes(info ?? $"{{\"domains\":[{string.Join(",", names.Select(n => $"\"{n}\""))}],\"tokenizer\":{{\"name\":\"bytes\"}}}}");
        var file = new byte[infoAt + infoBytes.Length];
        "RKTOKENS"u8.CopyTo(file);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(8), 1);
        BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(16), bodies.Length);
        BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(24), tokens);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(32), vocab);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(36), eot);
        BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(40), table);
        BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(48), domainIds);
        BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(56), infoAt);
        long at = 64, start = 0;
        for (int d = 0; d < bodies.Length; d++)
        {
            foreach (var t in bodies[d]) { BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan((int)at), t); at += 4; }
            BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan((int)(table + 16 * d)), start);
            BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan((int)(table + 16 * d + 12)), bodies[d].Length);
            BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan((int)(domainIds + 4 * d)), domains[d]);
            start += bodies[d].Length;
        }
        infoBytes.CopyTo(file, infoAt);
        return file;
    }

    /// <summary>A tokenizer that only states a vocabulary (shards store its description; nothing is encoded here).</summary>
    sealed class FixedVocabulary(int vocab, int eot) : TextTokenizer
    {
        public override string Name => "bytes";
        public override int VocabSize => vocab;
        public override int EndOfText => eot;
        public override int[] Encode(string text) => throw new NotSupportedException();
        public override string Decode(ReadOnlySpan<int> ids) => throw new NotSupportedException();
        public override int[] TokenByteLengths() => throw new NotSupportedException();
    }
}
