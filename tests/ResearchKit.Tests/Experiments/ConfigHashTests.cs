using ResearchKit.Experiments;
using ResearchKit.MeCo;

namespace ResearchKit.Tests.Experiments;

public class ConfigHashTests
{
    sealed record Config(int Steps, string Name, double Lr, MetadataKind Kind);

    [Fact]
    public void CanonicalJsonSortsKeysAndNamesEnums()
    {
        var c = new Config(3, "x", 0.001, MetadataKind.Host);
        Assert.Equal("""{"Kind":"Host","Lr":0.001,"Name":"x","Steps":3}""", ConfigHash.CanonicalJson(c));
        // printf %s '{"Kind":"Host","Lr":0.001,"Name":"x","Steps":3}' | sha256sum
        Assert.Equal("5388d9ac3ee20e9831650dd71679adc390f1351b7708c1b19dda88c26548dfe6", ConfigHash.Of(c));
        Assert.NotEqual(ConfigHash.Of(c), ConfigHash.Of(c with { Lr = 0.0010000001 }));
        Assert.Equal(ConfigHash.Of(c), ConfigHash.Of(new Config(3, "x", 1e-3, MetadataKind.Host)));
    }
}
