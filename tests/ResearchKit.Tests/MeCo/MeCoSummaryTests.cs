using Microsoft.Data.Analysis;
using ResearchKit.Experiments;
using ResearchKit.MeCo;

namespace ResearchKit.Tests.MeCo;

public class MeCoSummaryTests
{
    static AblationResults Results()
    {
        // MeCo: own metadata lowers loss by 0.10 ± small, wrong metadata by ~0; standard: no gain either way.
        var runs = new DataFrame(
            new StringDataFrameColumn("arm", ["meco", "meco", "meco", "standard", "standard", "standard"]),
            new Int32DataFrameColumn("seed", [1, 2, 3, 1, 2, 3]),
            new DoubleDataFrameColumn("cond_none", [2.50, 2.52, 2.48, 2.60, 2.61, 2.59]),
            new DoubleDataFrameColumn("cond_own", [2.40, 2.41, 2.39, 2.60, 2.60, 2.60]),
            new DoubleDataFrameColumn("cond_other", [2.50, 2.51, 2.49, 2.60, 2.61, 2.60]));
        return new AblationResults("", AblationTables.Summary(runs), runs, new DataFrame(), new Dictionary<string, DataFrame>(), [], []);
    }

    [Fact]
    public void ReadsGainAndSpecificityAgainstSeedNoise()
    {
        var text = MeCoSummary.Conditional(Results());
        Assert.Contains("- meco: no prefix 2.5000 ± 0.0497, own metadata 2.4000 ± 0.0248; gain from own metadata 0.1000 ± 0.0248", text);
        Assert.Matches(@"- meco: .*own vs other domains' metadata 0\.1000 ± [0-9.]+ \(own metadata helps more\)", text);
        Assert.Matches(@"- standard: .*\(within noise\)", text);
        Assert.Matches(@"- meco vs standard: gain from own metadata \+0\.1000 ± [0-9.]+ \(resolved\)", text);
    }

    [Fact]
    public void RefusesResultsWithoutTheMatrix()
    {
        var runs = new DataFrame(new StringDataFrameColumn("arm", ["a"]), new Int32DataFrameColumn("seed", [1]), new DoubleDataFrameColumn("val_bpb", [1.0]));
        var results = new AblationResults("", AblationTables.Summary(runs), runs, new DataFrame(), new Dictionary<string, DataFrame>(), [], []);
        Assert.Throws<ArgumentException>(() => MeCoSummary.Conditional(results));
    }
}
