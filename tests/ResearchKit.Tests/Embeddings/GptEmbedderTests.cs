using ResearchKit.Embeddings;
using ResearchKit.Runtime;
using ResearchKit.Tokenization;
using ResearchKit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Tests.Embeddings;

public class GptEmbedderTests
{
    static Gpt Model()
    {
        TorchRuntime.Initialize("cpu");
        torch.manual_seed(3);
        var m = new Gpt(GptConfig.Micro());
        m.eval();
        return m;
    }

    [Fact]
    public void HiddenStatesAreWhatForwardFeedsTheHead()
    {
        using var m = Model();
        using var _ = torch.no_grad();
        using var tokens = torch.tensor(new long[] { 5, 70, 101, 33, 9, 250, 1, 64 }, [2, 4]);
        using var hidden = m.Hidden(tokens);
        using var logits = m.Forward(tokens);
        var wte = m.named_parameters().Single(p => p.name == "wte").parameter;
        using var expected = hidden.matmul(wte.t());
        Assert.Equal(new long[] { 2, 4, m.Config.DModel }, hidden.shape);
        Assert.True(torch.allclose(expected, logits, rtol: 1e-5, atol: 1e-5));
    }

    [Fact]
    public void EmbeddingIsTheMeanHiddenStateAndPaddingDoesNotChangeIt()
    {
        using var m = Model();
        using var embedder = new GptEmbedder(m, ByteTokenizer.Instance, "test");
        string shortText = "abc", longText = "a longer document of bytes";
        var together = embedder.Embed([shortText, longText, ""]);
        var alone = embedder.Embed([shortText]);
        Assert.Equal(m.Config.DModel, together.Dimension);
        for (int c = 0; c < together.Dimension; c++) Assert.Equal(alone.Data[c], together.Data[c], 1e-5);   // right padding is invisible to a causal model
        Assert.True(together.IsZeroRow(2));

        using var _ = torch.no_grad();
        using var ids = torch.tensor(ByteTokenizer.Instance.Encode(shortText).Select(i => (long)i).ToArray(), [1, 3]);
        using var mean = m.Hidden(ids).mean([1]);
        var expected = mean.data<float>().ToArray();
        for (int c = 0; c < expected.Length; c++) Assert.Equal(expected[c], alone.Data[c], 1e-5);
    }

    [Fact]
    public void TextsLongerThanTheContextAreTruncated()
    {
        using var m = Model();   // context 32
        using var embedder = new GptEmbedder(m, ByteTokenizer.Instance, "test");
        var head = new string('q', 32);
        var e = embedder.Embed([head + "tail one", head + "another tail"]);
        Assert.Equal(e.Row(0).ToArray(), e.Row(1).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => new GptEmbedder(m, ByteTokenizer.Instance, "test", maxTokens: 33));
    }
}
