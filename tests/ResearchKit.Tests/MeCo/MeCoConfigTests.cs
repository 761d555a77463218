using ResearchKit.Experiments;
using ResearchKit.MeCo;
using ResearchKit.Training;

namespace ResearchKit.Tests.MeCo;

public class MeCoConfigTests
{
    static readonly MeCoConfig Base = new() { Train = TrainConfig.Tiny() with { Steps = 40 }, Data = new DataSpec { Corpus = "unused" } };

    [Fact]
    public void CooldownIsOnePhaseThatTurnsPrefixesOffForTheLastFraction()
    {
        var t = (Base with { CooldownFraction = 0.2 }).ResolvedTrain();
        Assert.True(t.Data.Prefixes);
        var phase = Assert.Single(t.Phases);
        Assert.False(phase.Prefixes);
        Assert.Null(phase.DomainWeights);
        Assert.Equal(32, phase.StartStep(t.Steps));
    }

    [Fact]
    public void ZeroCooldownKeepsMetadataThroughoutAndStandardHasNone()
    {
        var throughout = (Base with { CooldownFraction = 0 }).ResolvedTrain();
        Assert.True(throughout.Data.Prefixes);
        Assert.Empty(throughout.Phases);
        var standard = (Base with { Metadata = MetadataSpec.None }).ResolvedTrain();
        Assert.False(standard.Data.Prefixes);
        Assert.Empty(standard.Phases);
        Assert.Throws<ArgumentOutOfRangeException>(() => (Base with { CooldownFraction = 1.5 }).ResolvedTrain());
    }

    [Fact]
    public void SeedsChangeOnlyTheTrainingSeed()
    {
        var seeded = Base.WithSeed(99);
        Assert.Equal(99, seeded.Seed);
        Assert.Equal(99, seeded.Train.Seed);
        Assert.Equal(Base.Data, seeded.Data);   // the split and samples stay: every seed is scored on the same documents
    }
}
