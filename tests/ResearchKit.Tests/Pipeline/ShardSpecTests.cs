using ResearchKit.Pipeline;

namespace ResearchKit.Tests.Pipeline;

public sealed class ShardSpecTests
{
    [Fact]
    public void ParsesIndexOverCountAndDealsUnitsWithAFixedStride()
    {
        var shard = ShardSpec.Parse("2/3");
        Assert.Equal((2, 3), (shard.Index, shard.Count));
        Assert.Equal([2, 5, 8], Enumerable.Range(0, 10).Where(u => shard.Owns(u)));
        Assert.Equal("part-00002-of-00003.parquet", shard.PartName(".parquet"));
        Assert.Equal("2/3", shard.ToString());
    }

    [Theory]
    [InlineData("3/3")]
    [InlineData("-1/3")]
    [InlineData("1/0")]
    [InlineData("1")]
    [InlineData("a/b")]
    [InlineData("1/2/3")]
    public void RefusesWhatIsNotAShardOfACount(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => ShardSpec.Parse(text));
        Assert.Contains($"--shard '{text}'", e.Message);
    }

    [Fact]
    public void UnitsComeBackInInputOrderOnlyWhenEveryUnitIsListedOnceInItsShard()
    {
        var stats = new[]
        {
            new System.Text.Json.Nodes.JsonObject { ["units"] = ShardUnits.ToJson([(0, 5), (2, 0)]) },
            new System.Text.Json.Nodes.JsonObject { ["units"] = ShardUnits.ToJson([(1, 7), (3, 1)]) },
        };
        Assert.Equal([(0, 5L), (1, 7L), (0, 0L), (1, 1L)], ShardUnits.InOrder(stats));
        stats[1]["units"] = ShardUnits.ToJson([(3, 1)]);
        Assert.Contains("unit 1 is missing", Assert.Throws<InvalidOperationException>(() => ShardUnits.InOrder(stats)).Message);
        stats[1]["units"] = ShardUnits.ToJson([(1, 7), (2, 1)]);
        Assert.Contains("shard 1/2 lists unit 2", Assert.Throws<InvalidOperationException>(() => ShardUnits.InOrder(stats)).Message);
    }
}
