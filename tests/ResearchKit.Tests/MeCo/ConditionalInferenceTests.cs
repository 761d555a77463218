using Microsoft.Data.Analysis;
using ResearchKit.Corpus;
using ResearchKit.Evaluation;
using ResearchKit.MeCo;
using ResearchKit.Runtime;
using ResearchKit.Tokenization;
using ResearchKit.Training;
using TorchSharp;

namespace ResearchKit.Tests.MeCo;

public class ConditionalInferenceTests
{
    static readonly Document[] Docs =
    [
        new("a", "The cat sat on the mat and looked at the dog for a long while.", "prose", Url: "https://www.gutenberg.org/ebooks/1"),
        new("b", "A dog ran in the park.", "prose", Url: "https://www.gutenberg.org/ebooks/2"),
        new("c", "def add(a, b):\n    return a + b\n", "code", Url: "https://github.com/python/cpython/blob/main/x.py"),
        new("d", "import os\nprint(os.getcwd())\n", "code", Source: "cpython"),
    ];

    static Gpt Model()
    {
        TorchRuntime.Initialize("cpu");
        torch.manual_seed(5);
        return new Gpt(GptConfig.Micro());
    }

    [Fact]
    public void MatrixHasNoneOwnEachDomainsTypicalPrefixAndUserPrefixes()
    {
        var conditions = ConditionalInference.Matrix(Docs, new MetadataSpec(MetadataKind.Host),
            ["URL: en.wikipedia.org\n\n", "URL:  en.wikipedia.org", "Title: " + new string('x', 60)]);
        // Probes are named by their text (one line), numbered when two read the same, cut to 40 characters.
        Assert.Equal(["none", "own", "as:code", "as:prose", "URL: en.wikipedia.org", "URL: en.wikipedia.org (2)", "Title: " + new string('x', 32) + "…"],
            conditions.Select(c => c.Name));
        Assert.Null(conditions[0].PrefixOf(Docs[0]));
        Assert.Equal("URL: cpython\n\n", conditions[1].PrefixOf(Docs[3]));
        // code has github.com once and the source "cpython" once: the tie goes to the ordinal-first prefix.
        Assert.Equal("URL: cpython\n\n", conditions[2].Literal);
        Assert.Equal("URL: www.gutenberg.org\n\n", conditions[3].PrefixOf(Docs[2]));
        Assert.Equal("URL: en.wikipedia.org\n\n", conditions[4].Literal);
    }

    [Fact]
    public void EveryConditionScoresTheSameTokensAndMatchesPerTextScoring()
    {
        using var model = Model();
        var tokenizer = ByteTokenizer.Instance;
        var conditions = ConditionalInference.Matrix(Docs, new MetadataSpec(MetadataKind.Host));
        var table = ConditionalInference.Evaluate(model, tokenizer, Docs, conditions, batchSize: 3);

        var rows = Enumerable.Range(0, (int)table.Rows.Count).Select(r => (
            Domain: (string)table["domain"][r], Condition: (string)table["condition"][r], Loss: (double)table["loss"][r]!, Tokens: (long)table["tokens"][r]!)).ToList();
        Assert.Equal(conditions.Count * 3, rows.Count); // code, prose, all per condition
        foreach (var domain in new[] { "code", "prose", "all" })
            Assert.Single(rows.Where(r => r.Domain == domain).Select(r => r.Tokens).Distinct());

        // Reference: each document alone through Evaluator.Score on the same span (context 32 + 1 minus the longest prefix).
        int window = model.Config.Context + 1;
        foreach (var condition in conditions)
        {
            double sum = 0; long count = 0;
            foreach (var doc in Docs.Where(d => d.Domain == "prose"))
            {
                var text = tokenizer.Encode(doc.Text);
                int longest = conditions.Max(c => c.PrefixOf(doc) is { } p ? tokenizer.Encode(p).Length : 0);
                var span = text[..Math.Min(text.Length, window - longest)];
                var prefix = condition.PrefixOf(doc) is { } q ? tokenizer.Encode(q) : null;
                var loss = Evaluator.Score(model, span, prefix);
                sum += loss.Loss * loss.Tokens; count += loss.Tokens;
            }
            var got = rows.Single(r => r.Domain == "prose" && r.Condition == condition.Name);
            Assert.Equal(count, got.Tokens);
            Assert.Equal(sum / count, got.Loss, 4);
        }
        // Different prefixes really change the loss (the model is not ignoring them).
        Assert.NotEqual(rows.Single(r => r.Domain == "all" && r.Condition == "none").Loss, rows.Single(r => r.Domain == "all" && r.Condition == "own").Loss);
    }

    [Fact]
    public void SummaryOfALiteralMatrix()
    {
        var table = new DataFrame(
            new StringDataFrameColumn("domain", ["code", "prose", "all", "code", "prose", "all", "code", "prose", "all", "code", "prose", "all"]),
            new StringDataFrameColumn("condition", ["none", "none", "none", "own", "own", "own", "as:code", "as:code", "as:code", "as:prose", "as:prose", "as:prose"]),
            new StringDataFrameColumn("prefix", Enumerable.Repeat("", 12)),
            new DoubleDataFrameColumn("loss", [2.0, 3.0, 2.5, 1.5, 2.5, 2.0, 1.6, 3.5, 2.6, 2.8, 2.4, 2.6]),
            new Int64DataFrameColumn("tokens", Enumerable.Range(0, 4).SelectMany(_ => new long[] { 10, 30, 40 })));
        var s = ConditionalInference.Summarize(table);
        Assert.Equal(2.5, s["cond_none"]);
        Assert.Equal(2.0, s["cond_own"]);
        Assert.Equal(0.5, s["cond_own_gain"]);
        Assert.Equal((2.8 * 10 + 3.5 * 30) / 40, s["cond_other"], 12); // code under prose's prefix, prose under code's, token-weighted
    }
}
