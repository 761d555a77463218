using Microsoft.Data.Analysis;
using ResearchKit.Embeddings;
using ResearchKit.Runtime;
using TorchSharp;

namespace ResearchKit.Packing.Probes;

/// <summary>One probed document with the two documents that precede it in the probe: its nearest neighbour among the
/// candidates, and a random candidate (indices into the probed and the candidate sets).</summary>
public readonly record struct InContextPair(int Target, int Neighbour, int Random, float NeighbourCosine, float RandomCosine);

/// <summary>
/// The pairs of the in-context probe: for each probed (held-out) document, its nearest neighbour by cosine of the
/// embeddings among the candidate (training) documents, and a random candidate as the control. Candidates are the
/// training documents because that pool is large enough for real neighbours (the held-out set is a small sample),
/// and both contexts then come from the same pool, so anything the model remembers of the training documents helps
/// both conditions alike; the target itself was never trained on.
/// <para>Rules, all deterministic: probed documents without text (a zero embedding) or with fewer than two tokens are
/// left out, then at most <c>maxTargets</c> are taken by a seeded draw (kept in index order). A candidate must have
/// text and at least <c>minCandidateTokens</c> tokens (the context length), and a cosine below
/// <c>maxCosine</c> with the target: a near-copy across the split would measure copying, not the use of related
/// context (0.95 is the ICLM order's dedup threshold). The neighbour is the most similar candidate (ties: smaller
/// index); the random one is drawn uniformly from the other eligible candidates with a generator seeded per target.</para>
/// </summary>
public static class InContextPairs
{
    /// <param name="targets">embeddings of the probed documents.</param>
    /// <param name="candidates">embeddings of the candidate context documents.</param>
    /// <param name="targetTokens">token count of each probed document.</param>
    /// <param name="candidateTokens">token count of each candidate.</param>
    /// <exception cref="ArgumentException">The two sets differ in dimension, counts disagree, or fewer than two
    /// candidates are eligible.</exception>
    public static IReadOnlyList<InContextPair> Build(EmbeddingMatrix targets, EmbeddingMatrix candidates, IReadOnlyList<int> targetTokens, IReadOnlyList<int> candidateTokens,
        int maxTargets, int minCandidateTokens, double maxCosine, ulong seed, string device = "cpu")
    {
        if (targets.Dimension != candidates.Dimension)
            throw new ArgumentException($"the probed documents' embeddings are {targets.Dimension}-d, the candidates' {candidates.Dimension}-d: embed both with one embedder");
        if (targetTokens.Count != targets.Rows) throw new ArgumentException($"{targetTokens.Count} token counts for {targets.Rows} probed embeddings", nameof(targetTokens));
        if (candidateTokens.Count != candidates.Rows) throw new ArgumentException($"{candidateTokens.Count} token counts for {candidates.Rows} candidate embeddings", nameof(candidateTokens));
        if (maxTargets < 1) throw new ArgumentOutOfRangeException(nameof(maxTargets), maxTargets, "probe at least one document");
        if (!(maxCosine > -1 && maxCosine <= 1.0001)) throw new ArgumentOutOfRangeException(nameof(maxCosine), maxCosine, "a cosine bound is in (-1, 1]");
        var t = targets.Normalized();
        var c = candidates.Normalized();
        var eligible = Enumerable.Range(0, c.Rows).Where(i => !c.IsZeroRow(i) && candidateTokens[i] >= minCandidateTokens).ToArray();
        if (eligible.Length < 2)
            throw new ArgumentException($"the in-context probe needs at least two candidate documents with text and at least {minCandidateTokens} tokens; {eligible.Length} of {c.Rows} qualify");
        var probed = Enumerable.Range(0, t.Rows).Where(i => !t.IsZeroRow(i) && targetTokens[i] >= 2).ToArray();
        if (probed.Length > maxTargets)
        {
            new SeededRandom(SeededRandom.Derive(seed, 0x7A)).Shuffle(probed.AsSpan());
            probed = probed[..maxTargets].Order().ToArray();
        }

        var dev = TorchRuntime.Initialize(device).TorchDevice;
        var pairs = new List<InContextPair>(probed.Length);
        using var scope = torch.NewDisposeScope();
        var pool = torch.tensor(c.Select(eligible).Data, [eligible.Length, c.Dimension]).to(dev);
        const int block = 256;
        for (int start = 0; start < probed.Length; start += block)
        {
            int b = Math.Min(block, probed.Length - start);
            using var inner = torch.NewDisposeScope();
            var query = torch.tensor(t.Select(probed[start..(start + b)]).Data, [b, t.Dimension]).to(dev);
            var sims = query.matmul(pool.t()).cpu().data<float>().ToArray();
            for (int r = 0; r < b; r++)
            {
                var row = sims.AsSpan(r * eligible.Length, eligible.Length);
                int best = -1;
                for (int j = 0; j < row.Length; j++)
                    if (row[j] < maxCosine && (best < 0 || row[j] > row[best])) best = j;   // strict: ties keep the smaller index
                var allowed = new List<int>(row.Length);
                for (int j = 0; j < row.Length; j++) if (j != best && row[j] < maxCosine) allowed.Add(j);
                if (best < 0 || allowed.Count == 0) continue;   // every candidate is a near-copy of this target
                int random = allowed[new SeededRandom(SeededRandom.Derive(seed, (ulong)probed[start + r])).NextInt(allowed.Count)];
                pairs.Add(new InContextPair(probed[start + r], eligible[best], eligible[random], row[best], row[random]));
            }
        }
        return pairs;
    }

    public static DataFrame ToDataFrame(IReadOnlyList<InContextPair> pairs) => new(
        new Int32DataFrameColumn("target", pairs.Select(p => p.Target)),
        new Int32DataFrameColumn("neighbour", pairs.Select(p => p.Neighbour)),
        new Int32DataFrameColumn("random", pairs.Select(p => p.Random)),
        new SingleDataFrameColumn("neighbour_cosine", pairs.Select(p => p.NeighbourCosine)),
        new SingleDataFrameColumn("random_cosine", pairs.Select(p => p.RandomCosine)));

    public static IReadOnlyList<InContextPair> FromDataFrame(DataFrame frame) =>
        Enumerable.Range(0, (int)frame.Rows.Count).Select(r => new InContextPair(
            (int)frame["target"][r]!, (int)frame["neighbour"][r]!, (int)frame["random"][r]!,
            (float)frame["neighbour_cosine"][r]!, (float)frame["random_cosine"][r]!)).ToList();
}
