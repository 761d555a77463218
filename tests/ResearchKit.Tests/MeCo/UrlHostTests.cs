using ResearchKit.MeCo;

namespace ResearchKit.Tests.MeCo;

public class UrlHostTests
{
    [Theory]
    [InlineData("https://en.wikipedia.org/wiki/Cat", "en.wikipedia.org")]
    [InlineData("example.com/path", "example.com")]
    [InlineData("HTTPS://A.COM", "a.com")]
    [InlineData("ftp://x", "x")]
    [InlineData("mailto:a@b.org", "b.org")]
    [InlineData("http://user:pw@Example.COM:8080/p?q#f", "example.com")]
    [InlineData("a@b.org/x", "b.org")]
    [InlineData("http://192.168.0.1:8000/", "192.168.0.1")]
    [InlineData("http://[2001:DB8::1]:80/x", "[2001:db8::1]")]
    [InlineData("http://example.com./", "example.com")]
    [InlineData("https://xn--mnchen-3ya.de/a", "münchen.de")]
    [InlineData("https://MÜNCHEN.de", "münchen.de")]
    [InlineData("//cdn.example.org/lib.js", "cdn.example.org")]
    [InlineData("localhost:8080/x", "localhost")]
    [InlineData("  https://www.bbc.co.uk/news  ", "www.bbc.co.uk")]
    [InlineData("http://例子.测试/", "例子.测试")]
    public void ParsesHost(string url, string expected) => Assert.Equal(expected, UrlHost.Parse(url));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("http://")]
    [InlineData("http://a..b/")]
    [InlineData("file:///etc/passwd")]
    [InlineData("not a url at all")]
    public void HasNoHost(string? url) => Assert.Null(UrlHost.Parse(url));

    [Theory]
    [InlineData("news.bbc.co.uk", "bbc.co.uk", "co.uk")]
    [InlineData("en.wikipedia.org", "wikipedia.org", "org")]
    [InlineData("user.github.io", "user.github.io", "github.io")]
    [InlineData("www.abc.net.au", "abc.net.au", "net.au")]
    [InlineData("www.ox.ac.uk", "ox.ac.uk", "ac.uk")]
    [InlineData("a.b.example.co.jp", "example.co.jp", "co.jp")]
    [InlineData("co.uk", null, "co.uk")]
    [InlineData("localhost", "localhost", null)]
    [InlineData("192.168.0.1", "192.168.0.1", null)]
    [InlineData("[::1]", "[::1]", null)]
    [InlineData("例子.测试", "例子.测试", "测试")]
    // Limitation of the embedded subset: kawasaki.jp is a public suffix in the full list but not here.
    [InlineData("city.example.kawasaki.jp", "kawasaki.jp", "jp")]
    public void SplitsRegisteredDomainAndSuffix(string host, string? registered, string? suffix)
    {
        Assert.Equal(registered, PublicSuffix.RegisteredDomain(host));
        Assert.Equal(suffix, PublicSuffix.Of(host));
    }
}
