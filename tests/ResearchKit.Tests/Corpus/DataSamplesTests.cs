using System.Text.RegularExpressions;
using ResearchKit.Corpus;

namespace ResearchKit.Tests.Corpus;

/// <summary>Invariants of the committed sample corpus (data-samples/), read through the library's reader:
/// the committed sample.parquet.</summary>
public partial class DataSamplesTests
{
    static readonly Lazy<Document[]> Docs = new(() => CorpusReader.Read(SamplePath()).ToArray());

    static string SamplePath()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ResearchKit.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        return Path.Combine(dir!.FullName, "data-samples", "sample.parquet");
    }

    [Fact]
    public void HasAtLeastTenDomainsEachWithRealAmountsOfText()
    {
        var byDomain = Docs.Value.GroupBy(d => d.Domain).ToArray();
        Assert.True(byDomain.Length >= 10, $"only {byDomain.Length} domains");
        foreach (var g in byDomain)
            Assert.True(g.Sum(d => (long)d.Text.Length) >= 200_000, $"{g.Key}: {g.Sum(d => d.Text.Length)} chars");
        // No domain dominates: the largest holds at most twice the text of the smallest.
        var sizes = byDomain.Select(g => g.Sum(d => (long)d.Text.Length)).ToArray();
        Assert.True(sizes.Max() <= 2 * sizes.Min(), $"domain sizes {string.Join(", ", sizes)}");
    }

    [Fact]
    public void IdsAreUniqueAndTextsNonEmpty()
    {
        var docs = Docs.Value;
        Assert.Equal(docs.Length, docs.Select(d => d.Id).Distinct().Count());
        Assert.All(docs, d => Assert.False(string.IsNullOrWhiteSpace(d.Text), d.Id));
        Assert.All(docs, d => Assert.False(string.IsNullOrWhiteSpace(d.Source), d.Id));
    }

    [Fact]
    public void UrlsAreAbsoluteHttpAndEveryNonBrownNonMailDocumentHasOne()
    {
        foreach (var d in Docs.Value)
        {
            if (d.Url is null)
            {
                Assert.Matches("^(brown-|mail-)", d.Domain);
                continue;
            }
            Assert.True(Uri.TryCreate(d.Url, UriKind.Absolute, out var uri), $"{d.Id}: {d.Url}");
            Assert.True(uri!.Scheme is "https" or "http", $"{d.Id}: {d.Url}");
        }
    }

    [Fact]
    public void BrownTextHasNoPosTagsOrTokenizerQuotes()
    {
        var brown = Docs.Value.Where(d => d.Domain.StartsWith("brown-")).ToArray();
        Assert.NotEmpty(brown);
        foreach (var d in brown)
        {
            Assert.DoesNotMatch(PosTag(), d.Text);
            Assert.DoesNotContain("``", d.Text);
            Assert.DoesNotContain(" n't ", d.Text); // "do n't" tokenization
            Assert.DoesNotContain(" ,", d.Text);
        }
    }

    [Fact]
    public void NoHtmlTagsRemain()
    {
        // Mail and Brown prose never legitimately contain tags; technical manuals do mention "<h1>" or "<div>"
        // as text, so there only tags carrying attributes (what a rendering residue looks like) count.
        foreach (var d in Docs.Value.Where(d => d.Domain != "python-code"))
        {
            var tag = d.Domain.StartsWith("mail-") || d.Domain.StartsWith("brown-") ? HtmlTag() : HtmlTagWithAttributes();
            Assert.True(!tag.IsMatch(d.Text), $"{d.Id}: {tag.Match(d.Text).Value}");
        }
    }

    // A word followed by a Brown tag such as /nn, /vbd, /at, /np-tl, /pp$.
    [GeneratedRegex(@"\b[A-Za-z]+/(nn|nns|vbd|vbz|vbn|vb|at|in|jj|np|rb|cc|cs|pps|ppo|pp\$)(-tl|-hl)?\b")]
    private static partial Regex PosTag();

    [GeneratedRegex(@"</?(html|body|div|span|p|br|a|font|table|tr|td|img|li|ul|b|i|em|strong|h[1-6])(\s[^<>]*)?/?>", RegexOptions.IgnoreCase)]
    private static partial Regex HtmlTag();

    [GeneratedRegex(@"<[a-z]+\s+(href|class|style|src|id)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex HtmlTagWithAttributes();
}
