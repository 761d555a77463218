using ResearchKit.Evaluation;
using ResearchKit.Packing;
using ResearchKit.Runtime;
using ResearchKit.Tokenization;
using ResearchKit.Training;
using TorchSharp;

namespace ResearchKit.Tests.Evaluation;

public class EvaluatorTests
{
    static Gpt Model()
    {
        TorchRuntime.Initialize("cpu");
        torch.manual_seed(2);
        return new Gpt(GptConfig.Micro());
    }

    [Fact]
    public void PerDomainLossesAreTokenWeightedAndMatchADirectComputation()
    {
        var model = Model();
        var data = new InMemoryTokenDataset(["x", "y"], 257, 256);
        data.Add("x", Enumerable.Range(0, 20).Select(i => 97 + i % 7).ToArray());
        data.Add("y", Enumerable.Range(0, 9).Select(i => 48 + i).ToArray(), prefix: [1, 2, 3]);
        var result = Evaluator.Evaluate(model, data, new EvalOptions(DocumentMask: true, Prefixes: false));
        // One 33-token window: x = 20 body + EOS (21 tokens), y = 9 body + EOS (10), 2 padding tokens.
        var w = new ConcatPacker(data, 33, 0, new PackerOptions(IncludePrefixes: false), shuffle: false).NextInEpoch()!;
        using var batch = Batch.FromWindows([w], true, torch.CPU);
        model.eval();
        using var perToken = TokenLoss.PerToken(model.Forward(batch.Tokens, batch.Positions, batch.AttentionMask), batch.Targets);
        var l = perToken.data<float>().ToArray(); var m = batch.LossMask.data<float>().ToArray(); var d = batch.Domains.data<long>().ToArray();
        double Mean(int dom) => Enumerable.Range(0, 32).Where(i => m[i] > 0 && d[i] == dom).Average(i => (double)l[i]);
        Assert.Equal(Mean(0), result.Domains[0].Loss, 5);
        Assert.Equal(Mean(1), result.Domains[1].Loss, 5);
        Assert.Equal(20, result.Domains[0].Tokens);  // x: its tokens 1..20 (19 body + EOS) as targets
        Assert.Equal(9, result.Domains[1].Tokens);   // y: 8 body + EOS; its first token is not predicted across the border
        Assert.Equal((20 * result.Domains[0].Loss + 9 * result.Domains[1].Loss) / 29, result.Loss, 9);
        var frame = result.ToDataFrame();
        Assert.Equal(3, frame.Rows.Count);
        Assert.Equal("all", frame["domain"][2]);
        // Per position: each target position's mean over counted targets (one window, so its own loss).
        Assert.Equal(32, result.PositionLoss.Count);
        Assert.Equal(l[5], result.PositionLoss[5], 5);
        Assert.True(double.IsNaN(result.PositionLoss[20]));   // y's first token: not predicted across the border
        Assert.Null(result.BitsPerByte);                        // no byte table given
    }

    [Fact]
    public void BitsPerByteDividesTextNatsByTheBytesTheTargetsStandFor()
    {
        var model = Model();
        var data = new InMemoryTokenDataset(["x"], 257, 256);
        data.Add("x", Enumerable.Range(0, 40).Select(i => 97 + i % 5).ToArray());
        // A made-up table: ids 97..101 stand for 1, 2, 3, 1, 2 bytes; end-of-text for none.
        var bytes = new int[257];
        for (int i = 0; i < 5; i++) bytes[97 + i] = new[] { 1, 2, 3, 1, 2 }[i];
        var result = Evaluator.Evaluate(model, data, new EvalOptions(TokenBytes: bytes));
        var windows = new ConcatPacker(data, 33, 0, new PackerOptions(), shuffle: false);
        double nats = 0, total = 0;
        model.eval();
        while (windows.NextInEpoch() is { } w)
        {
            using var batch = Batch.FromWindows([w], true, torch.CPU);
            using var perToken = TokenLoss.PerToken(model.Forward(batch.Tokens, batch.Positions, batch.AttentionMask), batch.Targets);
            var l = perToken.data<float>().ToArray(); var m = batch.LossMask.data<float>().ToArray(); var t = batch.Targets.data<long>().ToArray();
            for (int i = 0; i < 32; i++)
                if (m[i] > 0 && bytes[t[i]] > 0) { nats += l[i]; total += bytes[t[i]]; }
        }
        Assert.Equal(39 / 5 * 9 + 1 + 2 + 3 + 1, total);       // targets 98.., the 39 text tokens after the first
        Assert.Equal((long)total, result.Bytes);
        Assert.Equal(nats / (Math.Log(2) * total), result.BitsPerByte!.Value, 5);
        Assert.Equal(result.BitsPerByte, result.Domains[0].BitsPerByte);
        Assert.Equal(result.BitsPerByte, result.DomainMeanBitsPerByte);
    }

    [Fact]
    public void ByteTokenizerBitsPerByteIsNatsOverLn2WithoutEndOfText()
    {
        var model = Model();
        var text = "The quick brown fox jumps over the lazy dog. ";
        var data = InMemoryTokenDataset.Tokenize([new ResearchKit.Corpus.Document("a", text, "x")], ByteTokenizer.Instance);
        var r = Evaluator.Evaluate(model, data, new EvalOptions(TokenBytes: ByteTokenizer.Instance.TokenByteLengths()));
        // 45 bytes + EOS in two 33-token windows: each window's first token is context only, so 43 bytes are targets;
        // the EOS target counts as a token but stands for no bytes.
        Assert.Equal(45, text.Length);
        Assert.Equal(text.Length - 2, r.Bytes);
        Assert.Equal(text.Length - 2 + 1, r.Tokens);
        Assert.True(r.BitsPerByte > 0);
    }

    [Fact]
    public void TextLossScoresOnlyTheTextAfterThePrefix()
    {
        var model = Model();
        int[] text = [104, 101, 108, 108, 111, 32, 119, 111, 114, 108, 100];
        var plain = Evaluator.Score(model, text);
        var withPrefix = Evaluator.Score(model, text, [85, 82, 76, 58, 32]);
        Assert.Equal(10, plain.Tokens);
        Assert.Equal(10, withPrefix.Tokens);
        Assert.NotEqual(plain.Loss, withPrefix.Loss);
        // Same as scoring the concatenation by hand with the prefix and the first text token masked out.
        var ids = new[] { 85, 82, 76, 58, 32 }.Concat(text).ToArray();
        using var batch = Batch.FromWindows([new PackedWindow(ids, ids.Select((_, i) => i > 5).ToArray(), new int[16], new int[16])], false, torch.CPU);
        model.eval();
        using var loss = TokenLoss.Of(model, batch);
        Assert.Equal(loss.item<float>(), withPrefix.Loss, 5);
    }

    [Fact]
    public void TextOverloadTokenizesTextAndPrefixSeparately()
    {
        var model = Model();
        var bytes = ByteTokenizer.Instance;
        var viaText = Evaluator.Score(model, bytes, "hello world", "URL: a.org\n\n");
        var viaIds = Evaluator.Score(model, bytes.Encode("hello world"), bytes.Encode("URL: a.org\n\n"));
        Assert.Equal(viaIds, viaText);
        Assert.Equal(10, viaText.Tokens);
    }
}
