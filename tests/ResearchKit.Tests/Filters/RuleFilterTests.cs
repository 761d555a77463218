using ResearchKit.Corpus;
using ResearchKit.Filters;
using ResearchKit.Pipeline;

namespace ResearchKit.Tests.Filters;

/// <summary>Each rule on small literal documents whose statistics are computed by hand in the comments.</summary>
public sealed class RuleFilterTests
{
    static Document Doc(string text) => new("d", text, "test");

    /// <summary>60 words, 3 letters each, two stop words ("the", "and"): passes every Gopher quality rule.</summary>
    static readonly string Sixty = string.Join(' ', Enumerable.Repeat("the cat and its dog", 12));

    [Fact]
    public void GopherQualityKeepsPlainProse() => Assert.Null(new GopherQualityFilter().DropReason(Doc(Sixty)));

    [Theory]
    [InlineData("The cat sat.", "gopher_short_doc")]                          // 3 non-symbol words < 50
    public void GopherQualityShortDocuments(string text, string reason) => Assert.Equal(reason, new GopherQualityFilter().DropReason(Doc(text)));

    [Fact]
    public void GopherQualityThresholdsAtTheirBoundaries()
    {
        var f = new GopherQualityFilter();
        // Mean word length: "to be or of a" = (2+2+2+2+1)/5 = 1.8 < 3.
        Assert.Equal("gopher_below_avg_threshold", f.DropReason(Doc(string.Join(' ', Enumerable.Repeat("to be or of a", 12)))));
        // (3 + 3 + 30) / 3 = 12 > 10.
        Assert.Equal("gopher_above_avg_threshold", f.DropReason(Doc(string.Join(' ', Enumerable.Repeat("the and abcdefghijklmnopqrstuvwxyzabcd", 20)))));
        // '#' is its own token: 60 words + 7 '#' = 67 tokens, 7/67 = 0.104 > 0.1; with 6: 6/66 = 0.091.
        Assert.Equal("gopher_too_many_hashes", f.DropReason(Doc(Sixty + " #######")));
        Assert.Null(f.DropReason(Doc(Sixty + " ######")));
        // 10 lines, all bullets: 1.0 > 0.9. ('-' is a symbol word; '•' is not, so it counts in the mean word length.)
        var bullets = string.Join('\n', Enumerable.Repeat("- these words with the longer letters", 10));
        Assert.Equal("gopher_too_many_bullets", f.DropReason(Doc(bullets)));
        Assert.Equal("gopher_too_many_bullets", f.DropReason(Doc(bullets.Replace("- ", "• "))));
        // 4 of 10 lines end with an ellipsis: 0.4 > 0.3 (4 "..." over ≥ 70 tokens stays under 0.1 per word).
        var lines = Enumerable.Repeat("the cat and its dog the cat", 10).ToArray();
        for (int i = 0; i < 4; i++) lines[i] += "...";
        Assert.Equal("gopher_too_many_end_ellipsis", f.DropReason(Doc(string.Join('\n', lines))));
        lines[3] = lines[3][..^3];
        Assert.Null(f.DropReason(Doc(string.Join('\n', lines))));   // 3 of 10 = 0.3 is not above 0.3
        // Words without a letter: "123" is 3 of every 10 tokens: 0.7 < 0.8.
        Assert.Equal("gopher_below_alpha_threshold", f.DropReason(Doc(string.Join(' ', Enumerable.Repeat("the cat and its dog 123 456 789 cow pig", 6)))));
        // Stop words are matched case-sensitively: "The"/"And" do not count.
        Assert.Equal("gopher_enough_stop_words", f.DropReason(Doc(string.Join(' ', Enumerable.Repeat("The cat And its dog", 12)))));
    }

    /// <summary>"w00".."w{n-1}" then w00..w09 again.</summary>
    static string Repeated(int distinct) =>
        string.Join(' ', Enumerable.Range(0, distinct).Concat(Enumerable.Range(0, 10)).Select(i => $"w{i:D2}"));

    [Fact]
    public void GopherRepetitionNGramFractions()
    {
        var f = new GopherRepetitionFilter();
        // 50 words of 3 characters, 199 characters. Repeated 5-grams: the scan meets w00..w04 again at word 40 (+15,
        // skip 5) and w05..w09 at word 45 (+15): 30/199 = 0.151 > 0.15. Top 2/3/4-grams: 14, 22, 30 /199 are under
        // 0.20, 0.18, 0.16.
        Assert.Equal("duplicated_5_n_grams", f.DropReason(Doc(Repeated(40))));
        // 55 words, 219 characters: 5-grams 30/219 = 0.137, 6: 18/219, 7: 21/219, 8: 24/219 = 0.110 all pass;
        // 9-grams 27/219 = 0.123 > 0.11.
        Assert.Equal("duplicated_9_n_grams", f.DropReason(Doc(Repeated(45))));
        Assert.Null(f.DropReason(Doc(Repeated(200))));
        // One 2-gram everywhere: "aaa bbb" × 10 = 7 × 10 / 79 = 0.89 > 0.2.
        Assert.Equal("top_2_gram", f.DropReason(Doc(string.Join(' ', Enumerable.Repeat("aaa bbb", 10)))));
    }

    /// <summary>datatrove's n-gram statistics written as plainly as its Python (strings joined per n-gram).</summary>
    static string? NaiveNGramReason(List<string> words, double length)
    {
        foreach (var (n, fraction) in new[] { (2, 0.2), (3, 0.18), (4, 0.16) })
        {
            var grams = Enumerable.Range(0, Math.Max(0, words.Count - n + 1)).Select(i => string.Join(' ', words.Skip(i).Take(n))).ToList();
            if (grams.Count == 0) continue;
            var top = grams.GroupBy(g => g).OrderByDescending(g => g.Count()).First();   // stable: first seen among ties
            if (top.Key.Length * (double)top.Count() / length > fraction) return $"top_{n}_gram";
        }
        foreach (var (n, fraction) in new[] { (5, 0.15), (6, 0.14), (7, 0.13), (8, 0.12), (9, 0.11), (10, 0.10) })
        {
            var seen = new HashSet<string>();
            long repeated = 0;
            for (int i = 0; i < words.Count - n + 1;)
            {
                var gram = string.Concat(words.Skip(i).Take(n));
                if (seen.Contains(gram)) { repeated += gram.Length; i += n; }
                else { seen.Add(gram); i++; }
            }
            if (repeated / length > fraction) return $"duplicated_{n}_n_grams";
        }
        return null;
    }

    [Fact]
    public void GopherRepetitionNGramsMatchAPlainImplementationOnRealDocuments()
    {
        // Lines and paragraphs off, so every document reaches the n-gram rules.
        var f = new GopherRepetitionFilter { DupLineFraction = null, DupLineCharFraction = null, DupParagraphFraction = null, DupParagraphCharFraction = null };
        var docs = CorpusReader.Read(Path.Combine(TestCorpus.RepoRoot, "data-samples", "sample.parquet")).Where((_, i) => i % 9 == 0).ToList();
        int dropped = 0;
        foreach (var d in docs)
        {
            var expected = NaiveNGramReason(WordTokenizer.Tokenize(d.Text), d.Text.Length);
            Assert.Equal(expected, f.DropReason(d));
            dropped += expected is null ? 0 : 1;
        }
        Assert.InRange(dropped, 1, docs.Count - 1);
    }

    [Fact]
    public void GopherRepetitionLinesAndParagraphs()
    {
        var f = new GopherRepetitionFilter();
        // Paragraphs [p, p, q]: 1/3 duplicated > 0.3.
        Assert.Equal("dup_para_frac", f.DropReason(Doc("first para here\n\nfirst para here\n\nsecond one")));
        // Paragraphs [a, b, c, a]: 1/4 = 0.25 passes; its characters 30/ (4×30 + 6) = 0.238 > 0.2.
        string a = new('a', 30), b = new('b', 30), c = new('c', 30);
        Assert.Equal("dup_para_char_frac", f.DropReason(Doc($"{a}\n\n{b}\n\n{c}\n\n{a}")));
        // Lines [a, b, c, a] (single newlines): duplicated line characters likewise.
        Assert.Equal("dup_line_char_frac", f.DropReason(Doc($"{a}\n{b}\n{c}\n{a}")));
        Assert.Equal("empty", f.DropReason(Doc("")));
    }

    [Fact]
    public void C4RemovesLinesWithReasonsAndCountsTheirCharacters()
    {
        string[] lines =
        [
            "Home",                                                    // no terminal punctuation (4 chars)
            "The quick brown fox jumps over the lazy dog.",             // kept: 1 sentence
            "Click here to enable Javascript in your browser.",         // javascript (48)
            "We use cookies. See our privacy policy for details.",      // policy (51)
            "  This sentence is kept. So is this one! Is it?  ",        // kept: 3 sentences
            "A fourth line with enough words here.",                   // kept: 1 sentence
            "Short one.",                                              // 2 words (10)
            "Words [1] with a citation [edit] here.",                  // kept, citations cut (3 + 6 chars): 1 sentence
        ];
        var docs = new[] { Doc(string.Join('\n', lines)) };
        var stats = new TransformStats();
        var output = new C4QualityFilter().Apply(docs, stats).Single();
        Assert.Equal("The quick brown fox jumps over the lazy dog.\nThis sentence is kept. So is this one! Is it?\n" +
                     "A fourth line with enough words here.\nWords  with a citation  here.", output.Text);
        var reasons = stats.Reasons();
        var rows = Enumerable.Range(0, (int)reasons.Rows.Count).ToDictionary(i => (string)reasons["reason"][i], i => (long)reasons["characters"][i]);
        Assert.Equal(new Dictionary<string, long>
        {
            ["line_no_terminal_punct"] = 4, ["line_javascript"] = 48, ["line_policy"] = 51, ["line_too_few_words"] = 10, ["citations"] = 9,
        }, rows);
        var verdict = new C4QualityFilter().Evaluate(docs[0].Text);
        Assert.Equal(["line_no_terminal_punct", null, "line_javascript", "line_policy", null, null, "line_too_few_words", null], verdict.LineReasons);
    }

    [Fact]
    public void C4DropsDocuments()
    {
        var f = new C4QualityFilter();
        const string five = "One sentence here. Two sentences here. Three are here. Four are here. Five are here.";
        Assert.Null(f.Evaluate(five).DropReason);
        Assert.Equal("too_few_sentences", f.Evaluate("One sentence here. Two sentences here. Three are here. Four are here.").DropReason);
        Assert.Equal("lorem_ipsum", f.Evaluate(five + "\nLorem ipsum dolor sit amet.").DropReason);
        Assert.Equal("curly_bracket", f.Evaluate(five + "\nThe code is { x }.").DropReason);
        // A '{' on a line removed earlier (no terminal punctuation) does not drop the document.
        Assert.Null(f.Evaluate(five + "\nint main() {").DropReason);
        Assert.Equal("line_too_long_word", f.Evaluate(five + "\n" + new string('x', 1001) + " is long.").LineReasons[1]);
    }

    [Fact]
    public void FineWebQualityRules()
    {
        var f = new FineWebQualityFilter();
        string[] good = ["The first line is long enough to count here.", "The second line is also long enough, surely.", "And a third line ends the small document."];
        Assert.Null(f.DropReason(Doc(string.Join('\n', good))));
        // 1 of 10 lines ends in punctuation: 0.1 ≤ 0.12.
        var noPunct = Enumerable.Range(0, 10).Select(i => $"line number {i} has no final punctuation at all").ToArray();
        noPunct[0] += ".";
        Assert.Equal("line_punct_ratio", f.DropReason(Doc(string.Join('\n', noPunct))));
        // 3 of 4 lines ≤ 30 characters: 0.75 ≥ 0.67 (2 of 3 would be 0.667 < 0.67).
        Assert.Equal("short_line_ratio", f.DropReason(Doc("Short one.\nAnother short.\nThird short.\n" + good[0])));
        // A duplicated line: its 44 characters over 132 non-newline characters ≥ 0.01.
        Assert.Equal("char_dup_ratio", f.DropReason(Doc(string.Join('\n', good[0], good[1], good[0]))));
        // 10 one-word lines: 9 newlines over at most 20 tokens (word and '.') > 0.3.
        var list = Enumerable.Range(0, 10).Select(i => new string((char)('a' + i), 35) + ".");
        Assert.Equal("list_ratio", f.DropReason(Doc(string.Join('\n', list))));
    }

    [Fact]
    public void AllRulesRunAsOnePipelineWithPerStepStatistics()
    {
        var docs = CorpusReader.Read(Path.Combine(TestCorpus.RepoRoot, "data-samples", "sample.parquet")).Take(120).ToList();
        var stats = new TransformStats();
        var kept = RuleFilters.All().Apply(docs, stats).ToList();
        var steps = stats.Steps();
        Assert.Equal(RuleFilters.Names, steps["step"].Cast<string>());
        Assert.Equal(120L, (long)steps["documents_in"][0]);
        Assert.Equal(kept.Count, (long)steps["documents_out"][3]);
        var reasons = stats.Reasons();
        long dropped = Enumerable.Range(0, (int)reasons.Rows.Count).Sum(i => (long)reasons["documents"][i]);
        Assert.Equal(120 - kept.Count, dropped);
        Assert.Throws<ArgumentException>(() => RuleFilters.Create("gopher"));
    }
}
