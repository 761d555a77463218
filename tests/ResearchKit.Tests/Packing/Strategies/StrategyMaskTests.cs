using ResearchKit.Packing;
using ResearchKit.Recipes;
using ResearchKit.Reports;
using ResearchKit.Runtime;
using ResearchKit.Tokenization;
using ResearchKit.Training;

namespace ResearchKit.Tests.Packing.Strategies;

/// <summary>What each arm of <c>packing-strategies</c> gives the model, on literal documents: the windows its packer
/// cuts and the attention mask, positions and loss mask <see cref="Batch.FromWindows"/> builds from them.</summary>
public class StrategyMaskTests
{
    // A = [1 2 3], B = [4 5], C = [6 7 8 9], D = [10]; end-of-text 99. Windows of 6 tokens (5 inputs, 5 targets).
    static InMemoryTokenDataset Data()
    {
        var d = new InMemoryTokenDataset(["x"], vocabSize: 100, endOfText: 99);
        d.Add("x", [1, 2, 3]);
        d.Add("x", [4, 5]);
        d.Add("x", [6, 7, 8, 9]);
        d.Add("x", [10]);
        return d;
    }

    static readonly TorchSharp.torch.Device Cpu = TorchRuntime.Initialize("cpu").TorchDevice;

    /// <summary>The packing of each arm, as the recipe defines it (smoke preset).</summary>
    static PackingSpec Arm(string name) => PackingRecipes.Strategies().Resolve("smoke").Single(a => a.Arm == name).Config.Train.Data.Packing;

    static List<PackedWindow> Epoch(PackingSpec spec, IReadOnlyList<int> order, int window = 6)
    {
        var packer = spec.Build(Data(), order, window, seed: 3, new PackerOptions(IncludePrefixes: false));
        var windows = new List<PackedWindow>();
        while (packer.NextInEpoch() is { } w) windows.Add(w);
        return windows;
    }

    static bool[,] Causal(int t)
    {
        var m = new bool[t, t];
        for (int q = 0; q < t; q++) for (int k = 0; k <= q; k++) m[q, k] = true;
        return m;
    }

    static bool[,] BlockDiagonal(int[] segments)
    {
        int t = segments.Length;
        var m = new bool[t, t];
        for (int q = 0; q < t; q++) for (int k = 0; k <= q; k++) m[q, k] = segments[q] == segments[k];
        return m;
    }

    [Fact]
    public void RandomConcatenationAttendsAcrossTheBorderAndTrainsTheTargetBehindIt()
    {
        var spec = Arm("random");
        Assert.False(spec.DocumentMask);
        Assert.True(((ConcatPacking)spec).Shuffle);
        var w = new PackedWindow([1, 2, 3, 99, 4, 5], [true, true, true, true, true, true], [0, 0, 0, 0, 1, 1], new int[6]);
        using var batch = Batch.FromWindows([w], spec.DocumentMask, Cpu);
        Assert.Null(batch.AttentionMask);   // the model's plain causal attention
        Assert.Null(batch.Positions);       // positions 0..T-1
        Assert.Equal(Causal(5), PackingCharts.AllowedAttention(w, spec.DocumentMask));
        Assert.Equal([1f, 1f, 1f, 1f, 1f], batch.LossMask.data<float>().ToArray());   // end-of-text (99) predicts 4: trained
    }

    [Fact]
    public void IntraDocumentMaskIsBlockDiagonalWithPositionsRestartingAndNoTargetAcrossTheBorder()
    {
        var spec = Arm("random-masked");
        Assert.True(spec.DocumentMask);
        var first = Epoch(spec, [0, 1, 2, 3]);
        var random = Epoch(Arm("random"), [0, 1, 2, 3]);
        Assert.Equal(random.Select(w => w.Tokens), first.Select(w => w.Tokens));   // the same windows as random concatenation
        var w = new PackedWindow([1, 2, 3, 99, 4, 5], [true, true, true, true, true, true], [0, 0, 0, 0, 1, 1], new int[6]);
        using var batch = Batch.FromWindows([w], documentMask: true, Cpu);
        var mask = batch.AttentionMask!.reshape(5, 5).data<bool>().ToArray();
        var expected = BlockDiagonal([0, 0, 0, 0, 1]);
        for (int q = 0; q < 5; q++) for (int k = 0; k < 5; k++) Assert.Equal(expected[q, k], mask[q * 5 + k]);
        Assert.Equal(expected, PackingCharts.AllowedAttention(w, documentMask: true));
        Assert.Equal([0L, 1, 2, 3, 0], batch.Positions!.data<long>().ToArray());
        Assert.Equal([1f, 1f, 1f, 0f, 1f], batch.LossMask.data<float>().ToArray());   // 99 -> 4 crosses the border: masked
    }

    [Fact]
    public void OrderArmsKeepTheGivenOrderWithCrossDocumentAttentionAndShuffleOnlyWholeWindows()
    {
        int[] order = [2, 0, 3, 1];   // C A D B, as a traversal would give
        foreach (var arm in new[] { "cluster", "iclm" })
        {
            var spec = (ConcatPacking)Arm(arm);
            Assert.False(spec.DocumentMask);
            Assert.False(spec.Shuffle);
            Assert.True(spec.ShuffleWindowBlock > 1);
            // stream: 6 7 8 9 99 | 1 2 3 99 | 10 99 | 4 5 99  ->  windows of 6
            var inOrder = Epoch(new ConcatPacking(Shuffle: false) { DocumentMask = false }, order);
            Assert.Equal([6, 7, 8, 9, 99, 1], inOrder[0].Tokens);
            Assert.Equal([2, 3, 99, 10, 99, 4], inOrder[1].Tokens);
            Assert.Equal([0, 0, 0, 1, 1, 2], inOrder[1].Segments);
            var shuffled = Epoch(spec, order);
            Assert.Equal(inOrder.Select(w => string.Join(",", w.Tokens)).Order(), shuffled.Select(w => string.Join(",", w.Tokens)).Order());
            Assert.Equal(Causal(5), PackingCharts.AllowedAttention(inOrder[1], spec.DocumentMask));
        }
    }

    [Fact]
    public void BestFitKeepsEveryDocumentThatFitsWholeAndMasksAttentionPerDocument()
    {
        var spec = Arm("best-fit");
        Assert.True(spec.DocumentMask);
        var windows = Epoch(spec, [0, 1, 2, 3]);
        // Pieces with their end-of-text: C 5, A 4, B 3, D 2; best fit decreasing: [C], [A D], [B] (in a seeded order).
        var contents = windows.Select(w => string.Join(",", w.Tokens.Where((_, i) => w.Trainable[i]))).Order().ToArray();
        Assert.Equal(["1,2,3,99,10,99", "4,5,99", "6,7,8,9,99"], contents);
        var ad = windows.Single(w => w.Tokens[0] == 1);
        Assert.Equal([0, 0, 0, 0, 1, 1], ad.Segments);
        Assert.Equal(BlockDiagonal([0, 0, 0, 0, 1]), PackingCharts.AllowedAttention(ad, spec.DocumentMask));
        var b = windows.Single(w => w.Tokens[0] == 4);
        Assert.Equal([4, 5, 99, 99, 99, 99], b.Tokens);
        Assert.Equal([true, true, true, false, false, false], b.Trainable);   // padding is never a target
        using var batch = Batch.FromWindows([b], spec.DocumentMask, Cpu);
        Assert.Equal([1f, 1f, 0f, 0f, 0f], batch.LossMask.data<float>().ToArray());
    }
}
