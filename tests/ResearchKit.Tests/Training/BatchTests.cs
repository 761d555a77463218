using ResearchKit.Packing;
using ResearchKit.Runtime;
using ResearchKit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Tests.Training;

/// <summary>Batches built from compact host arrays with targets, masks and positions derived on the device, the
/// causal-flag path, and the prefetching loader.</summary>
public class BatchTests
{
    /// <summary>The batch as the kit built it before, entirely on the host: the reference for the device derivation.</summary>
    sealed record HostReference(long[] Tokens, long[] Targets, float[] LossMask, long[] Domains, long[] Positions, bool[] Attention, long Trained, long Prefixed);

    static HostReference Reference(IReadOnlyList<PackedWindow> windows, bool documentMask)
    {
        int b = windows.Count, t = windows[0].Length - 1;
        var r = new HostReference(new long[b * t], new long[b * t], new float[b * t], new long[b * t], new long[b * t], new bool[b * t * t], 0, 0);
        long trained = 0, prefixed = 0;
        for (int row = 0; row < b; row++)
        {
            var w = windows[row];
            int docStart = 0;
            for (int i = 0; i < t; i++)
            {
                int k = row * t + i;
                r.Tokens[k] = w.Tokens[i];
                r.Targets[k] = w.Tokens[i + 1];
                bool counted = w.Trainable[i + 1] && (w.Segments[i] == w.Segments[i + 1] || !documentMask);
                r.LossMask[k] = counted ? 1 : 0;
                if (counted) { trained++; if (w.PrefixInView[i + 1]) prefixed++; }
                r.Domains[k] = w.Domains[i + 1];
                if (documentMask && i > 0 && w.Segments[i] != w.Segments[i - 1]) docStart = i;
                r.Positions[k] = documentMask ? i - docStart : i;
                for (int j = 0; j <= i; j++) r.Attention[(row * t + i) * t + j] = !documentMask || w.Segments[i] == w.Segments[j];
            }
        }
        return r with { Trained = trained, Prefixed = prefixed };
    }

    static IReadOnlyList<PackedWindow> RealWindows(int count, int length, PackingSpec packing, bool prefixes = true)
    {
        var data = new ResearchKit.Tokenization.InMemoryTokenDataset(["a", "b"], vocabSize: 257, endOfText: 256);
        int i = 0;
        foreach (var (_, text) in TestCorpus.Documents("Packing", "Tokenization"))
        {
            // Short documents, so windows hold several borders; every other one has a loss-masked prefix.
            var bytes = System.Text.Encoding.UTF8.GetBytes(text[..Math.Min(text.Length, 40 + 7 * (i % 9))]).Select(x => (int)x).ToArray();
            data.Add(i % 2 == 0 ? "a" : "b", bytes, i % 2 == 0 ? new[] { 85, 82, 76, 58 } : []);
            i++;
        }
        var sampler = new WindowSampler(data, length, packing, new PackerOptions(IncludePrefixes: prefixes), seed: 3);
        return Enumerable.Range(0, count).Select(_ => sampler.Next()).ToList();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void DeviceDerivationMatchesTheHostReference(bool documentMask)
    {
        TorchRuntime.Initialize("cpu");
        var windows = RealWindows(24, 33, new ConcatPacking());
        var expected = Reference(windows, documentMask);
        using var batch = Batch.FromWindows(windows, documentMask, torch.CPU);
        Assert.Equal(expected.Tokens, batch.Tokens.data<long>().ToArray());
        Assert.Equal(expected.Targets, batch.Targets.data<long>().ToArray());
        Assert.Equal(expected.LossMask, batch.LossMask.data<float>().ToArray());
        Assert.Equal(expected.Domains, batch.Domains.data<long>().ToArray());
        Assert.Equal(expected.Trained, batch.TrainedTargets);
        Assert.Equal(expected.Prefixed, batch.PrefixedTargets);
        Assert.True(expected.Prefixed > 0 && expected.Trained > expected.Prefixed, $"the windows must hold prefixed and plain targets ({expected.Prefixed} prefixed of {expected.Trained}; {string.Join(",", windows.Select(w => w.PrefixInView.Count(p => p)))} in view)");
        if (documentMask)
        {
            Assert.Equal(expected.Positions, batch.Positions!.data<long>().ToArray());
            Assert.Equal(expected.Attention, batch.AttentionMask!.data<bool>().ToArray());
            Assert.Contains(expected.LossMask, m => m == 0);
        }
        else
        {
            Assert.Null(batch.Positions);
            Assert.Null(batch.AttentionMask);
        }
    }

    [Fact]
    public void SingleDocumentBatchesTakeTheCausalFlagWithTheSameLogits()
    {
        TorchRuntime.Initialize("cpu");
        var r = new Random(5);
        PackedWindow OneDocument(int segment) =>
            new(Enumerable.Range(0, 33).Select(_ => r.Next(256)).ToArray(), Enumerable.Repeat(true, 33).ToArray(), Enumerable.Repeat(segment, 33).ToArray(), new int[33]);
        // The last token may open the next document: it is only a target, so the inputs stay in one document.
        var windows = new[] { OneDocument(0), OneDocument(0) };
        windows[1].Segments[32] = 1;
        using var batch = Batch.FromWindows(windows, documentMask: true, torch.CPU);
        Assert.Null(batch.AttentionMask);
        Assert.Null(batch.Positions);
        Assert.Equal(0f, batch.LossMask[1, 31].item<float>());   // the target across the border is still masked

        using var generator = new Generator(2);
        var model = new Gpt(GptConfig.Micro(), generator);
        model.eval();
        using var causal = model.Forward(batch.Tokens);
        var expected = Reference(windows, documentMask: true);
        using var mask = torch.tensor(expected.Attention, [2, 1, 32, 32]);
        using var positions = torch.tensor(expected.Positions, [2, 32]);
        using var masked = model.Forward(batch.Tokens, positions, mask);
        Assert.True(causal.allclose(masked, 1e-5, 1e-5), $"max difference {(causal - masked).abs().max().item<float>()}");
    }

    [Fact]
    public void LoaderDrawsThePlainStreamAndItsStateCountsOnlyHandedOutBatches()
    {
        TorchRuntime.Initialize("cpu");
        var data = TestCorpus.Bytes("Packing");
        WindowSampler Source() => new(data, 33, new BestFitPacking(), new PackerOptions(), seed: 9);
        var plain = Source();
        var expected = Enumerable.Range(0, 7).Select(_ => Enumerable.Range(0, 3).Select(_ => plain.Next()).ToArray()).ToList();

        var source = Source();
        using var loader = new BatchLoader(source, 3, new DataConfig { Packing = new BestFitPacking() }, torch.CPU);
        loader.Plan(7);
        for (int i = 0; i < 4; i++)
        {
            using var batch = loader.Next();
            using var reference = Batch.FromWindows(expected[i], true, torch.CPU);
            Assert.Equal(reference.Tokens.data<long>().ToArray(), batch.Tokens.data<long>().ToArray());
            Assert.Equal(reference.LossMask.data<float>().ToArray(), batch.LossMask.data<float>().ToArray());
        }
        // Batch 4 is being drawn ahead; the state is still the one after batch 3.
        var resumed = Source();
        resumed.Restore(loader.State);
        Assert.Equal(expected[4][0].Tokens, resumed.Next().Tokens);
        for (int i = 4; i < 7; i++) { using var batch = loader.Next(); }
        Assert.Throws<InvalidOperationException>(() => loader.Next());   // nothing drawn past the plan
        var after = Source();
        after.Restore(loader.State);
        Assert.Equal(plain.Next().Tokens, after.Next().Tokens);
    }
}
