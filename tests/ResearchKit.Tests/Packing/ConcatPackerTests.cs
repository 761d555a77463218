using ResearchKit.Packing;
using ResearchKit.Tokenization;

namespace ResearchKit.Tests.Packing;

public class ConcatPackerTests
{
    static InMemoryTokenDataset Data()
    {
        var d = new InMemoryTokenDataset(["a", "b"], vocabSize: 100, endOfText: 99);
        d.Add("a", [1, 2, 3], prefix: [50, 51]);
        d.Add("b", [4, 5, 6, 7, 8]);
        d.Add("a", [9], prefix: [52]);
        d.Add("b", []); // empty: skipped
        d.Add("b", [10, 11]);
        return d;
    }

    static List<PackedWindow> Take(ConcatPacker p, int n) => Enumerable.Range(0, n).Select(_ => p.Next()).ToList();

    [Fact]
    public void InOrderPackingLaysOutPrefixBodyEosWithSegmentsAndMasks()
    {
        var p = new ConcatPacker(Data(), windowLength: 6, includePrefixes: true, seed: 1, shuffle: false);
        var w = Take(p, 3);
        // stream: [50 51 1 2 3 99][4 5 6 7 8 99][52 9 99][10 11 99]
        Assert.Equal(new[] { 50, 51, 1, 2, 3, 99 }, w[0].Tokens);
        Assert.Equal(new[] { false, false, true, true, true, true }, w[0].Trainable);
        Assert.Equal(new[] { 4, 5, 6, 7, 8, 99 }, w[1].Tokens);
        Assert.Equal(new[] { 52, 9, 99, 10, 11, 99 }, w[2].Tokens);
        Assert.Equal(new[] { 0, 0, 0, 1, 1, 1 }, w[2].Segments);
        Assert.Equal(new[] { 0, 0, 0, 1, 1, 1 }, w[2].Domains);
        Assert.Equal(new[] { false, true, true, true, true, true }, w[2].Trainable);
    }

    [Fact]
    public void WithoutPrefixesOnlyBodiesAndEos()
    {
        var p = new ConcatPacker(Data(), windowLength: 5, includePrefixes: false, seed: 1, shuffle: false);
        Assert.Equal(new[] { 1, 2, 3, 99, 4 }, p.Next().Tokens);
        Assert.Equal(new[] { 5, 6, 7, 8, 99 }, p.Next().Tokens);
        // Evaluation pass of 4-token windows over 15 tokens [1 2 3 99][4 5 6 7 8 99][9 99][10 11 99]: the last is padded.
        var eval = new ConcatPacker(Data(), windowLength: 4, includePrefixes: false, seed: 1, shuffle: false);
        var all = new List<PackedWindow>();
        while (eval.NextInEpoch() is { } w) all.Add(w);
        Assert.Equal(4, all.Count);
        Assert.Equal(new[] { 8, 99, 9, 99 }, all[2].Tokens);
        Assert.Equal(new[] { 10, 11, 99, 99 }, all[3].Tokens);
        Assert.Equal(new[] { true, true, true, false }, all[3].Trainable);
    }

    [Fact]
    public void SameSeedSameWindowsOtherSeedOtherOrder()
    {
        var data = TestCorpus.Bytes("Packing", "Tokenization");
        string Sig(ulong seed) => string.Join(";", Take(new ConcatPacker(data, 65, true, seed), 1000).Select(w => string.Join(",", w.Tokens)));
        Assert.Equal(Sig(7), Sig(7));
        Assert.NotEqual(Sig(7), Sig(8)); // 1000 windows span a whole epoch, so the document order shows
    }

    [Fact]
    public void ResumingFromStateContinuesTheSameStreamAcrossEpochs()
    {
        var data = Data();
        var p = new ConcatPacker(data, 4, true, seed: 5);
        Take(p, 7);                                  // 7·4 = 28 tokens: past the first epoch (18 tokens)
        var state = p.State;
        Assert.True(state.Epoch >= 1);
        var expected = Take(p, 10);
        var q = new ConcatPacker(data, 4, true, seed: 5);
        q.Restore(state);
        var actual = Take(q, 10);
        Assert.Equal(expected.Select(w => string.Join(",", w.Tokens)), actual.Select(w => string.Join(",", w.Tokens)));
    }

    [Fact]
    public void WeightedSamplerDrawsOneDomainPerWindowInProportion()
    {
        var data = TestCorpus.Bytes("Packing", "Tokenization");
        var s = new WindowSampler(data, 33, true, seed: 11, domainWeights: [3, 1]);
        var windows = Enumerable.Range(0, 2000).Select(_ => s.Next()).ToList();
        Assert.All(windows, w => Assert.Single(w.Domains.Distinct()));
        double share = windows.Count(w => w.Domains[0] == 0) / 2000.0;
        Assert.InRange(share, 0.72, 0.78); // expected 0.75; 2000 draws give a standard deviation of ~0.01
        var state = s.State;
        var next = s.Next();
        var t = new WindowSampler(data, 33, true, seed: 11, domainWeights: [3, 1]);
        t.Restore(state);
        Assert.Equal(next.Tokens, t.Next().Tokens);
        Assert.Throws<ArgumentException>(() => new WindowSampler(data, 33, true, 1, [1, 1, 1]));
    }
}
