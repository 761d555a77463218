using ResearchKit.Corpus;
using ResearchKit.Filters;
using ResearchKit.Packing;
using ResearchKit.Pipeline;
using ResearchKit.ProX;

namespace ResearchKit.Tests.ProX;

/// <summary>Scoring any refinement against the labels: which lines a text-to-text refinement removed, drop and line
/// precision/recall on hand-computed cases, parse rates, and C4's own per-line record as an independent check of the
/// line alignment on the real labelled pages.</summary>
public sealed class RefinementScoreTests
{
    static IReadOnlyDictionary<string, string> Boilerplate(string ranges) => new Dictionary<string, string> { ["boilerplate"] = ranges };

    [Fact]
    public void RemovedLinesAreTheOriginalLinesOutsideTheAlignment()
    {
        Assert.Equal([new LineRange(0, 1), new LineRange(4, 4)], LineAlignment.RemovedLines("nav\nmenu\nBody one.\nBody two.\nfooter", "Body one.\nBody two."));
        // Lines compared stripped (C4 strips the lines it keeps); a line changed by an edit counts as removed.
        Assert.Equal([new LineRange(1, 1)], LineAlignment.RemovedLines("  Keep me.  \nold\nAlso kept.", "Keep me.\nAlso kept."));
        Assert.Equal([new LineRange(1, 1)], LineAlignment.RemovedLines("a\nthe colour\nb", "a\nthe color\nb"));
        // Dropped: every line; untouched: none.
        Assert.Equal([new LineRange(0, 2)], LineAlignment.RemovedLines("a\nb\nc", null));
        Assert.Empty(LineAlignment.RemovedLines("a\nb\nc", "a\nb\nc"));
        // Of two equal lines, the earlier one is the one kept.
        Assert.Equal([new LineRange(2, 3)], LineAlignment.RemovedLines("x\ny\nx\nz", "x\ny"));
    }

    /// <summary>The number of lines kept is the longest common subsequence, against a plain recursive reference, on
    /// random texts over a three-line alphabet (many repeats: the hard case).</summary>
    [Fact]
    public void KeepsALongestCommonSubsequenceOfLines()
    {
        var random = new SeededRandom(7);
        for (int trial = 0; trial < 300; trial++)
        {
            string[] Lines(int n) => Enumerable.Range(0, n).Select(_ => "abc"[random.NextInt(3)].ToString()).ToArray();
            var a = Lines(1 + random.NextInt(9));
            var b = Lines(random.NextInt(9));
            var removed = LineAlignment.RemovedLines(string.Join('\n', a), string.Join('\n', b));
            var kept = Enumerable.Range(0, a.Length).Where(i => !removed.Any(r => r.Contains(i))).Select(i => a[i]).ToArray();
            Assert.Equal(ReferenceLcs(a, b), kept.Length);
            Assert.True(IsSubsequence(kept, b), $"{string.Join("", a)} vs {string.Join("", b)}");
        }
    }

    static int ReferenceLcs(string[] a, string[] b)
    {
        var memo = new Dictionary<(int, int), int>();
        int Go(int i, int j)
        {
            if (i == a.Length || j == b.Length) return 0;
            if (memo.TryGetValue((i, j), out var v)) return v;
            return memo[(i, j)] = a[i] == b[j] ? 1 + Go(i + 1, j + 1) : Math.Max(Go(i + 1, j), Go(i, j + 1));
        }
        return Go(0, 0);
    }

    static bool IsSubsequence(string[] small, string[] big)
    {
        int j = 0;
        foreach (var s in small)
        {
            while (j < big.Length && big[j] != s) j++;
            if (j++ >= big.Length) return false;
        }
        return true;
    }

    [Fact]
    public void DropAndLinePrecisionRecallOnHandCountedDocuments()
    {
        var inputs = new[]
        {
            new Document("spam1", "Buy now", "mail-spam"),
            new Document("spam2", "Cheap pills", "mail-spam"),
            new Document("ham1", "Meeting at noon", "mail-ham"),
            new Document("ham2", "Lunch?", "mail-ham"),
            // lines 0-1 and 5 boilerplate; the refinement removes 0, 1, 2 (one false positive) and keeps 5 (one miss).
            new Document("page", "nav\nmenu\nIntro.\nBody.\nMore.\nfooter", "python-docs-pages", Meta: Boilerplate("0-1,5-5")),
            new Document("clean", "one\ntwo\nthree\nfour", "brown-press"),
        };
        var outputs = new Dictionary<string, Document>
        {
            ["spam1"] = inputs[0] with { },       // missed spam
            ["ham1"] = inputs[2],
            ["page"] = inputs[4] with { Text = "Body.\nMore.\nfooter" },
            ["clean"] = inputs[5] with { Text = "one\nthree\nfour" },
            // spam2 dropped (hit), ham2 dropped (false alarm)
        };
        var score = RefinementScore.Of(inputs, outputs, ["keep_doc()", "drop_doc()", "drop_doc(", "remove_lines(1, 2)"], ["keep_chunk()", "remove_lines(line_start=0, line_end=1)", "drop_doc()", "frobnicate()"]);
        Assert.Equal(new PrecisionRecall(1, 1, 1, 1), score.Drops);
        Assert.Equal(new PrecisionRecall(2, 1, 1, 2), score.Lines);
        Assert.Equal((1L, 4L), (score.UnlabelledLinesRemoved, score.UnlabelledLines));
        // Document level: a chunk-level call or a syntax error does not parse; chunk level: drop_doc() is the wrong
        // level and frobnicate() is unknown.
        Assert.Equal((2, 4, 2, 4), (score.DocumentProgramsParsed, score.DocumentPrograms, score.ChunkProgramsParsed, score.ChunkPrograms));
        var m = score.Metrics();
        Assert.Equal(0.5, m["drop_precision"]);
        Assert.Equal(2.0 / 3, m["line_precision"], 12);
        Assert.Equal(2.0 / 3, m["line_recall"], 12);
        Assert.Equal(0.25, m["unlabelled_line_removal"]);
        Assert.Equal(0.5, m["chunk_program_parse_rate"]);

        // Nothing predicted: precision is undefined and left out, recall is 0.
        var none = RefinementScore.Of(inputs, inputs.ToDictionary(d => d.Id)).Metrics();
        Assert.False(none.ContainsKey("drop_precision"));
        Assert.False(none.ContainsKey("doc_program_parse_rate"));
        Assert.Equal(0, none["drop_recall"]);
        Assert.Equal(0, none["line_recall"]);
        Assert.Equal(0, none["unlabelled_line_removal"]);
    }

    /// <summary>C4 records which lines it removed; scoring from the texts alone finds those lines on every labelled
    /// page C4 keeps (the independent check of the alignment the rule baselines are scored with), plus the lines C4
    /// kept but edited (a citation such as "[1]" cut out), which the alignment counts as removed.</summary>
    [Fact]
    public void LineAlignmentAgreesWithC4sOwnRecordOnTheLabelledPages()
    {
        var c4 = new C4QualityFilter();
        int compared = 0, edited = 0;
        foreach (var page in CorpusReader.Read(Path.Combine(TestCorpus.RepoRoot, "data-samples", "prox-lines.parquet")))
        {
            var verdict = c4.Evaluate(page.Text);
            if (verdict.DropReason is not null) continue;
            var lines = page.Text.Split('\n');
            Assert.Equal(lines.Length, verdict.LineReasons.Count);   // pages hold no other line breaks
            var byC4 = verdict.LineReasons.Select((r, i) => (r, i)).Where(x => x.r is not null).Select(x => (long)x.i).ToHashSet();
            var byText = LineAlignment.RemovedLines(page.Text, verdict.Text).SelectMany(r => Enumerable.Range((int)r.Start, (int)r.Count).Select(i => (long)i)).ToHashSet();
            var keptText = verdict.Text!.Split('\n').ToHashSet();
            var changed = Enumerable.Range(0, lines.Length).Where(i => verdict.LineReasons[i] is null && !keptText.Contains(lines[i].Trim())).Select(i => (long)i).ToHashSet();
            Assert.All(changed, i => Assert.Matches(@"\[(\d*|edit|citation needed)\]", lines[i]));
            edited += changed.Count;
            // Where the kept lines are all different, the alignment is unique and names exactly these lines.
            if (keptText.Count == verdict.Text.Split('\n').Length) Assert.Equal(byC4.Union(changed).Order(), byText.Order());
            else Assert.Equal(byC4.Count + changed.Count, byText.Count);
            compared++;
        }
        Assert.True(compared >= 20, $"only {compared} pages kept by C4");
        Assert.True(edited >= 1, "no page had a citation cut: the edited-line case went untested");
    }

    [Fact]
    public void ARuleFilterAndLabelProgramsScoredOnTheRealPages()
    {
        var pages = CorpusReader.Read(Path.Combine(TestCorpus.RepoRoot, "data-samples", "prox-lines.parquet")).Take(40).ToList();
        RefinementScore Score(RefineSpec spec) => RefinementScore.Measure(spec, pages);
        // The label programs remove exactly the labelled lines, plus the main lines of pages the interpreter then
        // drops for keeping at most 5% of their words.
        var clean = RefineSpec.ProxDC with { GroundTruth = true };
        var labels = Score(clean);
        var survivors = clean.Build().Apply(pages, new TransformStats()).Select(d => d.Id).ToHashSet();
        Assert.Equal(1.0, labels.Lines.Recall);
        Assert.Equal(pages.Where(p => !survivors.Contains(p.Id)).Sum(p => p.Text.Split('\n').Length - ProxLabel.Of(p).Boilerplate!.Sum(r => r.Count)),
                     labels.Lines.FalsePositives);
        // FineWeb's quality filter drops whole pages: its removals are whole documents' lines.
        var fineweb = Score(RefineSpec.RulesOnly("fineweb-quality"));
        var kept = RefineSpec.RulesOnly("fineweb-quality").Build().Apply(pages, new TransformStats()).Select(d => d.Id).ToHashSet();
        long expectedRemoved = pages.Where(p => !kept.Contains(p.Id)).Sum(p => (long)p.Text.Split('\n').Length);
        Assert.Equal(expectedRemoved, fineweb.Lines.TruePositives + fineweb.Lines.FalsePositives);
    }
}
