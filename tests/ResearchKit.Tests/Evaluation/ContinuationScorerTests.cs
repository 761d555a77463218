using ResearchKit.Evaluation;
using ResearchKit.Runtime;
using ResearchKit.Tokenization;
using ResearchKit.Training;
using TorchSharp;

namespace ResearchKit.Tests.Evaluation;

public class ContinuationScorerTests
{
    static Gpt Model(int context = 128)
    {
        TorchRuntime.Initialize("cpu");
        torch.manual_seed(7);
        return new Gpt(GptConfig.Micro() with { Context = context });
    }

    /// <summary>The reference computation: log-softmax of the logits of [context][continuation], summed over the
    /// continuation's positions.</summary>
    static (double LogLikelihood, bool Greedy) ByHand(Gpt model, int[] context, int[] continuation)
    {
        int[] all = [.. context, .. continuation[..^1]];   // the last continuation token is only a target
        model.eval();
        using var input = torch.tensor(all.Select(x => (long)x).ToArray(), [1, all.Length]);
        using var logits = model.Forward(input);
        using var logProbs = torch.nn.functional.log_softmax(logits, -1);
        double sum = 0;
        bool greedy = true;
        for (int i = 0; i < continuation.Length; i++)
        {
            int position = context.Length - 1 + i;
            sum += logProbs[0, position, continuation[i]].item<float>();
            greedy &= logits[0, position].argmax().item<long>() == continuation[i];
        }
        return (sum, greedy);
    }

    [Fact]
    public void SumsTheContinuationsLogProbabilitiesAfterPrefixAndContext()
    {
        var model = Model();
        var bytes = ByteTokenizer.Instance;
        var scores = ContinuationScorer.Score(model, bytes,
            [new("The capital of France is", " Paris"), new("2 + 2 =", " 4"), new("x", "yz")], prefix: "URL: en.wikipedia.org\n\n");
        var (ll, greedy) = ByHand(model, bytes.Encode("URL: en.wikipedia.org\n\nThe capital of France is"), bytes.Encode(" Paris"));
        Assert.Equal(ll, scores[0].LogLikelihood, 4);
        Assert.Equal(6, scores[0].Tokens);
        Assert.Equal(greedy, scores[0].IsGreedy);
        Assert.Equal(ByHand(model, bytes.Encode("URL: en.wikipedia.org\n\nx"), bytes.Encode("yz")).LogLikelihood, scores[2].LogLikelihood, 4);
        // Batched with padding or alone: the same numbers.
        var alone = ContinuationScorer.Score(model, bytes, [new("2 + 2 =", " 4")], prefix: "URL: en.wikipedia.org\n\n");
        Assert.Equal(alone[0].LogLikelihood, scores[1].LogLikelihood, 5);
        // A prefix changes the score (it is context), never the scored tokens.
        var plain = ContinuationScorer.Score(model, bytes, [new("The capital of France is", " Paris")]);
        Assert.Equal(6, plain[0].Tokens);
        Assert.NotEqual(plain[0].LogLikelihood, scores[0].LogLikelihood);
    }

    [Fact]
    public void TrailingContextSpacesMoveToTheContinuationAsHarnessesDo()
    {
        var (ctx, cont) = ContinuationScorer.Encode(ByteTokenizer.Instance, "Answer: ", "yes", documentStart: false);
        Assert.Equal("Answer:", ByteTokenizer.Instance.Decode(ctx));
        Assert.Equal(" yes", ByteTokenizer.Instance.Decode(cont));
        var (withStart, _) = ContinuationScorer.Encode(ByteTokenizer.Instance, "Q", "A", documentStart: true);
        Assert.Equal([256, 81], withStart);
        // cl100k: " Paris" is one token whether tokenized alone or after the context.
        var tiktoken = TextTokenizers.Create("cl100k_base");
        var (_, paris) = ContinuationScorer.Encode(tiktoken, "The capital of France is", " Paris", documentStart: false);
        Assert.Single(paris);
    }

    [Fact]
    public void LongInputsAreCutFromTheLeftAndBadRequestsAreClearErrors()
    {
        var model = Model(context: 32);
        var bytes = ByteTokenizer.Instance;
        var context = new string('a', 100);
        var score = ContinuationScorer.Score(model, bytes, [new(context, "bc")]);
        Assert.Equal(ByHand(model, bytes.Encode(context[^31..]), bytes.Encode("bc")).LogLikelihood, score[0].LogLikelihood, 4);   // 33 = 31 + 2
        Assert.Throws<ArgumentException>(() => ContinuationScorer.Score(model, bytes, [new("", "abc")]));
        Assert.Throws<ArgumentException>(() => ContinuationScorer.Score(model, bytes, [new("abc", "")]));
        Assert.Throws<ArgumentException>(() => ContinuationScorer.Score(model, bytes, [new("a", new string('b', 40))]));
    }
}
