using ResearchKit.Packing;
using ResearchKit.Tokenization;
using ResearchKit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Evaluation;

/// <summary>A context and the continuation whose likelihood is asked (an evaluation harness's loglikelihood request).</summary>
public sealed record ContinuationRequest(string Context, string Continuation);

/// <summary>The summed log-probability of a continuation's tokens after its context, how many tokens it has, and
/// whether greedy decoding would have produced exactly it (lm-evaluation-harness's <c>(loglikelihood, is_greedy)</c>).</summary>
public sealed record ContinuationScore(double LogLikelihood, int Tokens, bool IsGreedy);

/// <summary>
/// Scores continuations as lm-evaluation-harness and OLMES do, so MeCo's conditional inference ("prepend
/// <c>URL: en.wikipedia.org\n\n</c> at inference") runs on a user's own prompts: the prefix is string-prepended to the
/// context (the reference's <c>OEEVAL_PREFIX</c>), trailing spaces of the context move to the continuation, the
/// continuation's tokens are those of <c>Encode(context + continuation)</c> after <c>Encode(context)</c> (so a token that
/// spans the boundary is tokenized as in the whole text), and long inputs are cut from the left to the model's context.
/// </summary>
public static class ContinuationScorer
{
    /// <param name="prefix">Prepended to every context, e.g. "URL: en.wikipedia.org\n\n"; null = none.</param>
    /// <param name="documentStart">Begin each input with the masked start token, as a model trained with
    /// <see cref="DataConfig.DocumentStart"/> saw its documents.</param>
    public static IReadOnlyList<ContinuationScore> Score(Gpt model, TextTokenizer tokenizer, IReadOnlyList<ContinuationRequest> requests,
        string? prefix = null, bool documentStart = false, int batchSize = 16)
    {
        var encoded = requests.Select(r => Encode(tokenizer, (prefix ?? "") + r.Context, r.Continuation, documentStart)).ToList();
        int window = model.Config.Context + 1;
        var scores = new ContinuationScore[requests.Count];
        var device = model.parameters().First().device;
        bool wasTraining = model.training;
        model.eval();
        try
        {
            for (int start = 0; start < encoded.Count; start += batchSize)
            {
                var chunk = encoded.Skip(start).Take(batchSize).Select(e => Fit(e.Context, e.Continuation, window)).ToList();
                int length = chunk.Max(c => c.Tokens.Length);
                var windows = chunk.Select(c =>
                {
                    var w = new PackedWindow(length);
                    for (int i = 0; i < length; i++)
                        w.Set(i, i < c.Tokens.Length ? c.Tokens[i] : tokenizer.EndOfText, trainable: i >= c.FirstScored && i < c.Tokens.Length, 0, 0, false);
                    return w;
                }).ToArray();
                using var scope = torch.NewDisposeScope();
                using var _ = torch.no_grad();
                using var batch = Batch.FromWindows(windows, documentMask: false, device);
                var logits = model.Forward(batch.Tokens);
                var logProbs = nn.functional.log_softmax(logits, -1).gather(-1, batch.Targets.unsqueeze(-1)).squeeze(-1) * batch.LossMask;
                var hits = logits.argmax(-1).eq(batch.Targets).to_type(ScalarType.Float32) * batch.LossMask;
                var sums = logProbs.sum(dim: 1).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
                var counts = batch.LossMask.sum(dim: 1).cpu().data<float>().ToArray();
                var greedy = hits.sum(dim: 1).cpu().data<float>().ToArray();
                for (int b = 0; b < chunk.Count; b++)
                    scores[start + b] = new ContinuationScore(sums[b], (int)counts[b], greedy[b] == counts[b]);
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return scores;
    }

    /// <summary>Context and continuation ids as the harness makes them (see the class comment).</summary>
    internal static (int[] Context, int[] Continuation) Encode(TextTokenizer tokenizer, string context, string continuation, bool documentStart)
    {
        int spaces = context.Length - context.TrimEnd(' ').Length;
        if (spaces > 0) { continuation = context[^spaces..] + continuation; context = context[..^spaces]; }
        var whole = tokenizer.Encode(context + continuation);
        var ctx = tokenizer.Encode(context);
        int[] cont = whole.AsSpan().StartsWith(ctx) ? whole[ctx.Length..] : tokenizer.Encode(continuation);
        if (cont.Length == 0) throw new ArgumentException($"the continuation \"{continuation}\" has no tokens to score");
        return (documentStart ? [tokenizer.EndOfText, .. ctx] : ctx, cont);
    }

    /// <summary>[context][continuation] cut from the left to at most <paramref name="window"/> tokens, with the first
    /// continuation target's position (the model predicts token i from tokens before it).</summary>
    static (int[] Tokens, int FirstScored) Fit(int[] context, int[] continuation, int window)
    {
        if (continuation.Length >= window) throw new ArgumentException($"a continuation of {continuation.Length} tokens does not fit a context of {window - 1}");
        if (context.Length == 0) throw new ArgumentException("the context is empty: the first continuation token would have nothing to be predicted from (give a context or documentStart)");
        int[] all = [.. context, .. continuation];
        var kept = all.Length > window ? all[^window..] : all;
        return (kept, kept.Length - continuation.Length);
    }
}
