using ResearchKit.Corpus;
using ResearchKit.MeCo;

namespace ResearchKit.Tests.MeCo;

public class MetadataPrefixTests
{
    static readonly Document Wiki = new("w1", "Cats are small.", "wiki", Url: "https://User@EN.Wikipedia.org:443/wiki/Cat",
        Source: "Wikipedia", Meta: new Dictionary<string, string> { ["topic"] = "animals" });

    [Theory]
    [InlineData(MetadataKind.FullUrl, "URL: https://User@EN.Wikipedia.org:443/wiki/Cat\n\n")]
    [InlineData(MetadataKind.Host, "URL: en.wikipedia.org\n\n")]
    [InlineData(MetadataKind.ShortUrl, "URL: User@EN.Wikipedia.org:443\n\n")]
    [InlineData(MetadataKind.RegisteredDomain, "URL: wikipedia.org\n\n")]
    [InlineData(MetadataKind.Suffix, "URL: org\n\n")]
    // printf %s en.wikipedia.org | sha256sum | cut -c1-16
    [InlineData(MetadataKind.HashedHost, "URL: b71288d6f0880c7c\n\n")]
    [InlineData(MetadataKind.Topic, "URL: animals\n\n")]
    [InlineData(MetadataKind.None, null)]
    public void PrefixPerKind(MetadataKind kind, string? expected) =>
        Assert.Equal(expected, MetadataPrefix.For(Wiki, new MetadataSpec(kind)));

    [Theory]
    [InlineData("https://a.com/x/y", "a.com")]
    [InlineData("HTTPS://A.com/x", "HTTPS:")]                 // case-sensitive, as the reference's regex
    [InlineData("ftp://x.org/file", "ftp:")]
    [InlineData("http://a.com/redirect?to=https://b.org/z", "a.com")]
    [InlineData("a.com/https://b.org", "a.com")]
    [InlineData("https://https://b.org/", "b.org")]           // every occurrence is removed
    public void ShortUrlIsTheReferenceStringRule(string url, string expected) =>
        Assert.Equal(expected, MetadataPrefix.ShortUrl(url));

    [Fact]
    public void FixedAndCustomTemplate()
    {
        Assert.Equal("URL: factquizmaster.com\n\n", MetadataPrefix.For(Wiki, new MetadataSpec(MetadataKind.Fixed) { FixedText = "factquizmaster.com" }));
        Assert.Equal("Source: en.wikipedia.org\n", MetadataPrefix.For(Wiki, new MetadataSpec { TextBefore = "Source: ", TextAfter = "\n" }));
        Assert.Throws<ArgumentException>(() => MetadataPrefix.For(Wiki, new MetadataSpec(MetadataKind.Fixed)));
    }

    [Fact]
    public void HashIsStableAndIdnInsensitive()
    {
        // Expected values from `printf %s <text> | sha256sum`.
        Assert.Equal("a379a6f6eeafb9a5", MetadataPrefix.Hash("example.com"));
        Assert.Equal("a379a6f6", MetadataPrefix.Hash("example.com", length: 8));
        Assert.Equal("1853bf0469d93a17", MetadataPrefix.Hash("example.com", salt: "salt"));
        var spec = new MetadataSpec(MetadataKind.HashedHost);
        Assert.Equal("6fb6d0c86af6d757", MetadataPrefix.Value(new("a", "", "d", Url: "http://xn--mnchen-3ya.de/x"), spec));
        Assert.Equal("6fb6d0c86af6d757", MetadataPrefix.Value(new("b", "", "d", Url: "HTTPS://München.DE:8443"), spec));
    }

    [Fact]
    public void WithoutUrlFallsBackToSourceThenDomain()
    {
        var arxiv = new Document("a", "Abstract.", "papers", Source: "arXiv");
        var bare = new Document("b", "Text.", "github");
        var badUrl = new Document("c", "Text.", "web", Url: "not a url at all", Source: "Common Crawl");
        var ip = new Document("d", "Text.", "web", Url: "http://10.0.0.1/x", Source: "intranet");
        Assert.Equal("URL: arXiv\n\n", MetadataPrefix.For(arxiv, new MetadataSpec(MetadataKind.Host)));
        Assert.Equal("URL: arXiv\n\n", MetadataPrefix.For(arxiv, new MetadataSpec(MetadataKind.FullUrl)));
        Assert.Equal("URL: arXiv\n\n", MetadataPrefix.For(arxiv, new MetadataSpec(MetadataKind.Suffix)));
        Assert.Equal("URL: 2d546634e2a591d0\n\n", MetadataPrefix.For(arxiv, new MetadataSpec(MetadataKind.HashedHost)));
        Assert.Equal("URL: github\n\n", MetadataPrefix.For(bare, new MetadataSpec(MetadataKind.RegisteredDomain)));
        Assert.Equal("URL: Common Crawl\n\n", MetadataPrefix.For(badUrl, new MetadataSpec(MetadataKind.Host)));
        Assert.Equal("URL: not a url at all\n\n", MetadataPrefix.For(badUrl, new MetadataSpec(MetadataKind.FullUrl)));
        Assert.Equal("URL: 10.0.0.1\n\n", MetadataPrefix.For(ip, new MetadataSpec(MetadataKind.RegisteredDomain)));
        Assert.Equal("URL: intranet\n\n", MetadataPrefix.For(ip, new MetadataSpec(MetadataKind.Suffix)));
        // Topic has no fallback.
        Assert.Null(MetadataPrefix.For(arxiv, new MetadataSpec(MetadataKind.Topic)));
    }

    [Fact]
    public void MetadataIsKeptOnOneLine()
    {
        var doc = new Document("t", "Body", "d", Meta: new Dictionary<string, string> { ["topic"] = "  two\nlines\r\n\n\tand tab " });
        Assert.Equal("URL: two lines and tab\n\n", MetadataPrefix.For(doc, new MetadataSpec(MetadataKind.Topic)));
    }
}
