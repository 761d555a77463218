using Microsoft.Data.Analysis;
using ResearchKit.Tokenization;
using ResearchKit.Training;
using TorchSharp;

namespace ResearchKit.Packing.Probes;

/// <summary>Where a probed document sits in its window: alone, after a random candidate, or after its nearest neighbour.</summary>
public enum InContextCondition { None, Random, Neighbour }

/// <summary>Summed loss of each condition over the same targets, and per probed document.</summary>
/// <param name="Losses">Per pair, the mean loss (nats per token) under None, Random and Neighbour.</param>
public sealed record InContextResult(IReadOnlyList<InContextPair> Pairs, double[][] Losses, long[] Tokens)
{
    public long TotalTokens => Tokens.Sum();

    /// <summary>Token-weighted mean loss of a condition over every probed document.</summary>
    public double Loss(InContextCondition condition) =>
        TotalTokens == 0 ? double.NaN : Losses.Select((l, i) => l[(int)condition] * Tokens[i]).Sum() / TotalTokens;

    /// <summary>
    /// <c>incontext_none</c>, <c>incontext_random</c>, <c>incontext_neighbour</c> (nats per token on the same target
    /// tokens), <c>incontext_gain</c> = random − neighbour (positive: the model uses related context more than
    /// unrelated), <c>incontext_neighbour_wins</c> (share of documents whose loss is lower after the neighbour than after
    /// the random document), <c>incontext_documents</c> and the mean cosines of the two contexts with their targets.
    /// </summary>
    public Dictionary<string, double> Metrics() => new()
    {
        ["incontext_none"] = Loss(InContextCondition.None),
        ["incontext_random"] = Loss(InContextCondition.Random),
        ["incontext_neighbour"] = Loss(InContextCondition.Neighbour),
        ["incontext_gain"] = Loss(InContextCondition.Random) - Loss(InContextCondition.Neighbour),
        ["incontext_neighbour_wins"] = Losses.Length == 0 ? double.NaN : Losses.Count(l => l[(int)InContextCondition.Neighbour] < l[(int)InContextCondition.Random]) / (double)Losses.Length,
        ["incontext_documents"] = Pairs.Count,
        ["incontext_neighbour_cosine"] = Pairs.Count == 0 ? double.NaN : Pairs.Average(p => p.NeighbourCosine),
        ["incontext_random_cosine"] = Pairs.Count == 0 ? double.NaN : Pairs.Average(p => p.RandomCosine),
    };

    /// <summary>One row per condition: condition, loss (nats per token), tokens.</summary>
    public DataFrame ToDataFrame()
    {
        var conditions = Enum.GetValues<InContextCondition>();
        return new DataFrame(
            new StringDataFrameColumn("condition", conditions.Select(c => c.ToString().ToLowerInvariant())),
            new DoubleDataFrameColumn("loss", conditions.Select(Loss)),
            new Int64DataFrameColumn("tokens", conditions.Select(_ => TotalTokens)));
    }
}

/// <summary>
/// ICLM's claim, measured: a model trained on related documents in one window should use a related document before a
/// text more than an unrelated one. Each probed document's first tokens are scored three times, on exactly the same
/// targets: alone; after the last C−1 tokens of a random candidate and an end-of-text; after the same length of its
/// nearest neighbour (<see cref="InContextPairs"/>). Every context is exactly C tokens, so the target sits at the same
/// positions in both context conditions; only which document precedes it differs.
/// <para>Attention crosses the document border in the probe for every model, also those trained with the
/// intra-document mask: for them a visible earlier document (and positions that do not restart) is outside training,
/// so read their absolute losses with care; the difference between neighbour and random still compares like with
/// like. Scored: target tokens 1..S−1 with S = min(length, window − C) (token 0 has no predecessor alone).</para>
/// </summary>
public static class InContextProbe
{
    /// <param name="targets">token dataset of the probed documents (pair targets index it).</param>
    /// <param name="candidates">token dataset of the candidates (pair contexts index it).</param>
    /// <param name="contextTokens">C: tokens before the target in the context conditions, end-of-text included.</param>
    public static InContextResult Score(Gpt model, IReadOnlyList<InContextPair> pairs, ITokenDataset targets, ITokenDataset candidates, int contextTokens,
        int batchSize = 16, IProgress<WorkProgress>? progress = null, CancellationToken cancellation = default)
    {
        int window = model.Config.Context + 1;
        if (contextTokens < 1 || contextTokens + 2 > window)
            throw new ArgumentOutOfRangeException(nameof(contextTokens), contextTokens, $"the context must leave room for two target tokens in a window of {window}");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "at least one window per batch");
        int eos = targets.EndOfText;
        var losses = pairs.Select(_ => new double[3]).ToArray();
        var tokens = new long[pairs.Count];
        var device = model.parameters().First().device;
        bool wasTraining = model.training;
        model.eval();
        try
        {
            var jobs = new List<(int Pair, InContextCondition Condition, PackedWindow Window)>();
            for (int p = 0; p < pairs.Count; p++)
                foreach (var condition in Enum.GetValues<InContextCondition>())
                {
                    var pair = pairs[p];
                    var context = condition switch
                    {
                        InContextCondition.Neighbour => candidates.Body(pair.Neighbour),
                        InContextCondition.Random => candidates.Body(pair.Random),
                        _ => default,
                    };
                    if (condition != InContextCondition.None && context.Length < contextTokens - 1)
                        throw new ArgumentException($"pair {p}: candidate {(condition == InContextCondition.Neighbour ? pair.Neighbour : pair.Random)} has {context.Length} tokens; the context needs {contextTokens - 1}");
                    bool withContext = condition != InContextCondition.None;
                    jobs.Add((p, condition, Window(targets.Body(pair.Target), withContext ? context[^(contextTokens - 1)..] : default, withContext, contextTokens, window, eos)));
                }
            for (int start = 0; start < jobs.Count; start += batchSize)
            {
                cancellation.ThrowIfCancellationRequested();
                var batch = jobs.Skip(start).Take(batchSize).ToList();
                var (sums, counts) = Score(model, batch.Select(j => j.Window).ToArray(), device);
                for (int j = 0; j < batch.Count; j++)
                {
                    losses[batch[j].Pair][(int)batch[j].Condition] = sums[j] / counts[j];
                    tokens[batch[j].Pair] = (long)counts[j];
                }
                progress?.Report(new WorkProgress("in-context probe", Math.Min(jobs.Count, start + batchSize), jobs.Count, $"{pairs.Count} documents × 3 conditions"));
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return new InContextResult(pairs, losses, tokens);
    }

    /// <summary>[context: C−1 tokens][end-of-text][target: S tokens], padded with untrainable end-of-text; without a
    /// context, [target: S tokens]. S = min(target length, window − C) either way, so the same target tokens 1..S−1 are
    /// scored in every condition.</summary>
    internal static PackedWindow Window(ReadOnlySpan<int> target, ReadOnlySpan<int> context, bool withContext, int contextTokens, int window, int endOfText)
    {
        if (withContext && context.Length != contextTokens - 1)
            throw new ArgumentException($"a context of {context.Length} tokens; the probe places exactly {contextTokens - 1} before the end-of-text", nameof(context));
        var w = new PackedWindow(window);
        int at = 0, segment = 0;
        if (withContext)
        {
            foreach (var t in context) w.Set(at++, t, trainable: false, segment, domain: 0, prefixInView: false);
            w.Set(at++, endOfText, trainable: false, segment++, domain: 0, prefixInView: false);
        }
        int scored = Math.Min(target.Length, window - contextTokens);
        for (int i = 0; i < scored; i++) w.Set(at++, target[i], trainable: i > 0, segment, domain: 0, prefixInView: false);
        while (at < window) w.Set(at++, endOfText, trainable: false, segment + 1, domain: 0, prefixInView: false);
        return w;
    }

    /// <summary>Summed loss and count of the trainable targets of each window (plain causal attention).</summary>
    static (double[] Sums, double[] Counts) Score(Gpt model, PackedWindow[] windows, torch.Device device)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        using var batch = Batch.FromWindows(windows, documentMask: false, device);
        var perToken = TokenLoss.PerToken(model, batch).to_type(torch.ScalarType.Float64);
        var mask = batch.LossMask.to_type(torch.ScalarType.Float64);
        return ((perToken * mask).sum(1).cpu().data<double>().ToArray(), mask.sum(1).cpu().data<double>().ToArray());
    }
}
