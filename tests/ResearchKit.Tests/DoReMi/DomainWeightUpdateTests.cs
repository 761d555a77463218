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
        // METHODS.md §1: with λ0 = ln V and only domain 0 present with λ = 0, the absent domains keep ln V,
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

    static void AssertClose(double[] expected, IReadOnlyList<double> actual)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 9);
    }
}
