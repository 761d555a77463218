using ResearchKit.Models;
using ResearchKit.Runtime;
using ResearchKit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Tests.Models;

public class GreedyDecodingTests
{
    static ICausalLm Model(string kind, int seed)
    {
        TorchRuntime.Initialize("cpu");
        torch.manual_seed(seed);
        return kind switch
        {
            "gpt" => new GptCausalLm(new Gpt(GptConfig.Micro() with { Context = 48 })),
            "llama-gqa" => new LlamaForCausalLm(new LlamaConfig(97, 32, 48, 2, 4, 2, MaxPositions: 48)),
            "llama-mqa-tied" => new LlamaForCausalLm(new LlamaConfig(97, 24, 40, 2, 3, 1, TieWordEmbeddings: true, MaxPositions: 48)),
            _ => throw new ArgumentException(kind),
        };
    }

    static int[][] Prompts(int vocab, int seed, params int[] lengths)
    {
        var r = new Random(seed);
        return lengths.Select(n => Enumerable.Range(0, n).Select(_ => r.Next(vocab)).ToArray()).ToArray();
    }

    static string Show(IEnumerable<Generation> g) => string.Join(" | ", g.Select(x => $"{string.Join(",", x.Tokens)} ({x.Stop})"));

    [Theory]
    [InlineData("gpt", 1)]
    [InlineData("gpt", 2)]
    [InlineData("llama-gqa", 1)]
    [InlineData("llama-mqa-tied", 3)]
    public void CachedGreedyEqualsRecomputingThePrefixTokenForToken(string kind, int seed)
    {
        var model = Model(kind, seed);
        var prompts = Prompts(model.VocabSize, seed, 3, 9, 1, 14, 6);
        var cached = GreedyDecoding.Generate(model, prompts, new GenerationOptions(20, [], UseKvCache: true, BatchSize: 5));
        var recomputed = GreedyDecoding.Generate(model, prompts, new GenerationOptions(20, [], UseKvCache: false, BatchSize: 5));
        Assert.Equal(Show(recomputed), Show(cached));
        Assert.All(cached, g => Assert.Equal(20, g.Tokens.Length));
        // Stopping: end tokens taken from the outputs themselves, so several rows stop early, at different steps.
        var ends = cached.Select(g => g.Tokens[4]).Distinct().ToArray();
        var cachedEnd = GreedyDecoding.Generate(model, prompts, new GenerationOptions(20, ends, UseKvCache: true, BatchSize: 5));
        var recomputedEnd = GreedyDecoding.Generate(model, prompts, new GenerationOptions(20, ends, UseKvCache: false, BatchSize: 5));
        Assert.Equal(Show(recomputedEnd), Show(cachedEnd));
        for (int i = 0; i < prompts.Length; i++)
        {
            int stop = Array.FindIndex(cached[i].Tokens, ends.Contains);
            Assert.Equal(cached[i].Tokens[..stop], cachedEnd[i].Tokens);
            Assert.Equal(StopReason.EndToken, cachedEnd[i].Stop);
        }
    }

    [Theory]
    [InlineData("gpt")]
    [InlineData("llama-gqa")]
    public void LeftPaddedBatchesDecodeEachPromptAsIfAlone(string kind)
    {
        var model = Model(kind, 5);
        var prompts = Prompts(model.VocabSize, 8, 2, 11, 5, 17);
        var together = GreedyDecoding.Generate(model, prompts, new GenerationOptions(12, [], BatchSize: 4));
        var alone = GreedyDecoding.Generate(model, prompts, new GenerationOptions(12, [], BatchSize: 1));
        Assert.Equal(Show(alone), Show(together));
    }

    [Fact]
    public void MatchesAPlainArgmaxLoopOverTheModelsOwnForward()
    {
        TorchRuntime.Initialize("cpu");
        torch.manual_seed(9);
        var gpt = new Gpt(GptConfig.Micro() with { Context = 48 });
        gpt.eval();
        var prompt = Prompts(257, 4, 7)[0];
        var sequence = prompt.Select(t => (long)t).ToList();
        using (var _ = torch.no_grad())
            for (int step = 0; step < 15; step++)
            {
                using var input = torch.tensor(sequence.ToArray(), [1, sequence.Count]);
                using var logits = gpt.Forward(input);
                sequence.Add(logits[0, -1].argmax().item<long>());
            }
        var generated = GreedyDecoding.Generate(new GptCausalLm(gpt), [prompt], new GenerationOptions(15, []))[0];
        Assert.Equal(sequence.Skip(prompt.Length).Select(t => (int)t), generated.Tokens);
    }

    [Fact]
    public void StopsAtTheContextLikeVllmsMaxModelLen()
    {
        var model = Model("gpt", 1);   // context 48
        var prompts = Prompts(model.VocabSize, 2, 44, 10);
        var g = GreedyDecoding.Generate(model, prompts, new GenerationOptions(6, []));
        Assert.Equal((4, StopReason.Context), (g[0].Tokens.Length, g[0].Stop));
        Assert.Equal((6, StopReason.MaxNewTokens), (g[1].Tokens.Length, g[1].Stop));
        Assert.Throws<ArgumentException>(() => GreedyDecoding.Generate(model, Prompts(model.VocabSize, 2, 48), new GenerationOptions(6, [])));
        Assert.Throws<ArgumentException>(() => GreedyDecoding.Generate(model, [[]], new GenerationOptions(6, [])));
    }
}
