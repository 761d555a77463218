using ResearchKit.Corpus;
using ResearchKit.Pipeline;
using ResearchKit.ProX;
using ResearchKit.Tests.Corpus;

namespace ResearchKit.Tests.Cli;

/// <summary><c>rk prox apply</c> and <c>rk filter</c> as processes, whole and sharded: a shard's rerun is skipped,
/// the merged shards are byte for byte the single process's output, and both equal the library's pipeline.</summary>
public sealed class ProxCommandTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    /// <summary>Labelled material in three JSONL files (mail, pages, more mail and pages), so shards get whole files.</summary>
    string Input()
    {
        var sample = CorpusReader.Read(Path.Combine(TestCorpus.RepoRoot, "data-samples", "sample.parquet")).Where(d => d.Domain.StartsWith("mail-")).Take(30).ToList();
        var pages = CorpusReader.Read(Path.Combine(TestCorpus.RepoRoot, "data-samples", "prox-lines.parquet")).Take(12).ToList();
        var folder = _dir["in"];
        Directory.CreateDirectory(folder);
        CorpusWriter.Write(Path.Combine(folder, "a.jsonl"), sample.Take(15));
        CorpusWriter.Write(Path.Combine(folder, "b.jsonl"), pages.Take(6));
        CorpusWriter.Write(Path.Combine(folder, "c.jsonl"), sample.Skip(15).Concat(pages.Skip(6)));
        return folder;
    }

    [Fact]
    public void ApplyWithLabelProgramsWholeAndShardedGiveTheSameBytes()
    {
        var input = Input();
        var single = _dir["single.parquet"];
        var (code, text) = Rk.Run("prox", "apply", input, "--labels", "--out", single);
        Assert.True(code == 0, text);
        Assert.Contains("prox-d", text);
        Assert.Contains("lines_removed", text);

        var docs = CorpusReader.Read(input).ToList();
        var expected = RefineSpec.Clean().Build().Apply(docs, new TransformStats()).ToList();
        Assert.Equal(expected.Select(d => (d.Id, d.Text)), CorpusReader.Read(single).Select(d => (d.Id, d.Text)));
        Assert.DoesNotContain(expected, d => d.Domain == "mail-spam");

        var sharded = _dir["sharded.parquet"];
        string[] Args(int i) => ["prox", "apply", input, "--labels", "--out", sharded, "--shard", $"{i}/2"];
        Assert.Equal(0, Rk.Run(Args(1)).Code);
        var (first, log) = Rk.Run(Args(0));
        Assert.True(first == 0, log);
        Assert.Contains("all 2 shards are complete", log);
        var (again, skipped) = Rk.Run(Args(0));
        Assert.Equal(0, again);
        Assert.Contains("shard 0/2 was already complete", skipped);
        var (merged, mergeLog) = Rk.Run("merge", sharded);
        Assert.True(merged == 0, mergeLog);
        Assert.Contains("prox-c", mergeLog);
        Assert.Equal(File.ReadAllBytes(single), File.ReadAllBytes(sharded));

        // Another setting in the same shard directory is refused rather than mixed in.
        var (mixed, why) = Rk.Run("prox", "apply", input, "--labels", "--stages", "d", "--out", sharded, "--shard", "0/2");
        Assert.NotEqual(0, mixed);
        Assert.Contains("shard", why);
    }

    [Fact]
    public void ApplyNeedsAModelPerStageAndFilterShardsToo()
    {
        var input = Input();
        var (code, text) = Rk.Run("prox", "apply", input, "--out", _dir["x.parquet"]);
        Assert.Equal(1, code);
        Assert.Contains("--doc-model", text);
        var (bad, missing) = Rk.Run("prox", "apply", input, "--stages", "c", "--chunk-model", _dir["nowhere"], "--out", _dir["x.parquet"]);
        Assert.Equal(1, bad);
        Assert.Contains("no such model directory", missing);
        Assert.False(File.Exists(_dir["x.parquet"]));

        var single = _dir["filtered.jsonl"];
        Assert.Equal(0, Rk.Run("filter", input, "--rules", "c4-quality", "--out", single).Code);
        var sharded = _dir["filtered-sharded.jsonl"];
        for (int i = 0; i < 3; i++) Assert.Equal(0, Rk.Run("filter", input, "--rules", "c4-quality", "--out", sharded, "--shard", $"{i}/3").Code);
        Assert.Equal(0, Rk.Run("merge", sharded).Code);
        Assert.Equal(File.ReadAllBytes(single), File.ReadAllBytes(sharded));

        // The one-line cluster launch environment.md documents: each task adds its --shard, the merge takes --out.
        var (launched, script) = Rk.Run("launch", "slurm", "--shards", "4", "--", "prox", "apply", "corpus/", "--labels", "--out", "refined.parquet");
        Assert.True(launched == 0, script);
        Assert.Contains("exec rk prox apply corpus/ --labels --out refined.parquet --shard \"${SLURM_ARRAY_TASK_ID}/4\"", script);
        Assert.Contains("exec rk merge refined.parquet", script);
    }
}
