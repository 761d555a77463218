using ResearchKit.Packing;
using ResearchKit.Tokenization;

namespace ResearchKit.Tests.Packing;

public class BestFitPackerTests
{
    /// <summary>Bodies of lengths 5, 3, 2, 1 and 9 (with EOS: 6, 4, 3, 2, 10 tokens); no prefixes.</summary>
    static InMemoryTokenDataset Data()
    {
        var d = new InMemoryTokenDataset(["a"], vocabSize: 100, endOfText: 99);
        d.Add("a", [1, 2, 3, 4, 5]);
        d.Add("a", [11, 12, 13]);
        d.Add("a", [21, 22]);
        d.Add("a", [31]);
        d.Add("a", [41, 42, 43, 44, 45, 46, 47, 48, 49]);
        return d;
    }

    static List<PackedWindow> Epoch(BestFitPacker p)
    {
        var all = new List<PackedWindow>();
        while (p.NextInEpoch() is { } w) all.Add(w);
        return all;
    }

    static string Pieces(PackedWindow w) =>
        string.Join("|", w.Tokens.Select((t, i) => (t, i)).Where(x => w.Trainable[x.i] || x.t != 99).GroupBy(x => w.Segments[x.i]).Select(g => string.Join(",", g.Select(x => x.t))));

    [Fact]
    public void WholeDocumentsGoLargestFirstIntoTheFullestWindowThatFits()
    {
        // Window 8, no shuffle, long documents split. Pieces by length: 8 (first 8 of the 10-token doc), 6, 4, 3, 2, 2 (tail).
        // Best fit: [8] full; [6] + 2 → 2 left: the next 2-piece fits there; [4] + [3] → 1 left; the other 2-piece opens a window.
        var p = new BestFitPacker(Data(), 8, seed: 1, shuffle: false);
        var windows = Epoch(p);
        var layouts = windows.Select(Pieces).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["1,2,3,4,5,99|31,99", "11,12,13,99|21,22,99", "41,42,43,44,45,46,47,48", "49,99"], layouts);
        Assert.Equal(4, p.Stats.Windows);
        Assert.Equal(32 - 25, p.Stats.PaddingTokens);        // 25 real tokens in 4 windows of 8
        Assert.Equal(5, p.Stats.Documents);
        Assert.Equal(1, p.Stats.DocumentsCut);               // only the 10-token document is longer than a window
        Assert.Equal(0, p.Stats.DroppedTokens);
        var padded = windows.Single(w => w.Tokens[0] == 49);
        Assert.Equal([49, 99, 99, 99, 99, 99, 99, 99], padded.Tokens);
        Assert.Equal([true, true, false, false, false, false, false, false], padded.Trainable);
        Assert.Equal([0, 0, 1, 1, 1, 1, 1, 1], padded.Segments);
    }

    [Fact]
    public void TruncateKeepsTheFirstWindowOfALongDocumentAndCountsTheRest()
    {
        var p = new BestFitPacker(Data(), 8, seed: 1, shuffle: false, longDocuments: LongDocuments.Truncate);
        var windows = Epoch(p);
        Assert.DoesNotContain(windows, w => w.Tokens.Contains(49));
        Assert.Equal(1, p.Stats.DocumentsTruncated);
        Assert.Equal(2, p.Stats.DroppedTokens);               // 49 and its EOS
        Assert.Equal(0.2, p.Stats.CutFraction, 12);
    }

    [Fact]
    public void SeededShuffleResumesToTheSameWindows()
    {
        var data = TestCorpus.Bytes("Packing", "Tokenization");
        var p = new BestFitPacker(data, 257, seed: 4, bufferDocuments: 7);
        for (int i = 0; i < 40; i++) p.Next();
        var state = p.State;
        var expected = Enumerable.Range(0, 30).Select(_ => string.Join(",", p.Next().Tokens)).ToList();
        var q = new BestFitPacker(data, 257, seed: 4, bufferDocuments: 7);
        q.Restore(state);
        Assert.Equal(expected, Enumerable.Range(0, 30).Select(_ => string.Join(",", q.Next().Tokens)));
        var other = new BestFitPacker(data, 257, seed: 5, bufferDocuments: 7);
        Assert.NotEqual(expected[0], string.Join(",", other.Next().Tokens));
    }

    [Fact]
    public void NoDocumentIsSplitWhenItFitsAndEveryTokenArrivesOncePerEpoch()
    {
        var data = TestCorpus.Bytes("Packing", "Training");
        var p = new BestFitPacker(data, 2049, seed: 9, new PackerOptions(TrainEndOfText: true));
        var windows = Epoch(p);
        long bodyTokens = Enumerable.Range(0, data.DocumentCount).Sum(d => (long)data.Body(d).Length + 1);
        Assert.Equal(bodyTokens, windows.Sum(w => w.Trainable.Count(t => t)));
        long fitting = Enumerable.Range(0, data.DocumentCount).Count(d => data.Body(d).Length + 1 <= 2049);
        Assert.Equal(data.DocumentCount - fitting, p.Stats.DocumentsCut);
        Assert.True(p.Stats.PaddingFraction < 0.2, $"padding {p.Stats.PaddingFraction:P1}");
    }
}
