using ResearchKit.Corpus;
using ResearchKit.Filters;
using ResearchKit.Pipeline;

namespace ResearchKit.Tests.Cli;

/// <summary><c>rk filter</c> as a process: the output corpus is what the library's pipeline keeps, and the
/// per-reason table is printed.</summary>
public sealed class FilterCommandTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("rk-filter-cli-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void WritesWhatThePipelineKeepsAndPrintsReasons()
    {
        var input = Path.Combine(_dir, "in.parquet");
        var docs = CorpusSample.Take(CorpusReader.Read(Path.Combine(TestCorpus.RepoRoot, "data-samples", "sample.parquet")), 60, seed: 5);
        CorpusWriter.Write(input, docs);
        var output = Path.Combine(_dir, "out.jsonl");
        var (code, text) = Rk.Run("filter", input, "--rules", "gopher-quality,c4-quality", "--out", output);
        Assert.True(code == 0, text);

        var expected = new DocumentPipeline([RuleFilters.Create("gopher-quality"), RuleFilters.Create("c4-quality")]).Apply(docs, new TransformStats()).ToList();
        var written = CorpusReader.Read(output).ToList();
        Assert.Equal(expected.Select(d => (d.Id, d.Text)), written.Select(d => (d.Id, d.Text)));
        Assert.Contains("gopher-quality", text);
        Assert.Contains("line_no_terminal_punct", text);
        Assert.Contains($"wrote {written.Count} documents", text);

        var (bad, message) = Rk.Run("filter", input, "--rules", "gopher", "--out", Path.Combine(_dir, "x.parquet"));
        Assert.Equal(1, bad);
        Assert.Contains("unknown rule filter 'gopher'", message);
        Assert.False(File.Exists(Path.Combine(_dir, "x.parquet")));
    }
}
