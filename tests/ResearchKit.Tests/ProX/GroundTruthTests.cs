using ResearchKit.Corpus;
using ResearchKit.ProX;
using ResearchKit.Tokenization;

namespace ResearchKit.Tests.ProX;

/// <summary>Labels → canonical programs → interpreter gives back exactly the labels; the committed label file's
/// invariants; the scoring helpers on hand-computed cases.</summary>
public sealed class GroundTruthTests
{
    [Fact]
    public void LineRangesFormatAndParse()
    {
        var ranges = LineRange.Parse("0-11,87-95,100-100");
        Assert.Equal([new LineRange(0, 11), new LineRange(87, 95), new LineRange(100, 100)], ranges);
        Assert.Equal("0-11,87-95,100-100", LineRange.Format(ranges));
        Assert.Empty(LineRange.Parse(""));
        foreach (var bad in new[] { "5", "3-1", "-1-2", "a-b", "1-2,", " 1-2" })
            Assert.Throws<FormatException>(() => LineRange.Parse(bad));
        Assert.Equal([new LineRange(0, 5), new LineRange(7, 7)],
                     LineRange.Merge([new LineRange(3, 5), new LineRange(0, 2), new LineRange(7, 7), new LineRange(1, 1)]));
    }

    [Fact]
    public void LabelsComeFromTheDomainAndTheBoilerplateKey()
    {
        Assert.Equal(true, ProxLabel.Of(new Document("s", "x", "mail-spam")).Drop);
        Assert.Equal(false, ProxLabel.Of(new Document("h", "x", "mail-ham")).Drop);
        var page = ProxLabel.Of(new Document("p", "x", "python-docs", Meta: new Dictionary<string, string> { ["boilerplate"] = "0-2,9-9" }));
        Assert.Null(page.Drop);
        Assert.Equal([new LineRange(0, 2), new LineRange(9, 9)], page.Boilerplate);
        Assert.Null(ProxLabel.Of(new Document("b", "x", "brown-press")).Boilerplate);
    }

    [Fact]
    public void ChunkProgramsClipTheLabelledRangesToTheChunk()
    {
        var label = new ProxLabel(null, [new LineRange(0, 3), new LineRange(10, 12)]);
        Assert.Equal("remove_lines(line_start=2, line_end=3)\nremove_lines(line_start=10, line_end=11)",
                     LabelProgramWriter.ChunkProgram(label, new ProxChunk(2, 11, "", 0)));
        Assert.Equal("keep_chunk()", LabelProgramWriter.ChunkProgram(label, new ProxChunk(4, 9, "", 0)));
        Assert.Equal("drop_doc()", LabelProgramWriter.DocumentProgram(new ProxLabel(true, null)));
        Assert.Equal("keep_doc()", LabelProgramWriter.DocumentProgram(new ProxLabel(null, null)));
    }

    [Fact]
    public void SpamHamLabelsThroughTheInterpreterScorePerfectly()
    {
        var mail = CorpusReader.Read(Path.Combine(TestCorpus.RepoRoot, "data-samples", "sample.parquet"))
                               .Where(d => d.Domain.StartsWith("mail-")).ToList();
        var programs = new LabelProgramWriter().WriteDocumentPrograms(mail);
        foreach (var options in new[] { ProxOptions.Default, ProxOptions.Reference })
        {
            var interpreter = new ProgramInterpreter(options);
            var score = RefinerScores.Drops(mail.Select((d, i) => (interpreter.RunDocumentProgram(d.Text, programs[i]).Dropped, ProxLabel.Of(d).Drop!.Value)));
            Assert.Equal(mail.Count(d => d.Domain == "mail-spam"), score.TruePositives);
            Assert.Equal((0L, 0L), (score.FalsePositives, score.FalseNegatives));
            Assert.Equal((1.0, 1.0), (score.Precision, score.Recall));
        }
    }

    [Fact]
    public void LabelProgramsRemoveExactlyTheBoilerplateLinesOfEveryPage()
    {
        var chunker = new ProxChunker(TextTokenizers.Create("cl100k_base"), maxTokens: 1500);
        var writer = new LabelProgramWriter();
        var docs = ProxLinesFile.Documents;
        var chunked = docs.Select(d => new ChunkedDocument(d, chunker.Chunk(d.Text))).ToList();
        var programs = writer.WriteChunkPrograms(chunked);
        var total = PrecisionRecall.Zero;
        int processed = 0;
        foreach (var options in new[] { ProxOptions.Default, ProxOptions.Reference })
        {
            var interpreter = new ProgramInterpreter(options);
            for (int i = 0; i < docs.Count; i++)
            {
                var doc = docs[i];
                var r = interpreter.RunChunkProgram(doc.Text, ProxChunker.MergePrograms(programs[i]));
                var lines = doc.Text.Split('\n');
                var labelled = ProxLabel.Of(doc).Boilerplate!;
                Assert.Empty(r.Errors);
                if (r.Outcome != RefineOutcome.Processed) continue;   // a page whose main text is ≤ 5 % of its words
                processed++;
                Assert.Equal(LineRange.Merge(labelled), r.RemovedLines);
                var main = lines.Where((_, k) => !labelled.Any(b => b.Contains(k)));
                Assert.Equal(string.Join('\n', main), r.Text);
                total += RefinerScores.Lines(lines.Length, RefinerScores.RemovedLines(r, lines.Length), labelled);
            }
        }
        Assert.True(processed >= 0.9 * 2 * docs.Count, $"{processed} of {2 * docs.Count} processed");
        Assert.Equal((1.0, 1.0), (total.Precision, total.Recall));
    }

    [Fact]
    public void ScoresOnHandComputedCases()
    {
        // 10 lines; removed 0-2, 8-9; labelled 0-3: TP 3 (0,1,2), FP 2 (8,9), FN 1 (3), TN 4.
        var lines = RefinerScores.Lines(10, [new LineRange(0, 2), new LineRange(8, 9)], [new LineRange(0, 3)]);
        Assert.Equal(new PrecisionRecall(3, 2, 1, 4), lines);
        Assert.Equal(0.6, lines.Precision, 12);
        Assert.Equal(0.75, lines.Recall, 12);
        Assert.Equal(2.0 / 3.0, lines.F1, 12);
        // Ranges past the end are clipped.
        Assert.Equal(new PrecisionRecall(2, 0, 0, 1), RefinerScores.Lines(3, [new LineRange(1, 99)], [new LineRange(1, 2)]));

        var drops = RefinerScores.Drops([(true, true), (true, false), (false, true), (false, false), (true, true)]);
        Assert.Equal(new PrecisionRecall(2, 1, 1, 1), drops);
        Assert.True(double.IsNaN(RefinerScores.Drops([(false, false)]).Precision));

        var dropped = new RefineResult(RefineOutcome.DroppedTooFewWords, null, [], [new LineRange(1, 1)], [], 20, 5, 1);
        Assert.Equal([new LineRange(0, 6)], RefinerScores.RemovedLines(dropped, 7));
        var ignored = dropped with { Outcome = RefineOutcome.ErrorsKeptOriginal, Text = "x" };
        Assert.Empty(RefinerScores.RemovedLines(ignored, 7));
    }

    [Fact]
    public void CommittedLabelFileIsSmallRealAndConsistent()
    {
        Assert.True(new FileInfo(ProxLinesFile.Path).Length < 2_000_000);
        var docs = ProxLinesFile.Documents;
        Assert.True(docs.Count >= 200, $"{docs.Count} pages");
        Assert.Equal(["linux-docs", "python-docs"], docs.Select(d => d.Domain).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(docs.Count, docs.Select(d => d.Id).Distinct().Count());
        long boilerplateLines = 0, allLines = 0;
        foreach (var doc in docs)
        {
            var lines = doc.Text.Split('\n');
            Assert.Equal(lines.Length.ToString(), doc.Meta!["lines"]);
            var ranges = ProxLabel.Of(doc).Boilerplate!;
            Assert.NotEmpty(ranges);
            Assert.Equal(LineRange.Merge(ranges), ranges);   // sorted, disjoint, not touching
            Assert.True(ranges[^1].End < lines.Length);
            long count = ranges.Sum(r => r.Count);
            Assert.Equal(count.ToString(), doc.Meta["boilerplate_lines"]);
            Assert.True(count < lines.Length, doc.Id);   // every page has main lines
            Assert.StartsWith("https://", doc.Url);
            boilerplateLines += count;
            allLines += lines.Length;
            // Navigation and footer phrases are labelled boilerplate wherever they stand alone on a line.
            for (int k = 0; k < lines.Length; k++)
                if (lines[k] is "Navigation" or "Previous topic" or "Next topic" or "This Page" || lines[k].StartsWith("© Copyright"))
                    Assert.True(ranges.Any(r => r.Contains(k)), $"{doc.Id} line {k}: {lines[k]}");
        }
        Assert.InRange((double)boilerplateLines / allLines, 0.2, 0.9);
    }
}
