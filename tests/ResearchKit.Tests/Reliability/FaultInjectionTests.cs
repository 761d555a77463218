using System.Diagnostics;
using ResearchKit.Corpus;
using ResearchKit.Experiments;
using ResearchKit.Recipes;
using ResearchKit.Tests.Cli;
using ResearchKit.Tests.Corpus;
using ResearchKit.Tokenization;
using ResearchKit.Training;

namespace ResearchKit.Tests.Reliability;

/// <summary>
/// The fault-injection suite, on real <c>rk</c> processes: SIGKILL at seeded random points of training, tokenization and
/// an ablation, then a rerun: bit-identical results and nothing left over; and each file or disk error as one line
/// naming the file, exit code 1, nothing half-written.
/// </summary>
public sealed class FaultInjectionTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    static string Sample => Path.Combine(TestCorpus.RepoRoot, "data-samples", "sample.parquet");

    string Slice()
    {
        var corpus = _dir["slice.parquet"];
        if (!File.Exists(corpus))
            CorpusWriter.Write(corpus, CorpusSample.Take(CorpusReader.Read(Sample), 120, seed: 3).Select(d => d with { Text = d.Text[..Math.Min(d.Text.Length, 1500)] }));
        return corpus;
    }

    static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Rk.Dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment.Remove(ResearchKit.Pipeline.ArtifactStore.RootVariable);
        info.Environment.Remove(TokenShard.VerifyVariable);
        return Process.Start(info)!;
    }

    static (int Code, string Output) Run(params string[] args)
    {
        using var p = Start(args);
        return Rk.Wait(p);
    }

    /// <summary>Starts rk and SIGKILLs it (the whole tree) after <paramref name="delay"/>, unless it finished first.</summary>
    static void KillAfter(TimeSpan delay, params string[] args)
    {
        using var p = Start(args);
        _ = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(delay)) p.Kill(entireProcessTree: true);
        p.WaitForExit();
    }

    static void AssertNoLeftovers(string root)
    {
        var left = Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Where(p => Path.GetFileName(p).Contains(".tmp-") || Path.GetFileName(p).StartsWith(".tmp-") || p.EndsWith(".partial")).ToList();
        Assert.True(left.Count == 0, "left over: " + string.Join(", ", left));
    }

    static TimeSpan Timed(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed;
    }

    static byte[] Parameters(string checkpoint)
    {
        var bytes = File.ReadAllBytes(checkpoint);
        var (start, length) = CheckpointIntegrityTests.Sections(bytes)["parameters"];
        return bytes[(int)start..(int)(start + length)];
    }

    [Fact]
    public void TrainingKilledAtRandomPointsResumesBitIdentically()
    {
        var corpus = Slice();
        string[] Args(string output) => ["train", "--data", corpus, "--steps", "8", "--checkpoint-every", "2", "--eval-tokens", "2000", "--out", output];
        var whole = _dir["whole"];
        (int code, string log) = (0, "");
        var duration = Timed(() => (code, log) = Run(Args(whole)));
        Assert.True(code == 0, log);
        var expected = Parameters(Path.Combine(whole, Checkpoint.FileName));
        var losses = File.ReadAllLines(Path.Combine(whole, "metrics.csv")).Skip(1).Select(l => l.Split(',')[2]).ToArray();

        foreach (int seed in new[] { 1, 2 })
        {
            var run = _dir[$"killed{seed}"];
            KillAfter(duration * (0.25 + 0.6 * new Random(seed).NextDouble()), Args(run));
            var (resumed, text) = Run([.. Args(run), "--resume"]);
            Assert.True(resumed == 0, text);
            Assert.Equal(expected, Parameters(Path.Combine(run, Checkpoint.FileName)));
            Assert.Equal(losses, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Skip(1).Select(l => l.Split(',')[2]));
            AssertNoLeftovers(run);
        }
    }

    [Fact]
    public void TokenizationKilledAtRandomPointsLeavesNothingHalfWrittenAndRerunsIdentically()
    {
        var corpus = Slice();
        string[] Args(string output) => ["tokenize", corpus, "--tokenizer", "bytes", "--out", output];
        (int code, string log) = (0, "");
        var duration = Timed(() => (code, log) = Run(Args(_dir["ref"])));
        Assert.True(code == 0, log);
        var expected = File.ReadAllBytes(Path.Combine(_dir["ref"], TokenShards.FileName));
        using (var shard = TokenShard.Open(Path.Combine(_dir["ref"], TokenShards.FileName))) Assert.Equal(1, shard.TokenWidth);

        foreach (int seed in new[] { 1, 2 })
        {
            var output = _dir[$"killed{seed}"];
            KillAfter(duration * (0.3 + 0.7 * new Random(seed).NextDouble()), Args(output));
            var shardPath = Path.Combine(output, TokenShards.FileName);
            if (File.Exists(shardPath)) Assert.Equal(expected, File.ReadAllBytes(shardPath));   // whole or absent, never a part
            var (rerun, text) = Run(Args(output));
            Assert.True(rerun == 0, text);
            Assert.Equal(expected, File.ReadAllBytes(shardPath));
            AssertNoLeftovers(output);
        }
    }

    string[] Ablate(string output) => ["ablate", "meco-conditional", "--preset", "smoke", "--seeds", "1", "--corpus", Sample, "--out", output];

    /// <summary>The per-run results without the machine-dependent timing.</summary>
    static string Results(string output)
    {
        var runs = DataFrameParquet.Read(Path.Combine(output, "meco-conditional", AblationRunner.RunsFolder, AblationRunner.ResultsFile));
        foreach (var c in runs.Columns.Select(c => c.Name).Where(n => n.StartsWith("train_seconds")).ToList()) runs.Columns.Remove(c);
        return string.Join("\n", runs.Rows.Select(r => string.Join(",", r.Select(v => v is double d ? d.ToString("R") : v?.ToString()))));
    }

    [Fact]
    public void AKilledAblationFinishedByTwoRunsAtOnceComputesEachStageOnceWithTheSameResults()
    {
        (int code, string log) = (0, "");
        var duration = Timed(() => (code, log) = Run(Ablate(_dir["ref"])));
        Assert.True(code == 0, log);
        var expected = Results(_dir["ref"]);

        // Killed at a seeded random point, then two runs at once finish it in the same results folder: each waits on
        // the other's stage locks and reuses what it finished, so every stage is computed once in all.
        var killed = _dir["killed"];
        KillAfter(duration * (0.2 + 0.6 * new Random(1).NextDouble()), Ablate(killed));
        int before = Directory.Exists(Path.Combine(killed, "stages"))
            ? Directory.GetDirectories(Path.Combine(killed, "stages")).Count(d => !d.EndsWith(".partial")) : 0;
        using var first = Start(Ablate(killed));
        using var second = Start(Ablate(killed));
        var (a, b) = (Rk.Wait(first), Rk.Wait(second));
        Assert.True(a.Code == 0 && b.Code == 0, a.Output + b.Output);
        int Computed(string output) => int.Parse(System.Text.RegularExpressions.Regex.Match(output, @"computed (\d+) stage").Groups[1].Value);
        int stages = Directory.GetDirectories(Path.Combine(killed, "stages")).Length;
        Assert.Equal(stages - before, Computed(a.Output) + Computed(b.Output));
        Assert.Equal(expected, Results(killed));
        AssertNoLeftovers(killed);
    }

    /// <summary>One error line on stderr, exit code 1, no stack trace.</summary>
    static string OneLine((int Code, string Output) result, params string[] expected)
    {
        Assert.True(result.Code == 1, result.Output);
        var error = result.Output.Split('\n').Single(l => l.StartsWith("error: "));
        foreach (var e in expected) Assert.Contains(e, error);
        Assert.DoesNotContain("   at ", result.Output);
        return error;
    }

    [Fact]
    public void FileErrorsAreOneLineNamingTheFile()
    {
        // A .jsonl.zst cut mid-frame.
        CorpusWriter.Write(_dir["c.jsonl.zst"], CorpusReader.Read(Slice()).Take(60));
        var zst = File.ReadAllBytes(_dir["c.jsonl.zst"]);
        File.WriteAllBytes(_dir["cut.jsonl.zst"], zst[..(zst.Length * 2 / 3)]);
        OneLine(Run("corpus", "stats", _dir["cut.jsonl.zst"]), _dir["cut.jsonl.zst"], "truncated");

        // --out that is an existing file.
        File.WriteAllText(_dir["file"], "x");
        OneLine(Run("train", "--data", Slice(), "--steps", "1", "--out", _dir["file"]), _dir["file"], "existing file");
        OneLine(Run("tokenize", Slice(), "--tokenizer", "bytes", "--out", _dir["file"]), _dir["file"], "existing file");
        OneLine(Run(Ablate(_dir["file"])), _dir["file"], "existing file");
        Assert.Equal("x", File.ReadAllText(_dir["file"]));

        // rk report on a truncated results.parquet: no report written.
        var results = _dir["results"];
        Directory.CreateDirectory(results);
        File.WriteAllText(Path.Combine(results, "config.json"), "{\"ablation\": \"demo\", \"arms\": []}");
        var frame = new Microsoft.Data.Analysis.DataFrame(new Microsoft.Data.Analysis.StringDataFrameColumn("arm", ["a"]), new Microsoft.Data.Analysis.DoubleDataFrameColumn("val_loss", [1.0]));
        DataFrameParquet.Write(frame, Path.Combine(results, "results.parquet"));
        var table = File.ReadAllBytes(Path.Combine(results, "results.parquet"));
        File.WriteAllBytes(Path.Combine(results, "results.parquet"), table[..(table.Length / 2)]);
        OneLine(Run("report", results), Path.Combine(results, "results.parquet"), "truncated or damaged");
        Assert.False(File.Exists(Path.Combine(results, "report.html")));
        AssertNoLeftovers(_dir.Path);
    }

    [SkippableFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void AnUnreadableFileIsOneLineThatSaysToCheckItsPermissions()
    {
        var locked = _dir["locked.jsonl"];
        File.WriteAllText(locked, "{\"id\":\"a\",\"text\":\"x\",\"domain\":\"web\"}\n");
        File.SetUnixFileMode(locked, UnixFileMode.None);
        Directory.CreateDirectory(_dir["home"]);
        File.SetUnixFileMode(_dir.Path, (UnixFileMode)0b111_111_111);
        File.SetUnixFileMode(_dir["home"], (UnixFileMode)0b111_111_111);
        // Root reads any file: run rk as nobody then.
        var command = $"dotnet '{Rk.Dll}' corpus stats '{locked}'";
        if (Environment.UserName == "root")
        {
            var (probe, _) = Rk.Shell("command -v setpriv", _dir.Path);
            Skip.If(probe != 0, "running as root without setpriv: permissions do not apply to root");
            command = $"setpriv --reuid=65534 --regid=65534 --clear-groups env HOME='{_dir["home"]}' DOTNET_CLI_HOME='{_dir["home"]}' {command}";
        }
        OneLine(Rk.Shell(command, _dir.Path), locked, "denied", "check the permissions");
    }

    [SkippableFact]
    public void AFullDiskDuringTokenizeIsOneLineAndLeavesNothing()
    {
        var mount = _dir["small"];
        Directory.CreateDirectory(mount);
        var (code, output) = Rk.Shell($"mount -t tmpfs -o size=512k tmpfs '{mount}'", _dir.Path);
        Skip.If(code != 0, $"cannot mount a tmpfs here ({output.Trim()}); InputAndOutputErrorTests covers a size-capped stream");
        try
        {
            OneLine(Run("tokenize", Sample, "--tokenizer", "bytes", "--out", mount), Path.Combine(mount, TokenShards.FileName), "disk is full");
            Assert.Empty(Directory.GetFileSystemEntries(mount));
        }
        finally { Rk.Shell($"umount '{mount}'", _dir.Path); }
    }

    [Fact]
    public void TrainSaysWhatItDoesWithAResumeAndItsEvaluationBudget()
    {
        var corpus = Slice();
        var output = _dir["run"];
        OneLine(Run("train", "--data", corpus, "--steps", "2", "--checkpoint-every", "-1", "--out", output), "--checkpoint-every -1");
        Assert.False(Directory.Exists(output));

        var (code, text) = Run("train", "--data", corpus, "--steps", "2", "--eval-tokens", "3000", "--resume", "--out", output);
        Assert.True(code == 0, text);
        Assert.Contains("no checkpoint in", text);
        Assert.Contains("starts a fresh run", text);
        Assert.Matches(@"validation: [\d,]+ scored tokens of about [\d,]+ in the split, documents taken evenly across it \(budget --eval-tokens 3,000", text);

        var configJson = File.ReadAllText(Path.Combine(output, Trainer.ConfigFile));
        var refused = OneLine(Run("train", "--data", corpus, "--steps", "3", "--resume", "--out", output), "different experiment", "Steps: 2 -> 3");
        Assert.Contains("Steps: 2 -> 3", refused);
        Assert.Equal(configJson, File.ReadAllText(Path.Combine(output, Trainer.ConfigFile)));
        OneLine(Run("train", "--data", corpus, "--steps", "2", "--validation-fraction", "0.3", "--resume", "--out", output), "different experiment", "data:");
    }
}
