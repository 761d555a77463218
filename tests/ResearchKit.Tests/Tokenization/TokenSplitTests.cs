using ResearchKit.Corpus;
using ResearchKit.Tokenization;

namespace ResearchKit.Tests.Tokenization;

public class TokenSplitTests
{
    static List<Document> Docs(int n) => Enumerable.Range(0, n).Select(i => new Document($"doc-{i}", $"text {i} é", i % 2 == 0 ? "even" : "odd")).ToList();

    [Fact]
    public void SplitsByIdWhateverTheOrderAndTokenizesEverySide()
    {
        var docs = Docs(200);
        var split = TokenSplit.FromDocuments(docs, ByteTokenizer.Instance, validationFraction: 0.25);
        var reversed = TokenSplit.FromDocuments(Enumerable.Reverse(docs), ByteTokenizer.Instance, validationFraction: 0.25);
        Assert.Equal(200, split.Train.DocumentCount + split.Validation.DocumentCount);
        Assert.InRange(split.Validation.DocumentCount, 30, 70);
        Assert.Equal(split.Validation.DocumentCount, reversed.Validation.DocumentCount);

        var validation = new CorpusSplit(0.25).Validation(docs).ToList();
        Assert.Equal(ByteTokenizer.Instance.Encode(validation[0].Text), split.Validation.Body(0).ToArray());
        Assert.Equal(validation[0].Domain, split.Validation.Domains[split.Validation.DomainOf(0)]);
        Assert.True(split.Validation.Prefix(0).IsEmpty);
    }

    [Fact]
    public void AnEmptySideIsAnErrorNamingTheCounts()
    {
        var error = Assert.Throws<ArgumentException>(() => TokenSplit.FromDocuments(Docs(3), ByteTokenizer.Instance, validationFraction: 0));
        Assert.Contains("3 documents into 3 for training and 0 for validation", error.Message);
    }

    [Fact]
    public void PrefixesAreTokenizedApartFromTheBody()
    {
        var data = InMemoryTokenDataset.Tokenize([new Document("a", "xy", "d", "https://ex.org/p")], ByteTokenizer.Instance, d => "URL: ex.org\n\n");
        Assert.Equal("URL: ex.org\n\n"u8.ToArray().Select(b => (int)b), data.Prefix(0).ToArray());
        Assert.Equal([(int)'x', (int)'y'], data.Body(0).ToArray());
    }
}
