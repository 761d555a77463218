using ResearchKit.DoReMi;

namespace ResearchKit.Tests.DoReMi;

public class DomainWeightUpdateTests
{
    // α0 = [0.5, 0.25, 0.25], η = 1, c = 1e-3, initial λ = 0.
    // Step 1: sums [0.6, 0, 0.2], counts [3, 0, 2] -> λ = [0.2, 0 (absent: kept), 0.1].
    //   α' ∝ α0·e^λ = [0.5·1.2214028, 0.25, 0.25·1.1051709] = [0.6107014, 0.25, 0.2762927], Σ = 1.1369941
    //   α' = [0.5371195, 0.2198778, 0.2430026]; α1 = 0.999·α' + 0.001/3 = [0.5369154, 0.2199915, 0.2430931]
    //   average of α0, α1 = [0.5184577, 0.2349957, 0.2465466]
    // Step 2: sums [0, 0, 0.9], counts [0 (fully masked), 0, 3] -> λ = [0.2 (kept), 0, 0.3].
    //   α' ∝ α1·e^λ; α2 = [0.5444996, 0.1828795, 0.2726209]; average of α0..α2 = [0.5271383, 0.2176236, 0.2552380]
    //   loss weights with sampling s = α0: (α2/s)/Σ = [0.3740979, 0.2512943, 0.3746078]
    [Fact]
    public void MatchesHandComputedUpdates()
    {
        var u = new DomainWeightUpdate([0.5, 0.25, 0.25], eta: 1, smoothing: 1e-3);
        u.Update([0.6, 0, 0.2], [3, 0, 2]);
        AssertClose([0.5369154256, 0.2199914636, 0.2430931108], u.Weights);
        AssertClose([0.5184577128, 0.2349957318, 0.2465465554], u.Average);
        u.Update([0, 0, 0.9], [0, 0, 3]);
        AssertClose([0.2, 0, 0.3], u.Scores);
        AssertClose([0.5444996036, 0.1828794801, 0.2726209163], u.Weights);
        AssertClose([0.5271383431, 0.2176236479, 0.2552380090], u.Average);
        Assert.Equal(3, u.Count);
        AssertClose([0.37409787381, 0.25129430472, 0.37460782147], u.LossWeights([0.5, 0.25, 0.25]));
    }

    [Fact]
    public void ReferenceInitScoreMakesAnAbsentDomainJumpToAlmostAllWeight()
    {
        // Xie et al. 2023: with λ0 = ln V and only domain 0 present with λ = 0, the absent domains keep ln V,
        // so domain 0 gets ≈ 1/(1 + 2V) of the mass before smoothing: α ≈ (1-c)·[~0, 0.5, 0.5] + c/3.
        double lnV = Math.Log(50277);
        var u = new DomainWeightUpdate([1, 1, 1], initialScore: lnV);
        u.Update([0, 0, 0], [10, 0, 0]);
        Assert.Equal(1e-3 / 3 + 0.999 / (1 + 2 * 50277.0), u.Weights[0], 9);
        Assert.Equal(0.999 * 50277.0 / (1 + 2 * 50277.0) + 1e-3 / 3, u.Weights[1], 9);
    }

    [Fact]
    public void StateRoundTrips()
    {
        var u = new DomainWeightUpdate([1, 2]);
        u.Update([1, 0], [2, 1]);
        var v = new DomainWeightUpdate([1, 2]);
        v.Restore(u.State);
        u.Update([0, 3], [1, 1]);
        v.Update([0, 3], [1, 1]);
        Assert.Equal(u.Weights, v.Weights);
        Assert.Equal(u.Average, v.Average);
    }

    [Fact]
    public void ZeroScoresLeaveOnlyTheSmoothing()
    {
        // A proxy equal to its reference: excess 0 for every present domain, so λ = 0 and softmax(ln α) = α; what the
        // update still does is the smoothing α <- (1-c)·α + c/k, a geometric pull toward uniform:
        // α_t = (1-c)^t·α0 + (1 - (1-c)^t)/k. Nonuniform α0 = [0.6, 0.3, 0.1], c = 1e-3, 5 updates.
        var u = new DomainWeightUpdate([0.6, 0.3, 0.1]);
        for (int t = 1; t <= 5; t++)
        {
            u.Update([0, 0, 0], [4, 2, 0]);   // domain 2 absent: keeps λ = 0 (the initial score)
            double keep = Math.Pow(0.999, t);
            AssertClose([keep * 0.6 + (1 - keep) / 3, keep * 0.3 + (1 - keep) / 3, keep * 0.1 + (1 - keep) / 3], u.Weights, 15);
        }
        Assert.Equal([0, 0, 0], u.Scores);

        // Uniform α0 is the smoothing's fixed point: every entry stays exactly equal to every other, at 1/k to the last bits.
        var uniform = new DomainWeightUpdate([1, 1, 1, 1]);
        for (int t = 0; t < 50; t++) uniform.Update([0, 0, 0, 0], [3, 1, 0, 2]);
        Assert.All(uniform.Weights, w => Assert.Equal(uniform.Weights[0], w));
        Assert.Equal(0.25, uniform.Weights[0], 15);
        Assert.Equal(0.25, uniform.Average[0], 15);
    }

    [Fact]
    public void NonuniformInitialWeightsWithTheThreeObjectivesScores()
    {
        // α0 = [0.2, 0.8], η = 0.5, c = 0.01, one update with λ as each objective computes it from the same tokens
        // (domain 0: proxy [3, 1], ref [2, 2]; domain 1: proxy [1], ref [0.5]):
        //   excess  λ = [mean(max(1,0), max(-1,0)), 0.5] = [0.5, 0.5]  -> α' ∝ [0.2, 0.8]·e^0.25 -> α' = α0, α = 0.99·α0 + 0.005
        //   hardest λ = [2, 1]      -> α' ∝ [0.2·e^1, 0.8·e^0.5] = [0.5436563657, 1.3189770166], Σ = 1.8626333823
        //   easiest λ = [-2, -0.5]  -> α' ∝ [0.2·e^-1, 0.8·e^-0.25] = [0.0735758882, 0.6230406265], Σ = 0.6966165147
        var excess = new DomainWeightUpdate([0.2, 0.8], eta: 0.5, smoothing: 0.01);
        excess.Update([1 + 0, 0.5], [2, 1]);
        AssertClose([0.99 * 0.2 + 0.005, 0.99 * 0.8 + 0.005], excess.Weights, 15);
        var hardest = new DomainWeightUpdate([0.2, 0.8], eta: 0.5, smoothing: 0.01);
        hardest.Update([3 + 1, 1], [2, 1]);
        AssertClose([0.99 * 0.5436563657 / 1.8626333823 + 0.005, 0.99 * 1.3189770166 / 1.8626333823 + 0.005], hardest.Weights, 9);
        var easiest = new DomainWeightUpdate([0.2, 0.8], eta: 0.5, smoothing: 0.01);
        easiest.Update([-2 - 2, -0.5], [2, 1]);
        AssertClose([0.99 * 0.0735758882 / 0.6966165147 + 0.005, 0.99 * 0.6230406265 / 0.6966165147 + 0.005], easiest.Weights, 9);
        Assert.Equal([-2, -0.5], easiest.Scores);
    }

    static void AssertClose(double[] expected, IReadOnlyList<double> actual, int digits)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], digits);
    }

    static void AssertClose(double[] expected, IReadOnlyList<double> actual)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 9);
    }
}
