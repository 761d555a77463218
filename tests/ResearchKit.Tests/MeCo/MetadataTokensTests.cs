using System.Text;
using ResearchKit.Corpus;
using ResearchKit.MeCo;
using ResearchKit.Tokenization;

namespace ResearchKit.Tests.MeCo;

public class MetadataTokensTests
{
    static int[] Ids(string s) => Encoding.UTF8.GetBytes(s).Select(b => (int)b).ToArray();

    [Fact]
    public void PrefixAndBodyAreTokenizedApart()
    {
        var doc = new Document("1", "Héllo", "web", Url: "https://Example.com/a");
        var tokens = MetadataTokens.Encode(ByteTokenizer.Instance, doc, new MetadataSpec(MetadataKind.Host));
        Assert.Equal(Ids("URL: example.com\n\n"), tokens.Prefix);
        Assert.Equal(Ids("Héllo"), tokens.Body);
        Assert.Empty(MetadataTokens.Encode(ByteTokenizer.Instance, doc, MetadataSpec.None).Prefix);
        Assert.Equal(Ids("URL: wikipedia.org\n\n"), MetadataTokens.Encode(ByteTokenizer.Instance, doc, "URL: wikipedia.org\n\n").Prefix);
    }

    [Fact]
    public void BuildsDatasetWithMaskablePrefixes()
    {
        Document[] docs =
        [
            new("1", "ab", "web", Url: "http://a.org/x"),
            new("2", "cd", "code"),
            new("3", "ef", "web", Url: "http://b.org"),
        ];
        var data = MetadataTokens.Build(docs, ByteTokenizer.Instance, new MetadataSpec(MetadataKind.Host));
        Assert.Equal(["code", "web"], data.Domains);
        Assert.Equal(3, data.DocumentCount);
        Assert.Equal(256, data.EndOfText);
        Assert.Equal(Ids("URL: a.org\n\n"), data.Prefix(0).ToArray());
        Assert.Equal(Ids("URL: code\n\n"), data.Prefix(1).ToArray()); // no URL, no source: the domain
        Assert.Equal(Ids("ef"), data.Body(2).ToArray());
        Assert.Equal([1, 0, 1], Enumerable.Range(0, 3).Select(data.DomainOf));

        var plain = MetadataTokens.Build(docs, ByteTokenizer.Instance, MetadataSpec.None);
        Assert.True(Enumerable.Range(0, 3).All(i => plain.Prefix(i).IsEmpty));
        Assert.Equal(Ids("cd"), plain.Body(1).ToArray());
    }
}
