using System.Text.Json.Nodes;
using ResearchKit.Packing;
using ResearchKit.Tokenization;

namespace ResearchKit.Tests.Packing;

public class ConcatPackerTests
{
    internal static InMemoryTokenDataset Data()
    {
        var d = new InMemoryTokenDataset(["a", "b"], vocabSize: 100, endOfText: 99);
        d.Add("a", [1, 2, 3], prefix: [50, 51]);
        d.Add("b", [4, 5, 6, 7, 8]);
        d.Add("a", [9], prefix: [52]);
        d.Add("b", []); // empty: skipped
        d.Add("b", [10, 11]);
        return d;
    }

    static List<PackedWindow> Take(IWindowSource p, int n) => Enumerable.Range(0, n).Select(_ => p.Next()).ToList();
    static ConcatPacker InOrder(int window, PackerOptions? options = null) => new(Data(), window, seed: 1, options, shuffle: false);

    [Fact]
    public void InOrderPackingLaysOutPrefixBodyEosWithSegmentsAndMasks()
    {
        var w = Take(InOrder(6), 3);
        // stream: [50 51 1 2 3 99][4 5 6 7 8 99][52 9 99][10 11 99]
        Assert.Equal([50, 51, 1, 2, 3, 99], w[0].Tokens);
        Assert.Equal([false, false, true, true, true, true], w[0].Trainable);
        Assert.Equal([false, false, true, true, true, true], w[0].PrefixInView);
        Assert.Equal([4, 5, 6, 7, 8, 99], w[1].Tokens);
        Assert.Equal([52, 9, 99, 10, 11, 99], w[2].Tokens);
        Assert.Equal([0, 0, 0, 1, 1, 1], w[2].Segments);
        Assert.Equal([0, 0, 0, 1, 1, 1], w[2].Domains);
        Assert.Equal([false, true, true, true, true, true], w[2].Trainable);
        Assert.Equal([false, true, true, false, false, false], w[2].PrefixInView);
    }

    [Fact]
    public void WithoutPrefixesOnlyBodiesAndEos()
    {
        var p = InOrder(5, new PackerOptions(IncludePrefixes: false));
        Assert.Equal([1, 2, 3, 99, 4], p.Next().Tokens);
        Assert.Equal([5, 6, 7, 8, 99], p.Next().Tokens);
        // Evaluation pass of 4-token windows over 15 tokens [1 2 3 99][4 5 6 7 8 99][9 99][10 11 99]: the last is padded.
        var eval = InOrder(4, new PackerOptions(IncludePrefixes: false));
        var all = new List<PackedWindow>();
        while (eval.NextInEpoch() is { } w) all.Add(w);
        Assert.Equal(4, all.Count);
        Assert.Equal([8, 99, 9, 99], all[2].Tokens);
        Assert.Equal([10, 11, 99, 99], all[3].Tokens);
        Assert.Equal([true, true, true, false], all[3].Trainable);
        Assert.Equal(4 * 4, eval.Stats.Tokens);
        Assert.Equal(1, eval.Stats.PaddingTokens);
        Assert.Equal(4, eval.Stats.Documents);
        Assert.Equal(1, eval.Stats.DocumentsCut);   // only [4 5 6 7 8 99] crosses a window border
    }

    [Fact]
    public void RepeatedPrefixStartsEveryContinuationWindow()
    {
        var d = new InMemoryTokenDataset(["a"], vocabSize: 100, endOfText: 99);
        d.Add("a", [1, 2, 3, 4, 5, 6, 7], prefix: [50, 51]);
        var p = new ConcatPacker(d, 5, seed: 1, new PackerOptions(RepeatPrefix: true), shuffle: false);
        var w = Take(p, 3);
        Assert.Equal([50, 51, 1, 2, 3], w[0].Tokens);
        Assert.Equal([50, 51, 4, 5, 6], w[1].Tokens);    // the prefix again, masked, then the body goes on
        Assert.Equal([false, false, true, true, true], w[1].Trainable);
        Assert.Equal([false, false, true, true, true], w[1].PrefixInView);
        Assert.Equal([50, 51, 7, 99, 50], w[2].Tokens);  // last piece, EOS, then the next epoch's document starts
        var plain = Take(new ConcatPacker(d, 5, seed: 1, shuffle: false), 2);
        Assert.Equal([4, 5, 6, 7, 99], plain[1].Tokens); // without repeating, a continuation window has no metadata in view
        Assert.All(plain[1].PrefixInView, Assert.False);
        var tooSmall = new ConcatPacker(d, 3, 1, new PackerOptions(RepeatPrefix: true), shuffle: false);
        tooSmall.Next();
        Assert.Throws<ArgumentException>(() => tooSmall.Next());   // a 2-token prefix leaves no room to repeat it in 3-token windows
    }

    [Fact]
    public void DocumentStartTokenIsMaskedAndRepeatsWithThePrefix()
    {
        var d = new InMemoryTokenDataset(["a"], vocabSize: 100, endOfText: 99);
        d.Add("a", [1, 2, 3, 4, 5, 6], prefix: [50]);
        var p = new ConcatPacker(d, 5, seed: 1, new PackerOptions(RepeatPrefix: true, DocumentStart: true), shuffle: false);
        var w = Take(p, 2);
        Assert.Equal([99, 50, 1, 2, 3], w[0].Tokens);              // [start][prefix][body...]
        Assert.Equal([false, false, true, true, true], w[0].Trainable);
        Assert.Equal([false, false, true, true, true], w[0].PrefixInView);
        Assert.Equal([99, 50, 4, 5, 6], w[1].Tokens);              // a continuation window repeats both
        var cooldown = new ConcatPacker(d, 5, seed: 1, new PackerOptions(IncludePrefixes: false, DocumentStart: true), shuffle: false);
        Assert.Equal([99, 1, 2, 3, 4], cooldown.Next().Tokens);     // without metadata the start token stays (the reference's [BOS]+doc)
        Assert.All(cooldown.Next().PrefixInView, Assert.False);
        var bestFit = new BestFitPacker(d, 10, seed: 1, new PackerOptions(DocumentStart: true), shuffle: false).Next();
        Assert.Equal([99, 50, 1, 2, 3, 4, 5, 6, 99, 99], bestFit.Tokens);
        Assert.Equal([false, false, true, true, true, true, true, true, true, false], bestFit.Trainable);
    }

    [Fact]
    public void EndOfTextStaysInTheWindowButIsNotTrainedWhenAsked()
    {
        var w = InOrder(6, new PackerOptions(IncludePrefixes: false, TrainEndOfText: false)).Next();
        Assert.Equal([1, 2, 3, 99, 4, 5], w.Tokens);
        Assert.Equal([true, true, true, false, true, true], w.Trainable);
    }

    [Fact]
    public void SwitchingPrefixesOffContinuesTheSameStream()
    {
        var p = InOrder(4);
        Assert.Equal([50, 51, 1, 2], p.Next().Tokens);
        p.IncludePrefixes = false;                       // MeCo's cooldown: same order, same position
        Assert.Equal([3, 99, 4, 5], p.Next().Tokens);
        Assert.Equal([6, 7, 8, 99], p.Next().Tokens);
        Assert.Equal([9, 99, 10, 11], p.Next().Tokens);  // the next document's prefix is dropped, not its body
        p.IncludePrefixes = true;
        Assert.Equal([99, 50, 51, 1], p.Next().Tokens);  // switched back on: the next document starts with its prefix
    }

    [Fact]
    public void SameSeedSameWindowsOtherSeedOtherOrder()
    {
        var data = TestCorpus.Bytes("Packing", "Tokenization");
        string Sig(ulong seed) => string.Join(";", Take(new ConcatPacker(data, 65, seed), 1000).Select(w => string.Join(",", w.Tokens)));
        Assert.Equal(Sig(7), Sig(7));
        Assert.NotEqual(Sig(7), Sig(8)); // 1000 windows span a whole epoch, so the document order shows
    }

    [Fact]
    public void ResumingFromStateContinuesTheSameStreamAcrossEpochs()
    {
        var data = Data();
        var p = new ConcatPacker(data, 4, seed: 5, new PackerOptions(RepeatPrefix: true));
        Take(p, 7);                                  // past the first epoch
        var state = p.State;
        Assert.True(p.At.Epoch >= 1);
        var expected = Take(p, 10);
        var q = new ConcatPacker(data, 4, seed: 5, new PackerOptions(RepeatPrefix: true));
        q.Restore(JsonNode.Parse(state.ToJsonString())!);
        Assert.Equal(expected.Select(w => string.Join(",", w.Tokens)), Take(q, 10).Select(w => string.Join(",", w.Tokens)));
    }

    [Fact]
    public void AGivenOrderIsPackedAsGiven()
    {
        var p = new ConcatPacker(Data(), 6, seed: 1, new PackerOptions(IncludePrefixes: false), documents: [4, 2, 0], shuffle: false);
        Assert.Equal([10, 11, 99, 9, 99, 1], p.Next().Tokens);
        Assert.Equal([2, 3, 99, 10, 11, 99], p.Next().Tokens);   // the order repeats each epoch
    }

    [Fact]
    public void WeightedSamplerDrawsOneDomainPerWindowInProportionAndResumes()
    {
        var data = TestCorpus.Bytes("Packing", "Tokenization");
        var s = new WindowSampler(data, 33, new ConcatPacking(), new PackerOptions(), seed: 11, domainWeights: [3, 1]);
        var windows = Enumerable.Range(0, 2000).Select(_ => s.Next()).ToList();
        Assert.All(windows, w => Assert.Single(w.Domains.Distinct()));
        double share = windows.Count(w => w.Domains[0] == 0) / 2000.0;
        Assert.InRange(share, 0.72, 0.78); // expected 0.75; 2000 draws give a standard deviation of ~0.01
        var state = s.State;
        var next = s.Next();
        var t = new WindowSampler(data, 33, new ConcatPacking(), new PackerOptions(), seed: 11, domainWeights: [3, 1]);
        t.Restore(state);
        Assert.Equal(next.Tokens, t.Next().Tokens);
        Assert.Throws<ArgumentException>(() => new WindowSampler(data, 33, new ConcatPacking(), new PackerOptions(), 1, [1, 1, 1]));
        s.SetDomainWeights([0, 1]);                  // a phase: only the second domain from now on
        Assert.All(Take(s, 50), w => Assert.Equal(1, w.Domains[0]));
        var natural = new WindowSampler(data, 33, new ConcatPacking(), new PackerOptions(), seed: 11);
        Assert.Throws<InvalidOperationException>(() => natural.SetDomainWeights([1, 1]));
    }

    [Fact]
    public void BlockShuffleEmitsTheSameWindowsInAnotherOrderAndResumes()
    {
        var data = TestCorpus.Bytes("Packing");
        var plain = new ConcatPacking(Shuffle: false).Build(data, Enumerable.Range(0, data.DocumentCount).ToArray(), 33, 3, new PackerOptions());
        var shuffled = new ConcatPacking(Shuffle: false, ShuffleWindowBlock: 16).Build(data, Enumerable.Range(0, data.DocumentCount).ToArray(), 33, 3, new PackerOptions());
        var a = Take(plain, 32).Select(w => string.Join(",", w.Tokens)).ToList();
        var b = Take(shuffled, 32).Select(w => string.Join(",", w.Tokens)).ToList();
        Assert.NotEqual(a, b);
        Assert.Equal(a.Take(16).Order(), b.Take(16).Order());   // each block holds the same windows
        Assert.Equal(a.Skip(16).Order(), b.Skip(16).Order());
        Take(shuffled, 5);
        var state = shuffled.State;
        var expected = Take(shuffled, 20).Select(w => string.Join(",", w.Tokens)).ToList();
        var again = new ConcatPacking(Shuffle: false, ShuffleWindowBlock: 16).Build(data, Enumerable.Range(0, data.DocumentCount).ToArray(), 33, 3, new PackerOptions());
        again.Restore(state);
        Assert.Equal(expected, Take(again, 20).Select(w => string.Join(",", w.Tokens)));
    }
}
