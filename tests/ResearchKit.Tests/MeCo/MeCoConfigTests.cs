using ResearchKit.MeCo;
using ResearchKit.Training;

namespace ResearchKit.Tests.MeCo;

public class MeCoConfigTests
{
    static readonly MeCoConfig Base = new() { Train = TrainConfig.Tiny() with { Steps = 40 }, Corpus = "unused" };

    [Fact]
    public void CooldownSwitchesPrefixesOffForTheLastFraction()
    {
        var t = (Base with { CooldownFraction = 0.2 }).ResolvedTrain();
        Assert.True(t.Data.Prefixes);
        Assert.Equal(0.8, t.Cooldown!.AtFraction, 12);
        Assert.False(t.Cooldown.Data.Prefixes);
        Assert.Equal(32, PhaseSwitch.SwitchStep(t.Steps, t.Cooldown.AtFraction));
        Assert.Equal(t.Schedule, Base.Train.Schedule); // the same schedule continues: no re-warmup
    }

    [Fact]
    public void ZeroCooldownKeepsMetadataThroughoutAndStandardHasNone()
    {
        var throughout = (Base with { CooldownFraction = 0 }).ResolvedTrain();
        Assert.True(throughout.Data.Prefixes);
        Assert.Null(throughout.Cooldown);
        var standard = (Base with { Metadata = MetadataSpec.None }).ResolvedTrain();
        Assert.False(standard.Data.Prefixes);
        Assert.Null(standard.Cooldown);
        Assert.Equal(standard.TokensPerStep * standard.Steps, throughout.TokensPerStep * throughout.Steps);
        Assert.Throws<ArgumentOutOfRangeException>(() => (Base with { CooldownFraction = 1.5 }).ResolvedTrain());
    }
}
