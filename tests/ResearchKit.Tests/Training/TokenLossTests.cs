using ResearchKit.Packing;
using ResearchKit.Runtime;
using ResearchKit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Tests.Training;

/// <summary>The chunked cross-entropy against the plain one (full fp32 logits, F.cross_entropy), and the RoPE tables.</summary>
public class TokenLossTests
{
    static Batch RandomBatch(int seed, int rows = 3, int length = 33)
    {
        var r = new Random(seed);
        var windows = Enumerable.Range(0, rows).Select(_ =>
        {
            var ids = Enumerable.Range(0, length).Select(_ => r.Next(257)).ToArray();
            var segments = ids.Select((_, i) => i < 11 ? 0 : 1).ToArray();   // a border: the masked path with positions
            return new PackedWindow(ids, ids.Select(_ => r.Next(5) > 0).ToArray(), segments, new int[length]);
        }).ToArray();
        return Batch.FromWindows(windows, documentMask: true, torch.CPU);
    }

    static Gpt Model(ScalarType compute = ScalarType.Float32, bool tied = false)
    {
        using var generator = new Generator(11);   // not the global one, which tests in other classes draw from in parallel
        var m = new Gpt(GptConfig.Micro() with { TiedHead = tied }, generator) { ComputeType = compute };
        m.train();
        return m;
    }

    [Theory]
    [InlineData(1_000_000, false)]     // one chunk
    [InlineData(7 * 257 * 4, false)]   // chunks of 7 positions: 96 = 13·7 + 5, a short last chunk
    [InlineData(7 * 257 * 4, true)]    // tied head: the embedding gets the head's gradient too
    public void ChunkedLossAndGradientsEqualThePlainOnes(long chunkBytes, bool tied)
    {
        TorchRuntime.Initialize("cpu");
        using var batch = RandomBatch(1);
        var plainModel = Model(tied: tied);
        var chunkedModel = Model(tied: tied);

        using var plainPerToken = TokenLoss.PerToken(plainModel.Forward(batch.Tokens, batch.Positions, batch.AttentionMask), batch.Targets);
        using var hidden = chunkedModel.Hidden(batch.Tokens, batch.Positions, batch.AttentionMask);
        using var chunkedPerToken = TokenLoss.PerTokenChunked(hidden, chunkedModel.HeadWeight, batch.Targets, ScalarType.Float32, chunkBytes);
        Assert.Equal(plainPerToken.shape, chunkedPerToken.shape);
        double lossDiff = (plainPerToken - chunkedPerToken).abs().max().item<float>();
        Assert.True(lossDiff < 1e-5, $"per-token losses differ by {lossDiff}");

        TokenLoss.MaskedMean(plainPerToken, batch.LossMask).backward();
        TokenLoss.MaskedMean(chunkedPerToken, batch.LossMask).backward();
        var chunkedGrads = chunkedModel.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!);
        foreach (var (name, p) in plainModel.named_parameters())
        {
            var expected = p.grad!;
            double scale = expected.abs().max().item<float>();
            double diff = (expected - chunkedGrads[name]).abs().max().item<float>();
            Assert.True(scale > 0, $"{name} got no gradient");
            Assert.True(diff <= 1e-5 * Math.Max(1, scale) + 1e-7, $"{name}: gradients differ by {diff} (scale {scale})");
        }
    }

    [Fact]
    public void Bf16ChunkedLossStaysWithinBf16RoundingOfThePlainOne()
    {
        TorchRuntime.Initialize("cpu");
        using var batch = RandomBatch(2);
        var model = Model(ScalarType.BFloat16);
        using var plain = TokenLoss.PerToken(model.Forward(batch.Tokens, batch.Positions, batch.AttentionMask), batch.Targets);
        using var chunked = TokenLoss.PerToken(model, batch, chunkBytes: 5 * 257 * 4);
        // Same bf16 logits, same fp32 log-sum-exp: only summation order differs.
        Assert.True(plain.allclose(chunked, 1e-4, 1e-4), $"max difference {(plain - chunked).abs().max().item<float>()}");
    }

    [Fact]
    public void WithoutGradientsNothingIsKeptForBackward()
    {
        TorchRuntime.Initialize("cpu");
        using var batch = RandomBatch(3);
        var model = Model();
        using var _ = torch.no_grad();
        using var perToken = TokenLoss.PerToken(model, batch, chunkBytes: 4 * 257 * 4);
        Assert.False(perToken.requires_grad);
        using var plain = TokenLoss.PerToken(model.Forward(batch.Tokens, batch.Positions, batch.AttentionMask), batch.Targets);
        Assert.True(plain.allclose(perToken, 1e-5, 1e-5));
    }

    [Fact]
    public void RopeTablesHoldEachPositionsAngles()
    {
        TorchRuntime.Initialize("cpu");
        using var tables = new RopeTables(headDim: 8, context: 50, theta: 10_000);
        var (cos, sin) = tables.On(torch.CPU);
        Assert.Equal([50L, 8L], cos.shape);
        var c = cos.data<float>().ToArray();
        var s = sin.data<float>().ToArray();
        foreach (int p in new[] { 0, 1, 17, 49 })
            for (int i = 0; i < 4; i++)
            {
                double angle = p * Math.Pow(10_000, -2.0 * i / 8);
                Assert.Equal((float)Math.Cos(angle), c[p * 8 + i]);
                Assert.Equal((float)Math.Cos(angle), c[p * 8 + 4 + i]);
                Assert.Equal((float)-Math.Sin(angle), s[p * 8 + i]);
                Assert.Equal((float)Math.Sin(angle), s[p * 8 + 4 + i]);
            }
        Assert.Same(cos, tables.On(torch.CPU).Cos);   // built once per device
        // Decoding computes rows for any position (past the context too) the same way, bit for bit.
        using var positions = torch.tensor(new long[] { 3, 49, 0, 17 }, [2, 2]);
        var (rowsCos, rowsSin) = tables.Slice(torch.CPU, positions, 2);
        var (computedCos, computedSin) = tables.Compute(positions);
        Assert.True(rowsCos.equal(computedCos).all().item<bool>() && rowsSin.equal(computedSin).all().item<bool>());
        using var beyond = torch.tensor(new long[] { 60 }, [1, 1]);
        Assert.Equal((float)Math.Cos(60.0), tables.Compute(beyond).Cos[0, 0, 0, 0].item<float>());
    }

    [Fact]
    public void ApplyRopeRotatesEachPairByItsPositionAngle()
    {
        TorchRuntime.Initialize("cpu");
        using var tables = new RopeTables(headDim: 4, context: 10, theta: 100);
        // One head of two positions given as document positions 7 and 3: [B=1, H=1, T=2, hd=4].
        using var x = torch.tensor(new float[] { 1, 2, 3, 4, -1, 0.5f, 2, -3 }, [1, 1, 2, 4]);
        using var positions = torch.tensor(new long[] { 7, 3 }, [1, 2]);
        var rope = tables.Slice(torch.CPU, positions, 2);
        var y = Gpt.ApplyRope(x, rope).data<float>().ToArray();
        var values = x.data<float>().ToArray();
        long[] pos = [7, 3];
        for (int t = 0; t < 2; t++)
            for (int i = 0; i < 2; i++)
            {
                double angle = pos[t] * Math.Pow(100, -2.0 * i / 4);
                double a = values[t * 4 + i], b = values[t * 4 + 2 + i];
                Assert.Equal(a * Math.Cos(angle) - b * Math.Sin(angle), y[t * 4 + i], 1e-5);
                Assert.Equal(b * Math.Cos(angle) + a * Math.Sin(angle), y[t * 4 + 2 + i], 1e-5);
            }
    }
}
