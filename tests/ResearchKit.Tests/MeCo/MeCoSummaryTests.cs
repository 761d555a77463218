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
    public void ConditionalReadoutSkipsArmsWithoutBothLosses()
    {
        var text = MeCoSummary.Conditional(Results());
        Assert.Contains("- standard: no prefix 2.5000, own metadata 2.4500 (gain 0.0500), other domains' metadata 2.5000 (+0.0000 vs no prefix)", text);
        Assert.Contains("- f0: no prefix 2.6000, own metadata 2.3000 (gain 0.3000), other domains' metadata 2.9000 (+0.3000 vs no prefix)", text);
        Assert.DoesNotContain("f0.1", text);
    }
}
