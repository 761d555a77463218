using ResearchKit.Corpus;
using ResearchKit.Tokenization;

namespace ResearchKit.Tests.Corpus;

public class CorpusSplitSampleStatsTests
{
    [Fact]
    public void StableHashMatchesSha256ComputedByPython()
    {
        // python: struct.unpack('<Q', hashlib.sha256(struct.pack('<q', seed) + id.encode()).digest()[:8])
        Assert.Equal(1068305714598182171UL, StableHash.Of("doc-1", 0));
        Assert.Equal(1275407599807876985UL, StableHash.Of("<urn:uuid:1>", 42));
    }

    static Document[] Numbered(int n, Func<int, string>? domain = null) =>
        Enumerable.Range(0, n).Select(i => new Document($"doc-{i}", $"text {i}", domain?.Invoke(i) ?? "d")).ToArray();

    [Fact]
    public void SplitIsDeterministicDisjointAndNearTheFraction()
    {
        var docs = Numbered(10_000);
        var split = new CorpusSplit(0.1, Seed: 7);
        var validation = split.Validation(docs).Select(d => d.Id).ToHashSet();
        var train = split.Train(docs).Select(d => d.Id).ToHashSet();
        Assert.Equal(10_000, validation.Count + train.Count);
        Assert.Empty(validation.Intersect(train));
        Assert.InRange(validation.Count, 900, 1100);                     // ±3.3 standard deviations
        // Same answer from a new instance, for a reversed subset (order and company do not matter).
        Assert.Equal(validation, new CorpusSplit(0.1, 7).Validation(docs.Reverse().Take(10_000)).Select(d => d.Id).ToHashSet());
        // Another seed gives another split; growing the fraction only adds documents.
        Assert.NotEqual(validation, new CorpusSplit(0.1, 8).Validation(docs).Select(d => d.Id).ToHashSet());
        Assert.Subset(new CorpusSplit(0.2, 7).Validation(docs).Select(d => d.Id).ToHashSet(), validation);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CorpusSplit(1.5));
    }

    [Fact]
    public void AllocationIsProportionalWithLargestRemainders()
    {
        Assert.Equal(new Dictionary<string, int> { ["a"] = 5, ["b"] = 3, ["c"] = 2 },
                     CorpusSample.Allocate(new Dictionary<string, long> { ["a"] = 50, ["b"] = 30, ["c"] = 20 }, 10));
        // 7 * (4, 2, 1) / 7 = (4, 2, 1) exactly; 3 places over (1,1,1) go to the names first in order on ties.
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, ["b"] = 1, ["c"] = 0 },
                     CorpusSample.Allocate(new Dictionary<string, long> { ["a"] = 1, ["b"] = 1, ["c"] = 1 }, 2));
        Assert.Equal(new Dictionary<string, int> { ["x"] = 2, ["y"] = 1 },
                     CorpusSample.Allocate(new Dictionary<string, long> { ["x"] = 2, ["y"] = 1 }, 10));
    }

    [Fact]
    public void UniformSampleIsTheSmallestSeededKeysInCorpusOrder()
    {
        var docs = Numbered(500);
        var sample = CorpusSample.Take(docs, 40, seed: 3, stratified: false);
        // Reference: sort everything by key, take 40, restore corpus order.
        var expected = docs.Select((d, i) => (d, i)).OrderBy(x => StableHash.Of(x.d.Id, 3)).Take(40).OrderBy(x => x.i).Select(x => x.d.Id);
        Assert.Equal(expected, sample.Select(d => d.Id));
        Assert.Equal(sample, CorpusSample.Take(docs, 40, seed: 3, stratified: false));
        Assert.NotEqual(sample.Select(d => d.Id), CorpusSample.Take(docs, 40, seed: 4, stratified: false).Select(d => d.Id));
    }

    [Fact]
    public void StratifiedSampleKeepsDomainShares()
    {
        var docs = Numbered(1000, i => i % 10 == 0 ? "rare" : "common");   // 100 rare, 900 common
        var sample = CorpusSample.Take(docs, 20, seed: 1);
        Assert.Equal(2, sample.Count(d => d.Domain == "rare"));
        Assert.Equal(18, sample.Count(d => d.Domain == "common"));
        Assert.Equal(sample.Select(d => int.Parse(d.Id[4..])).Order(), sample.Select(d => int.Parse(d.Id[4..])));
        Assert.Equal(1000, CorpusSample.Take(docs, 5000, seed: 1).Count);
    }

    [Fact]
    public void StatsCountDocumentsCodePointsAndTokensPerDomain()
    {
        Document[] docs =
        [
            new("1", "héllo", "web"),        // 5 code points, 6 UTF-8 bytes
            new("2", "🎉ab", "chat"),        // 3 code points (4 UTF-16 units), 6 UTF-8 bytes
            new("3", "abc", "web"),          // 3 code points, 3 bytes
        ];
        var frame = CorpusStats.PerDomain(docs, ByteTokenizer.Instance);
        Assert.Equal(["domain", "documents", "characters", "tokens"], frame.Columns.Select(c => c.Name));
        Assert.Equal(["chat", "web", CorpusStats.TotalRow], frame["domain"].Cast<string>());
        Assert.Equal([1L, 2L, 3L], frame["documents"].Cast<long>());
        Assert.Equal([3L, 8L, 11L], frame["characters"].Cast<long>());
        Assert.Equal([6L, 9L, 15L], frame["tokens"].Cast<long>());
        Assert.DoesNotContain("tokens", CorpusStats.PerDomain(docs).Columns.Select(c => c.Name));
    }
}
