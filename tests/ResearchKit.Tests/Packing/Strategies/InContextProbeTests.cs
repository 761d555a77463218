using ResearchKit.Embeddings;
using ResearchKit.Evaluation;
using ResearchKit.Packing.Probes;
using ResearchKit.Runtime;
using ResearchKit.Tokenization;
using ResearchKit.Training;
using TorchSharp;

namespace ResearchKit.Tests.Packing.Strategies;

public class InContextProbeTests
{
    static EmbeddingMatrix Rows(params float[][] rows) => EmbeddingMatrix.FromRows(rows);

    // Targets: t0 (1,0,0); t1 (0,1,0); t2 too short (1 token); t3 nothing to embed.
    static readonly EmbeddingMatrix Targets = Rows([1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0]);
    static readonly int[] TargetTokens = [30, 5, 1, 12];
    // Candidates: c0 a copy of t0; c1 and c4 tie for t0 (0.8); c2 closer to t0 but too short; c3 nearest to t1; c5 empty.
    static readonly EmbeddingMatrix Candidates = Rows([1, 0, 0], [0.8f, 0.6f, 0], [0.95f, 0.3122f, 0], [0.6f, 0.8f, 0], [0.8f, 0.6f, 0], [0, 0, 0]);
    static readonly int[] CandidateTokens = [10, 7, 3, 20, 9, 40];

    [Fact]
    public void NeighbourIsTheMostSimilarEligibleCandidateAndRandomIsAnotherEligibleOne()
    {
        var pairs = InContextPairs.Build(Targets, Candidates, TargetTokens, CandidateTokens, maxTargets: 10, minCandidateTokens: 7, maxCosine: 0.95, seed: 5);
        Assert.Equal([0, 1], pairs.Select(p => p.Target));   // t2 is too short, t3 has no embedding
        // t0: c0 is a near-copy (cosine 1 ≥ 0.95), c2 too short; c1 and c4 tie at 0.8: the smaller index wins.
        Assert.Equal(1, pairs[0].Neighbour);
        Assert.Equal(0.8f, pairs[0].NeighbourCosine, 5);
        Assert.Contains(pairs[0].Random, new[] { 3, 4 });
        Assert.Equal(3, pairs[1].Neighbour);
        Assert.Contains(pairs[1].Random, new[] { 0, 1, 4 });
        foreach (var p in pairs) Assert.Equal(Candidates.Normalized().Row(p.Random).ToArray().Zip(Targets.Row(p.Target).ToArray(), (a, b) => a * b).Sum(), p.RandomCosine, 5);

        // Deterministic in the seed, and the seed is what picks the random contexts.
        Assert.Equal(pairs, InContextPairs.Build(Targets, Candidates, TargetTokens, CandidateTokens, 10, 7, 0.95, seed: 5));
        var randoms = Enumerable.Range(0, 20).Select(s => InContextPairs.Build(Targets, Candidates, TargetTokens, CandidateTokens, 10, 7, 0.95, (ulong)s)[1].Random).Distinct().Count();
        Assert.True(randoms > 1);
    }

    [Fact]
    public void PairsRefuseMismatchedEmbeddingsAndTooFewCandidates()
    {
        var wide = Rows([1, 0, 0, 0], [0, 1, 0, 0]);
        Assert.Contains("4-d", Assert.Throws<ArgumentException>(() => InContextPairs.Build(Targets, wide, TargetTokens, [9, 9], 10, 2, 0.95, 1)).Message);
        var e = Assert.Throws<ArgumentException>(() => InContextPairs.Build(Targets, Candidates, TargetTokens, CandidateTokens, 10, minCandidateTokens: 20, 0.95, 1));
        Assert.Contains("1 of 6 qualify", e.Message);
        var sample = InContextPairs.Build(Targets, Candidates, TargetTokens, CandidateTokens, maxTargets: 1, 7, 0.95, 1);
        Assert.Single(sample);
    }

    [Fact]
    public void WindowsPlaceExactlyCTokensBeforeTheTargetAndScoreTheSameTargetsInEveryCondition()
    {
        var after = InContextProbe.Window([5, 6, 7], [1, 2], withContext: true, contextTokens: 3, window: 8, endOfText: 99);
        Assert.Equal([1, 2, 99, 5, 6, 7, 99, 99], after.Tokens);
        Assert.Equal([false, false, false, false, true, true, false, false], after.Trainable);
        Assert.Equal([0, 0, 0, 1, 1, 1, 2, 2], after.Segments);
        var alone = InContextProbe.Window([5, 6, 7], [], withContext: false, contextTokens: 3, window: 8, endOfText: 99);
        Assert.Equal([5, 6, 7, 99, 99, 99, 99, 99], alone.Tokens);
        Assert.Equal([false, true, true, false, false, false, false, false], alone.Trainable);
        // A long target is cut to window − C tokens in both layouts.
        var longTarget = Enumerable.Range(10, 9).ToArray();
        Assert.Equal(5, InContextProbe.Window(longTarget, [1, 2], true, 3, 8, 99).Tokens.Skip(3).Count(t => t != 99));
        Assert.Equal([10, 11, 12, 13, 14, 99, 99, 99], InContextProbe.Window(longTarget, [], false, 3, 8, 99).Tokens);
    }

    [Fact]
    public void ScoresMatchScoringEachTextAfterItsContextDirectly()
    {
        TorchRuntime.Initialize("cpu");
        torch.manual_seed(4);
        using var model = new Gpt(GptConfig.Micro());   // context 32: windows of 33
        var targets = new InMemoryTokenDataset(["x"], 257, 256);
        targets.Add("x", Enumerable.Range(0, 30).Select(i => 97 + i % 11).ToArray());
        targets.Add("x", [65, 66, 67, 68, 69]);
        var candidates = new InMemoryTokenDataset(["x"], 257, 256);
        candidates.Add("x", Enumerable.Range(0, 10).Select(i => 97 + i % 5).ToArray());
        candidates.Add("x", [40, 41, 42, 43, 44, 45, 46]);
        InContextPair[] pairs = [new(0, 0, 1, 0.9f, 0.1f), new(1, 1, 0, 0.7f, 0.2f)];
        const int c = 8;
        var result = InContextProbe.Score(model, pairs, targets, candidates, c, batchSize: 4);

        for (int p = 0; p < pairs.Length; p++)
        {
            var body = targets.Body(pairs[p].Target).ToArray();
            var scored = body[..Math.Min(body.Length, 33 - c)];
            int[] Context(int doc) => [.. candidates.Body(doc).ToArray()[^(c - 1)..], 256];
            Assert.Equal(Evaluator.Score(model, scored).Loss, result.Losses[p][(int)InContextCondition.None], 5);
            Assert.Equal(Evaluator.Score(model, scored, Context(pairs[p].Neighbour)).Loss, result.Losses[p][(int)InContextCondition.Neighbour], 5);
            Assert.Equal(Evaluator.Score(model, scored, Context(pairs[p].Random)).Loss, result.Losses[p][(int)InContextCondition.Random], 5);
            Assert.Equal(scored.Length - 1, result.Tokens[p]);
        }
        // Token-weighted summaries over the same targets.
        var m = result.Metrics();
        double Weighted(InContextCondition k) => (result.Losses[0][(int)k] * 24 + result.Losses[1][(int)k] * 4) / 28;
        Assert.Equal(Weighted(InContextCondition.Random) - Weighted(InContextCondition.Neighbour), m["incontext_gain"], 9);
        Assert.Equal(Weighted(InContextCondition.None), m["incontext_none"], 9);
        Assert.Equal(result.Losses.Count(l => l[2] < l[1]) / 2.0, m["incontext_neighbour_wins"]);
        Assert.Equal(["none", "random", "neighbour"], result.ToDataFrame()["condition"].Cast<string>());

        var shortContext = new InContextPair[] { new(0, 1, 0, 0.5f, 0.1f) };
        Assert.Throws<ArgumentException>(() => InContextProbe.Score(model, shortContext, targets, candidates, contextTokens: 9));   // candidate 1 has 7 < 8 tokens
    }
}
