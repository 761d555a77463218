using ResearchKit.Packing;
using ResearchKit.Runtime;
using ResearchKit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Tests.Training;

public class GptTests
{
    static Gpt Model(int seed = 1)
    {
        TorchRuntime.Initialize("cpu");
        torch.manual_seed(seed);
        var m = new Gpt(GptConfig.Micro());
        m.eval();
        return m;
    }

    static float[] Logits(Gpt m, Batch b) { using var l = m.Forward(b.Tokens, b.Positions, b.AttentionMask); return l.data<float>().ToArray(); }

    /// <summary>A window holding document A (segment 0) then document B (segment 1).</summary>
    static PackedWindow TwoDocs(int[] a, int[] b)
    {
        var tokens = a.Concat(b).ToArray();
        return new PackedWindow(tokens, tokens.Select(_ => true).ToArray(), a.Select(_ => 0).Concat(b.Select(_ => 1)).ToArray(), new int[tokens.Length]);
    }

    static int[] Ids(int n, int seed) { var r = new Random(seed); return Enumerable.Range(0, n).Select(_ => r.Next(256)).ToArray(); }

    [Fact]
    public void ParameterCountMatchesTheModel()
    {
        var m = Model();
        Assert.Equal(m.parameters().Sum(p => p.numel()), m.Config.ParameterCount);
        // GPT-2 small, tied head, RoPE (no position table), no linear biases: 50304·768 embedding
        // + 12 layers × (12·768² matrices + 4·768 norm weights/biases) + 2·768 final norm = 123,606,528.
        Assert.Equal(123_606_528L, GptConfig.Small().ParameterCount);
    }

    [Fact]
    public void ChangingAFutureTokenLeavesEarlierLogitsUnchanged()
    {
        var m = Model();
        var ids = Ids(33, 7);
        using var b1 = Batch.FromWindows([new PackedWindow(ids, ids.Select(_ => true).ToArray(), new int[33], new int[33])], documentMask: false, torch.CPU);
        ids[20] = (ids[20] + 1) % 256;
        using var b2 = Batch.FromWindows([new PackedWindow(ids, ids.Select(_ => true).ToArray(), new int[33], new int[33])], documentMask: false, torch.CPU);
        var (l1, l2) = (Logits(m, b1), Logits(m, b2));
        int v = m.Config.VocabSize;
        for (int i = 0; i < 20 * v; i++) Assert.Equal(l1[i], l2[i]);
        Assert.True(Enumerable.Range(20 * v, v).Any(i => l1[i] != l2[i]), "the changed position's own logits must change");
    }

    [Fact]
    public void DocumentMaskIsBlockDiagonalAndOnlyThere()
    {
        var m = Model();
        var a = Ids(12, 1); var b = Ids(21, 2); var a2 = Ids(12, 3);
        int v = m.Config.VocabSize, bStart = 12 * v, bEnd = 32 * v;
        float[] Run(int[] first, bool mask) { using var batch = Batch.FromWindows([TwoDocs(first, b)], mask, torch.CPU); return Logits(m, batch); }
        var (masked1, masked2) = (Run(a, true), Run(a2, true));
        for (int i = bStart; i < bEnd; i++) Assert.Equal(masked1[i], masked2[i], 1e-5f);
        var (plain1, plain2) = (Run(a, false), Run(a2, false));
        Assert.True(Enumerable.Range(bStart, bEnd - bStart).Max(i => Math.Abs(plain1[i] - plain2[i])) > 1e-3, "without the mask, B must see A");
    }

    [Fact]
    public void RopePositionsRestartPerDocument()
    {
        var m = Model();
        var a = Ids(12, 1); var b = Ids(21, 2);
        int v = m.Config.VocabSize;
        using var after = Batch.FromWindows([TwoDocs(a, b)], documentMask: true, torch.CPU);
        var alone = b.Concat(Ids(12, 9)).ToArray();
        using var first = Batch.FromWindows([new PackedWindow(alone, alone.Select(_ => true).ToArray(), b.Select(_ => 0).Concat(Enumerable.Repeat(1, 12)).ToArray(), new int[33])], documentMask: true, torch.CPU);
        var (l1, l2) = (Logits(m, after), Logits(m, first));
        for (int t = 0; t < 20; t++)
            for (int j = 0; j < v; j++)
                Assert.Equal(l2[t * v + j], l1[(12 + t) * v + j], 1e-4f);
    }

    [Fact]
    public void BatchMasksPrefixTargetsAndDocumentBorders()
    {
        // doc 0 = [5 6 | 7], doc 1 = prefix [1 2] + body [3 4]; window of 7 tokens -> 6 targets
        var w = new PackedWindow([5, 6, 7, 1, 2, 3, 4], [true, true, true, false, false, true, true], [0, 0, 0, 1, 1, 1, 1], [0, 0, 0, 1, 1, 1, 1]);
        using var masked = Batch.FromWindows([w], documentMask: true, torch.CPU);
        Assert.Equal(new float[] { 1, 1, 0, 0, 1, 1 }, masked.LossMask.data<float>().ToArray());
        Assert.Equal(new long[] { 0, 1, 2, 0, 1, 2 }, masked.Positions!.data<long>().ToArray());
        Assert.Equal(new long[] { 0, 0, 1, 1, 1, 1 }, masked.Domains.data<long>().ToArray());
        using var plain = Batch.FromWindows([w], documentMask: false, torch.CPU);
        Assert.Equal(new float[] { 1, 1, 0, 0, 1, 1 }, plain.LossMask.data<float>().ToArray()); // next target is a prefix token: masked either way
        Assert.Null(plain.AttentionMask);
        var allowed = masked.AttentionMask!.data<bool>().ToArray();
        Assert.True(allowed[4 * 6 + 3] && !allowed[4 * 6 + 2] && !allowed[3 * 6 + 4], "row 4 sees 3 (same doc, past), not 2 (other doc); row 3 does not see 4 (future)");
    }

    [Fact]
    public void LossIgnoresMaskedTargets()
    {
        var m = Model();
        var ids = Ids(33, 4);
        var trainable = ids.Select((_, i) => i % 3 != 0).ToArray();
        using var b1 = Batch.FromWindows([new PackedWindow(ids, trainable, new int[33], new int[33])], false, torch.CPU);
        // Same inputs, different targets wherever the mask is 0.
        using var b2 = new Batch
        {
            Tokens = b1.Tokens.clone(), LossMask = b1.LossMask.clone(), Domains = b1.Domains.clone(),
            Targets = torch.where(b1.LossMask == 0, (b1.Targets + 1).remainder(256), b1.Targets),
        };
        Assert.True((b1.Targets != b2.Targets).any().item<bool>());
        using var l1 = TokenLoss.Of(m, b1);
        using var l2 = TokenLoss.Of(m, b2);
        Assert.Equal(l1.item<float>(), l2.item<float>());
        using var everyTarget = TokenLoss.MaskedMean(TokenLoss.PerToken(m.Forward(b2.Tokens), b2.Targets), torch.ones_like(b2.LossMask));
        Assert.NotEqual(l2.item<float>(), everyTarget.item<float>());
    }
}
