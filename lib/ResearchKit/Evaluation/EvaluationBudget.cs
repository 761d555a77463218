using ResearchKit.Tokenization;

namespace ResearchKit.Evaluation;

/// <summary>
/// A token budget for evaluating a large validation split: documents taken evenly across the split (every k-th), so a
/// budget covers every part of a corpus sorted by domain instead of its first domains only.
/// </summary>
public static class EvaluationBudget
{
    /// <summary>Body tokens of the split (about the targets a whole evaluation scores).</summary>
    public static long ScorableTokens(ITokenDataset data)
    {
        long total = 0;
        for (int d = 0; d < data.DocumentCount; d++) total += data.BodyLength(d);
        return total;
    }

    /// <summary>Every k-th document, k chosen so that the documents hold about <paramref name="tokens"/> body tokens
    /// (all of them when the split is smaller); in dataset order.</summary>
    public static int[] EvenlySpaced(ITokenDataset data, long tokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokens);
        long total = ScorableTokens(data);
        if (total <= tokens) return Enumerable.Range(0, data.DocumentCount).ToArray();
        long stride = (total + tokens - 1) / tokens;
        return Enumerable.Range(0, data.DocumentCount).Where(d => d % stride == 0).ToArray();
    }
}
