using ResearchKit.Corpus;
using ResearchKit.Tests.Corpus;
using ResearchKit.Tokenization;

namespace ResearchKit.Tests.Tokenization;

public class TokenShardTests
{
    static InMemoryTokenDataset Sample()
    {
        var d = new InMemoryTokenDataset(["web", "code", "arxiv"], vocabSize: 257, endOfText: 256);
        d.Add("web", [1, 2, 3], [200, 201]);
        d.Add("code", [4]);
        d.Add("arxiv", []);
        d.Add("web", [255, 0, 7, 7], [9]);
        return d;
    }

    static void AssertSame(ITokenDataset expected, ITokenDataset actual)
    {
        Assert.Equal(expected.DocumentCount, actual.DocumentCount);
        Assert.Equal(expected.Domains, actual.Domains);
        Assert.Equal((expected.VocabSize, expected.EndOfText), (actual.VocabSize, actual.EndOfText));
        for (int i = 0; i < expected.DocumentCount; i++)
        {
            Assert.Equal(expected.Body(i).ToArray(), actual.Body(i).ToArray());
            Assert.Equal(expected.Prefix(i).ToArray(), actual.Prefix(i).ToArray());
            Assert.Equal(expected.DomainOf(i), actual.DomainOf(i));
        }
    }

    [Fact]
    public void WritesAndMapsBackEveryDocument()
    {
        using var dir = new TempDir();
        var data = Sample();
        TokenShard.Write(dir["t.rkt"], data, ByteTokenizer.Instance);
        using var mapped = TokenShard.Open(dir["t.rkt"]);
        AssertSame(data, mapped);
        Assert.Equal(["arxiv", "code", "web"], mapped.Domains);
        Assert.Equal(11, mapped.TokenCount);
        Assert.Equal("bytes", mapped.TokenizerName);
        Assert.Same(ByteTokenizer.Instance, mapped.CreateTokenizer());
        Assert.Equal(["t.rkt"], dir.Files());
    }

    static readonly Document[] Docs =
    [
        new("1", "Hello world. Grüße!", "web", "https://www.example.com/a"),
        new("2", "def f(x):\n    return x", "code"),
        new("3", "We prove the theorem.", "arxiv", "https://arxiv.org/abs/2101.00001"),
        new("4", "", "web", "https://other.example.org/"),
    ];

    static string? HostPrefix(Document d) => d.Url is null ? null : $"URL: {new Uri(d.Url).Host}\n\n";

    [Theory]
    [InlineData("bytes")]
    [InlineData("cl100k_base")]
    public void TokenizeStoresBodyAndSeparatelyTokenizedPrefix(string name)
    {
        using var dir = new TempDir();
        var tok = TextTokenizers.Create(name);
        var summary = TokenShard.Tokenize(Docs, tok, dir["t.rkt"], HostPrefix);
        using var data = TokenShard.Open(dir["t.rkt"]);
        Assert.Equal(["arxiv", "code", "web"], data.Domains);
        Assert.Equal((tok.VocabSize, tok.EndOfText), (data.VocabSize, data.EndOfText));
        for (int i = 0; i < Docs.Length; i++)
        {
            Assert.Equal(tok.Encode(Docs[i].Text), data.Body(i).ToArray());
            Assert.Equal(HostPrefix(Docs[i]) is { } p ? tok.Encode(p) : [], data.Prefix(i).ToArray());
            Assert.Equal(Docs[i].Domain, data.Domains[data.DomainOf(i)]);
        }
        Assert.Equal("URL: www.example.com\n\n", tok.Decode(data.Prefix(0)));
        Assert.Equal((4L, 3), (summary.Documents, summary.Domains));
        Assert.Equal(Enumerable.Range(0, 4).Sum(i => data.Body(i).Length + data.Prefix(i).Length), summary.Tokens);
    }

    [Fact]
    public void TokenizeIsDeterministicWhateverTheBatching()
    {
        using var dir = new TempDir();
        var many = Enumerable.Range(0, 3000).Select(i => new Document($"{i}", $"document {i} " + new string('x', i % 37), i % 3 == 0 ? "a" : "b")).ToArray();
        var tok = TextTokenizers.Create("cl100k_base");
        TokenShard.Tokenize(many, tok, dir["1.rkt"]);
        TokenShard.Tokenize(many, tok, dir["2.rkt"]);
        Assert.Equal(File.ReadAllBytes(dir["1.rkt"]), File.ReadAllBytes(dir["2.rkt"]));
        using var data = TokenShard.Open(dir["1.rkt"]);
        Assert.Equal(tok.Encode(many[2999].Text), data.Body(2999).ToArray());
    }

    [Fact]
    public void CompactTokenizerTravelsWithTheShard()
    {
        using var dir = new TempDir();
        var compact = CompactTokenizer.Build(TextTokenizers.Create("o200k_base"), Docs.Select(d => d.Text));
        TokenShard.Tokenize(Docs, compact, dir["t.rkt"]);
        using var data = TokenShard.Open(dir["t.rkt"]);
        Assert.Equal(compact.VocabSize, data.VocabSize);
        var back = data.CreateTokenizer();
        Assert.Equal(Docs[0].Text, back.Decode(data.Body(0)));
    }

    [Fact]
    public void AFailingTokenizeLeavesNoFile()
    {
        using var dir = new TempDir();
        IEnumerable<Document> Broken() { yield return Docs[0]; throw new DataFormatException("in.jsonl", 2, "text", "bad"); }
        Assert.Throws<DataFormatException>(() => TokenShard.Tokenize(Broken(), ByteTokenizer.Instance, dir["t.rkt"]));
        Assert.Empty(dir.Files());
    }

    [Fact]
    public void CorruptShardsAreRejectedClearly()
    {
        using var dir = new TempDir();
        TokenShard.Write(dir["t.rkt"], Sample(), ByteTokenizer.Instance);
        var good = File.ReadAllBytes(dir["t.rkt"]);

        DataFormatException Open(byte[] bytes)
        {
            File.WriteAllBytes(dir["bad.rkt"], bytes);
            var e = Assert.Throws<DataFormatException>(() => TokenShard.Open(dir["bad.rkt"]).Dispose());
            Assert.Equal(dir["bad.rkt"], e.File);
            return e;
        }

        var magic = (byte[])good.Clone(); magic[0] = (byte)'X';
        Assert.Equal("magic", Open(magic).Field);
        var version = (byte[])good.Clone(); version[8] = 9;
        Assert.Contains("unsupported version 9", Open(version).Message);
        Assert.Contains("truncated", Open(good[..40]).Message);
        Assert.Contains("truncated", Open(good[..100]).Message);
        Assert.Contains("truncated", Open(good[..(good.Length - 30)]).Message);
        var count = (byte[])good.Clone(); count[24] += 2;                  // the header checksum catches any header byte
        Assert.Equal("header", Open(count).Field);
        Assert.Contains("truncated", Open([]).Message);
    }
}
