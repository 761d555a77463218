using ResearchKit.Tokenization;

namespace ResearchKit.Tests.Tokenization;

public class TokenizerTests
{
    const string Multilingual = "Grüße, 東京! Ωμέγα — emoji 🎉👍🏽 and tabs\tand\r\nnewlines. ";

    [Fact]
    public void BytesAreUtf8AndRoundTripExactly()
    {
        var t = TextTokenizers.Create("bytes");
        Assert.Equal((257, 256), (t.VocabSize, t.EndOfText));
        Assert.Equal([0x61, 0xC3, 0xA9, 0xF0, 0x9F, 0x8E, 0x89], t.Encode("aé🎉"));
        Assert.Equal(Multilingual, t.Decode(t.Encode(Multilingual)));
        Assert.Equal("a<|endoftext|>b", t.Decode([0x61, 256, 0x62]));
    }

    [Fact]
    public void Cl100kMatchesTiktokenGoldenIds()
    {
        var t = TextTokenizers.Create("cl100k_base");
        // tiktoken.get_encoding("cl100k_base").encode("hello world") == [15339, 1917]; eot 100257; n_vocab 100277
        Assert.Equal([15339, 1917], t.Encode("hello world"));
        Assert.Equal((100277, 100257), (t.VocabSize, t.EndOfText));
        Assert.Equal(Multilingual, t.Decode(t.Encode(Multilingual)));
    }

    [Fact]
    public void O200kHasItsOwnEndOfText()
    {
        var t = TextTokenizers.Create("o200k_base");
        Assert.Equal((200019, 199999), (t.VocabSize, t.EndOfText));   // tiktoken: o200k_base n_vocab 200019, <|endoftext|> 199999
        Assert.Equal(Multilingual, t.Decode(t.Encode(Multilingual)));
        Assert.True(t.Encode("hello world").Length < TextTokenizers.Create("bytes").Encode("hello world").Length);
    }

    [Theory]
    [InlineData("cl100k_base")]
    [InlineData("o200k_base")]
    public void SpecialTokenTextInADocumentIsOrdinaryText(string name)
    {
        var t = TextTokenizers.Create(name);
        const string text = "a web page quoting <|endoftext|> and <|fim_prefix|> inside";
        var ids = t.Encode(text);
        Assert.DoesNotContain(t.EndOfText, ids);
        Assert.All(ids, id => Assert.True(id < t.EndOfText, $"special id {id}"));
        Assert.Equal(text, t.Decode(ids));
        Assert.Equal(t.Encode("<|").Concat(t.Encode("endoftext|>")), t.Encode("<|endoftext|>"));
    }

    [Theory]
    [InlineData("cl100k_base")]
    [InlineData("o200k_base")]
    public void EncodingOnManyThreadsGivesTheLibrarysIds(string name)
    {
        // Real text (this repository's sources and a multilingual line), each thread with its own encoder.
        var texts = TestCorpus.Documents("Tokenization", "Corpus").Select(d => d.Text).Append(Multilingual).Append("x <|endoftext|> y").ToArray();
        var library = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding(name);
        var expected = texts.Select(t => t.Contains("<|") ? null : library.EncodeToIds(t).ToArray()).ToArray();
        var tok = TextTokenizers.Create(name);
        var sequential = texts.Select(tok.Encode).ToArray();
        var results = new int[texts.Length * 8][];
        var threads = new System.Collections.Concurrent.ConcurrentDictionary<int, bool>();
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            threads[Environment.CurrentManagedThreadId] = true;
            results[i] = tok.Encode(texts[i % texts.Length]);
        });
        // Every thread that encoded has an encoder of its own: the first one, and one built for each other thread
        // (other tests may have built more).
        int built = ((TiktokenTextTokenizer)tok).EncodersBuilt;
        Assert.True(1 + built >= threads.Count, $"1 + {built} encoders for {threads.Count} threads");
        for (int i = 0; i < results.Length; i++)
        {
            Assert.Equal(sequential[i % texts.Length], results[i]);
            if (expected[i % texts.Length] is { } ids) Assert.Equal(ids, results[i]);
        }
        Assert.Equal(texts[^1], tok.Decode(sequential[^1]));
    }

    [Fact]
    public void UnknownNamesAreRejectedWithTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => TextTokenizers.Create("gpt2"));
        Assert.Contains("'gpt2'", e.Message);
        Assert.Contains("bytes, cl100k_base, o200k_base", e.Message);
    }

    [Fact]
    public void CompactVocabularyIsDenseRoundTripsAndSerialises()
    {
        var baseTok = TextTokenizers.Create("cl100k_base");
        string[] corpus = ["the cat sat on the mat", "Grüße 🎉", Multilingual];
        var c = CompactTokenizer.Build(baseTok, corpus);
        var used = corpus.SelectMany(baseTok.Encode).Distinct().Count();
        Assert.Equal(used, c.UsedIds);
        Assert.Equal((used + 2, used, used + 1), (c.VocabSize, c.EndOfText, c.Unknown));
        foreach (var text in corpus)
        {
            var ids = c.Encode(text);
            Assert.All(ids, id => Assert.InRange(id, 0, used - 1));
            Assert.Equal(text, c.Decode(ids));
            Assert.Equal(baseTok.Encode(text).Length, ids.Length);
        }
        // Dense ids follow base-id order.
        var ordered = corpus.SelectMany(baseTok.Encode).Distinct().Order().ToArray();
        Assert.Equal(Array.IndexOf(ordered, baseTok.Encode("the")[0]), c.Encode("the")[0]);
        // Unseen text becomes unknown; end-of-text decodes as the base's.
        Assert.All(c.Encode(" zebra"), id => Assert.Equal(c.Unknown, id));
        Assert.Equal("the\uFFFD", c.Decode([.. c.Encode("the"), c.Unknown]));
        Assert.Equal("the<|endoftext|>", c.Decode([.. c.Encode("the"), c.EndOfText]));

        var back = TextTokenizers.FromDescription(TextTokenizers.Describe(c));
        Assert.Equal("cl100k_base/compact", back.Name);
        Assert.Equal(c.Encode(Multilingual), back.Encode(Multilingual));
        Assert.Equal(c.VocabSize, back.VocabSize);
    }

    [Theory]
    [InlineData("bytes")]
    [InlineData("cl100k_base")]
    [InlineData("o200k_base")]
    public void TokenByteLengthsAddUpToTheTextsUtf8Bytes(string name)
    {
        var t = TextTokenizers.Create(name);
        var lengths = t.TokenByteLengths();
        Assert.Equal(t.VocabSize, lengths.Length);
        Assert.Equal(0, lengths[t.EndOfText]);
        foreach (var text in new[] { Multilingual, "def f(x):\n    return x ** 2  # ünïcödé ✓", "  \t\n\n spaces and 1234567890" })
            Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(text), t.Encode(text).Sum(id => lengths[id]));
        var compact = CompactTokenizer.Build(t, [Multilingual]);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(Multilingual), compact.Encode(Multilingual).Sum(id => compact.TokenByteLengths()[id]));
    }
}
