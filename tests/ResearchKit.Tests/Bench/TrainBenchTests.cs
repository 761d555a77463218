using ResearchKit.Packing;
using ResearchKit.Runtime;
using ResearchKit.Tokenization;
using ResearchKit.Training;

namespace ResearchKit.Tests.Bench;

/// <summary>rk bench train's measurement runs the real data path and reports which attention path it took.</summary>
public class TrainBenchTests
{
    /// <summary>Short real documents (this repository's sources, cut), so 33-token windows hold document borders.</summary>
    internal static InMemoryTokenDataset ShortDocuments()
    {
        var data = new InMemoryTokenDataset(["a"], vocabSize: 257, endOfText: 256);
        int i = 0;
        foreach (var (_, text) in TestCorpus.Documents("Packing"))
            data.Add("a", System.Text.Encoding.UTF8.GetBytes(text[..Math.Min(text.Length, 12 + 3 * (i++ % 7))]).Select(b => (int)b).ToArray());
        return data;
    }

    static TrainConfig Micro(bool documentMask) => new()
    {
        Model = GptConfig.Micro(),
        BatchSize = 2,
        Steps = 10,
        Optimizer = new OptimizerConfig(Lr: 1e-3),
        Data = new DataConfig { Packing = new ConcatPacking { DocumentMask = documentMask } },
        LogEvery = 2,
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TimesTheRealPathAndCountsTheAttentionPaths(bool documentMask)
    {
        TorchRuntime.Initialize("cpu");
        var result = TrainBench.Run(Micro(documentMask), ShortDocuments(), steps: 3, warmup: 1);
        Assert.Equal(3, result.CausalMicroBatches + result.MaskedMicroBatches);
        // Documents of 12-30 bytes (+ EOS): every 33-token window crosses a border, whatever the sources hold.
        Assert.Equal(documentMask ? 3 : 0, result.MaskedMicroBatches);
        Assert.True(result.TokensPerSecond > 0);
        Assert.Equal(AdamWKernel.Fused, result.Kernel);
        Assert.Contains($"{ThreadPolicy.Current!.Line} attention=causal-flag:{result.CausalMicroBatches} masked:{result.MaskedMicroBatches}", result.Line);
        // The process's resident high-water mark: libtorch alone maps well over 50 MB.
        Assert.InRange(result.PeakHostBytes, 50_000_000L, 64_000_000_000L);
        Assert.EndsWith($"peak_host_mb={result.PeakHostBytes / 1e6:F0}", result.Line);
        // On CPU the phases come from the timed steps themselves: together they are the step time.
        Assert.Equal(result.SecondsPerStep, result.PhaseSeconds.Values.Sum(), result.SecondsPerStep * 0.05);
        Assert.True(result.PhaseSeconds[TrainPhase.ForwardLoss] > 0 && result.PhaseSeconds[TrainPhase.Backward] > 0);
    }

    [Fact]
    public void TheReferencesWindowsAreTheOnesTheKitTrainsOn()
    {
        // Every other document carries a 40-token masked prefix: some 33-token windows hold no trained target and are
        // skipped by the kit's loader, so the windows file must skip them too.
        var data = new InMemoryTokenDataset(["a"], vocabSize: 257, endOfText: 256);
        for (int d = 0; d < 12; d++)
            data.Add("a", Enumerable.Range(100 + d, 3 + d).ToArray(), d % 2 == 0 ? Enumerable.Range(10, 40).ToArray() : default);
        var config = Micro(documentMask: true) with { Data = new DataConfig { Packing = new ConcatPacking(Shuffle: false) { DocumentMask = true } } };
        using var dir = new ResearchKit.Tests.Corpus.TempDir();
        TrainBench.WriteWindows(dir["windows.bin"], config, data, 6);

        var source = Trainer.Windows(config, data);
        long skipped = 0;
        var expected = Enumerable.Range(0, 6).Select(_ => BatchLoader.NextTrainable(source, config.Data, ref skipped)).ToList();
        Assert.True(skipped > 0, "the data must hold windows without a trained target");
        using var reader = new BinaryReader(File.OpenRead(dir["windows.bin"]));
        Assert.Equal("RKWINDOW"u8.ToArray(), reader.ReadBytes(8));
        Assert.Equal([1, 6, 33, 1], Enumerable.Range(0, 4).Select(_ => reader.ReadInt32()));
        foreach (var w in expected)
        {
            Assert.Equal(w.Tokens, Enumerable.Range(0, 33).Select(_ => reader.ReadInt32()));
            Assert.Equal(w.Segments, Enumerable.Range(0, 33).Select(_ => reader.ReadInt32()));
            Assert.Equal(w.Trainable, Enumerable.Range(0, 33).Select(_ => reader.ReadByte() == 1));
        }
    }
}
