using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using ResearchKit.Corpus;
using ResearchKit.Pipeline;
using ResearchKit.Tests.Corpus;
using ResearchKit.Tokenization;

namespace ResearchKit.Tests.Cli;

/// <summary>`rk tokenize --shard i/n` and `rk merge` as real processes: in parallel, killed, raced, and launched
/// through the Kubernetes manifest `rk launch k8s` prints.</summary>
public sealed class ShardCommandTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    /// <summary>data-samples as one JSONL file (6.4 MB, 915 documents): with cl100k_base, half of it keeps a shard
    /// busy for a good fraction of a second, long enough to kill or race it.</summary>
    string BigInput()
    {
        var path = _dir["big.jsonl"];
        CorpusWriter.Write(path, CorpusReader.Read(Path.Combine(TestCorpus.RepoRoot, "data-samples", "sample.parquet")));
        return path;
    }

    static byte[] SingleProcessTokens(string input, string tokenizer, string directory)
    {
        var path = Path.Combine(directory, "single.rkt");
        TokenShard.Tokenize(CorpusReader.Read(input), TextTokenizers.Create(tokenizer), path);
        return File.ReadAllBytes(path);
    }

    [Fact]
    public void ParallelShardProcessesGiveTheBytesOfOneProcess()
    {
        var input = BigInput();
        var output = _dir["tokens"];
        var processes = Enumerable.Range(0, 2).Select(i => Rk.Start(null, "tokenize", input, "--out", output, "--tokenizer", "bytes", "--unit-mb", "1", "--shard", $"{i}/2")).ToList();
        foreach (var p in processes) { var (code, text) = Rk.Wait(p); Assert.True(code == 0, text); p.Dispose(); }
        var (merged, log) = Rk.Run("merge", output);
        Assert.True(merged == 0, log);
        Assert.Contains("merged shards: 915 documents", log);
        Assert.Equal(SingleProcessTokens(input, "bytes", _dir.Path), File.ReadAllBytes(Path.Combine(output, TokenShards.FileName)));
    }

    [Fact]
    public void AKilledShardIsRedoneAndFinishedShardsAreNot()
    {
        var input = BigInput();
        var output = _dir["tokens"];
        string[] Args(int i) => ["tokenize", input, "--out", output, "--unit-mb", "0.5", "--shard", $"{i}/2"];
        var directory = TokenShards.DirectoryOf(output);
        Assert.Equal(0, Rk.Run(Args(0)).Code);
        var finishedParts = new[] { directory.PartPath(new ShardSpec(0, 2), ".rkt") };
        var finishedAt = finishedParts.Select(File.GetLastWriteTimeUtc).ToArray();

        using (var killed = Rk.Start(null, Args(1)))
        {
            var clock = Stopwatch.StartNew();
            var owner = Path.Combine(directory.Root, "locks", "00001.owner");
            while (!File.Exists(owner) && !killed.HasExited && clock.Elapsed < TimeSpan.FromMinutes(1)) Thread.Sleep(5);
            Assert.False(killed.HasExited, "shard 1 finished before it could be killed");
            killed.Kill(entireProcessTree: true);
            killed.WaitForExit();
        }
        Assert.False(File.Exists(directory.DonePath(1)));
        Assert.False(File.Exists(directory.PartPath(new ShardSpec(1, 2), ".rkt")));
        var (refused, why) = Rk.Run("merge", output);
        Assert.Equal(1, refused);
        Assert.Contains("1 of 2 shards are not complete (shard 1)", why);

        // Rerun every shard, as a resubmitted array would: 0 is skipped untouched, 1 is redone.
        var reruns = Enumerable.Range(0, 2).Select(i => Rk.Run(Args(i))).ToArray();
        Assert.All(reruns, r => Assert.True(r.Code == 0, r.Output));
        Assert.Contains("shard 0/2 was already complete", reruns[0].Output);
        Assert.Contains("all 2 shards are complete", reruns[1].Output);
        Assert.DoesNotContain("already complete", reruns[1].Output);
        Assert.Equal(finishedAt, finishedParts.Select(File.GetLastWriteTimeUtc));
        Assert.Empty(Directory.GetFiles(Path.Combine(directory.Root, "parts"), "*.tmp-*"));

        Assert.Equal(0, Rk.Run("merge", output).Code);
        Assert.Equal(SingleProcessTokens(input, "cl100k_base", _dir.Path), File.ReadAllBytes(Path.Combine(output, TokenShards.FileName)));
    }

    [Fact]
    public void OfTwoProcessesWritingOneShardTheFirstWinsAndTheSecondRefuses()
    {
        var input = BigInput();
        var output = _dir["tokens"];
        string[] args = ["tokenize", input, "--out", output, "--shard", "0/2"];
        var directory = TokenShards.DirectoryOf(output);
        using var first = Rk.Start(null, args);
        var clock = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(directory.Root, "locks", "00000.owner")) && !first.HasExited && clock.Elapsed < TimeSpan.FromMinutes(1)) Thread.Sleep(10);
        Assert.False(first.HasExited, "the first writer finished before the second started");

        var (code, message) = Rk.Run(args);
        bool firstStillRunning = !first.HasExited;
        Assert.Equal(1, code);
        Assert.Matches(new Regex(@"shard 0/2 of .* is being written by pid \d+ on "), message);
        Assert.True(firstStillRunning, "the refusal came only after the first writer had finished");

        var (firstCode, firstLog) = Rk.Wait(first);
        Assert.True(firstCode == 0, firstLog);
        Assert.True(File.Exists(directory.DonePath(0)));
        Assert.Single(Directory.GetFiles(Path.Combine(directory.Root, "parts")));
    }

    [Fact]
    public async Task TheKubernetesManifestRunsPodIAsShardIThenTheMerge()
    {
        var work = _dir["volume"];
        Directory.CreateDirectory(work);
        CorpusWriter.Write(Path.Combine(work, "corpus.parquet"),
            CorpusSample.Take(CorpusReader.Read(Path.Combine(TestCorpus.RepoRoot, "data-samples", "sample.parquet")), 200, seed: 1));
        var (code, manifest) = Rk.Run("launch", "k8s", "--shards", "3", "--rk", Rk.Invocation, "--mount", work, "--image", "registry.example/rk:1",
                                      "--", "corpus", "import", "corpus.parquet", "--out", "imported.jsonl.zst");
        Assert.True(code == 0, manifest);
        Assert.Contains("completionMode: Indexed", manifest);
        Assert.Contains("completions: 3", manifest);
        Assert.Contains("name: rk-corpus-import-merge", manifest);
        var scripts = Regex.Matches(manifest, @"^\s*args: \[(.*)\]\s*$", RegexOptions.Multiline).Select(m => JsonSerializer.Deserialize<string>(m.Groups[1].Value)!).ToList();
        Assert.Equal(2, scripts.Count);
        var workingDir = JsonSerializer.Deserialize<string>(Regex.Match(manifest, @"workingDir: (.*)").Groups[1].Value.Trim());
        Assert.Equal(work, workingDir);

        // What each pod of the Indexed Job runs: its JOB_COMPLETION_INDEX, in the mounted volume.
        var pods = Enumerable.Range(0, 3).Select(i => Task.Run(() => Rk.Shell(scripts[0], work, new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = $"{i}" }))).ToArray();
        foreach (var (podCode, podLog) in await Task.WhenAll(pods)) Assert.True(podCode == 0, podLog);
        var merge = Rk.Shell(scripts[1], work);
        Assert.True(merge.Code == 0, merge.Output);

        CorpusWriter.Write(_dir["single.jsonl.zst"], CorpusReader.Read(Path.Combine(work, "corpus.parquet")));
        Assert.Equal(File.ReadAllBytes(_dir["single.jsonl.zst"]), File.ReadAllBytes(Path.Combine(work, "imported.jsonl.zst")));
    }
}
