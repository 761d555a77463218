using Microsoft.Data.Analysis;
using ResearchKit.MeCo;

namespace ResearchKit.Tests.MeCo;

public class MeCoSummaryTests
{
    static DataFrame Results() => new(
        new StringDataFrameColumn("arm", ["standard", "f0", "f0.1"]),
        new DoubleDataFrameColumn("val_loss", [2.5, 2.6, 2.4]),
        new DoubleDataFrameColumn("cond_none", [2.5, 2.6, 2.4]),
        new DoubleDataFrameColumn("cond_own", [2.45, 2.3, null]),
        new DoubleDataFrameColumn("cond_other", [2.5, 2.9, 2.5]));

    [Fact]
    public void ComparesEveryArmWithTheBaselineBestFirst()
    {
        var text = MeCoSummary.AgainstBaseline(Results());
        Assert.StartsWith("val_loss of standard: 2.5000.", text);
        Assert.Contains("- f0.1: 2.4000 (-0.1000 vs standard, -4.0%): better\n- f0: 2.6000 (+0.1000 vs standard, +4.0%): worse", text);
        Assert.EndsWith("no noise estimate.\n- f0.1: 2.4000 (-0.1000 vs standard, -4.0%): better\n- f0: 2.6000 (+0.1000 vs standard, +4.0%): worse", text);
        Assert.Throws<ArgumentException>(() => MeCoSummary.AgainstBaseline(Results(), baseline: "none"));
    }

    [Fact]
    public void ASecondBaselineSeedSetsTheNoiseLevel()
    {
        var results = new DataFrame(
            new StringDataFrameColumn("arm", ["standard", "standard-seed2", "f0", "f0.1"]),
            new DoubleDataFrameColumn("val_loss", [2.5, 2.45, 2.47, 2.3]));
        var text = MeCoSummary.AgainstBaseline(results);
        Assert.Contains("Seed-to-seed noise (|standard − standard-seed2|): 0.0500.", text);
        Assert.Contains("- f0.1: 2.3000 (-0.2000 vs standard, -8.0%): better", text);
        Assert.Contains("- f0: 2.4700 (-0.0300 vs standard, -1.2%): within seed noise", text);
        Assert.DoesNotContain("- standard-seed2", text);
        var tiny = MeCoSummary.AgainstBaseline(new DataFrame(new StringDataFrameColumn("arm", ["standard", "topic"]), new DoubleDataFrameColumn("val_loss", [2.6057, 2.6048])));
        Assert.Contains("- topic: 2.6048 (-0.0009 vs standard, +0.0%): better", tiny);   // a percentage that rounds to zero has no minus
    }

    [Fact]
    public void ConditionalReadoutSkipsArmsWithoutBothLosses()
    {
        var text = MeCoSummary.Conditional(Results());
        Assert.Contains("- standard: no prefix 2.5000, own metadata 2.4500 (gain 0.0500), other domains' metadata 2.5000 (+0.0000 vs no prefix)", text);
        Assert.Contains("- f0: no prefix 2.6000, own metadata 2.3000 (gain 0.3000), other domains' metadata 2.9000 (+0.3000 vs no prefix)", text);
        Assert.DoesNotContain("f0.1", text);
    }
}
