using ResearchKit.Corpus;
using ResearchKit.Pipeline;

namespace ResearchKit.Tests.Pipeline;

public sealed class DocumentPipelineTests
{
    sealed class ShortFilter(int minChars) : DocumentFilter
    {
        public override string Name => "short";
        public override string? DropReason(Document d) => d.Text.Length < minChars ? "too_short" : null;
    }

    /// <summary>Drops lines that start with '#', counting removed characters (newline included).</summary>
    sealed class HashLines : IDocumentTransform
    {
        public string Name => "hash-lines";
        public IEnumerable<Document> Apply(IEnumerable<Document> documents, TransformStats stats, CancellationToken cancellationToken = default)
        {
            foreach (var d in documents)
            {
                var lines = d.Text.Split('\n');
                var kept = lines.Where(l => !l.StartsWith('#')).ToArray();
                stats.Removed(Name, "hash_line", lines.Where(l => l.StartsWith('#')).Sum(l => l.Length + 1));
                var output = d with { Text = string.Join('\n', kept) };
                stats.Kept(Name, d, output);
                yield return output;
            }
        }
    }

    [Fact]
    public void CountsDocumentsAndCharactersPerStepAndReason()
    {
        var docs = new[] { new Document("a", "hello world", "x"), new Document("b", "hi", "x"), new Document("c", "#c\nkeep me", "y") };
        var stats = new TransformStats();
        var output = new DocumentPipeline([new ShortFilter(5), new HashLines()]).Apply(docs, stats).ToList();

        Assert.Equal(["hello world", "keep me"], output.Select(d => d.Text));
        var steps = stats.Steps();
        Assert.Equal(["short", "hash-lines"], steps["step"].Cast<string>());
        Assert.Equal([3L, 2L], steps["documents_in"].Cast<long?>().Select(v => v!.Value));
        Assert.Equal([2L, 2L], steps["documents_out"].Cast<long?>().Select(v => v!.Value));
        Assert.Equal([1L, 0L], steps["documents_dropped"].Cast<long?>().Select(v => v!.Value));
        Assert.Equal([0L, 1L], steps["documents_modified"].Cast<long?>().Select(v => v!.Value));
        Assert.Equal([11L + 2 + 10, 11L + 10], steps["characters_in"].Cast<long?>().Select(v => v!.Value));
        Assert.Equal([11L + 10, 11L + 7], steps["characters_out"].Cast<long?>().Select(v => v!.Value));

        var reasons = stats.Reasons();
        Assert.Equal(["too_short", "hash_line"], reasons["reason"].Cast<string>());
        Assert.Equal([1L, 0L], reasons["documents"].Cast<long?>().Select(v => v!.Value));
        Assert.Equal([2L, 3L], reasons["characters"].Cast<long?>().Select(v => v!.Value));
    }

    [Fact]
    public void MergedShardStatsEqualOneRun()
    {
        var docs = Enumerable.Range(0, 20).Select(i => new Document($"d{i}", new string('x', i), "d")).ToList();
        var whole = new TransformStats();
        _ = new ShortFilter(7).Apply(docs, whole).ToList();
        var merged = new TransformStats();
        foreach (var part in docs.Chunk(6))
        {
            var shard = new TransformStats();
            _ = new ShortFilter(7).Apply(part, shard).ToList();
            merged.Merge(shard);
        }
        Assert.Equal(whole.Reasons()["characters"].Cast<long?>(), merged.Reasons()["characters"].Cast<long?>());
        Assert.Equal(whole.Steps()["documents_out"].Cast<long?>(), merged.Steps()["documents_out"].Cast<long?>());
        Assert.Equal(7L, (long)merged.Reasons()["documents"][0]!);
    }

    [Fact]
    public void RefusesTwoStepsWithOneName() =>
        Assert.Throws<ArgumentException>(() => new DocumentPipeline([new ShortFilter(1), new ShortFilter(2)]).Apply([], new TransformStats()));
}
