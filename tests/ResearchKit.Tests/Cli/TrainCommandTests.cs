using System.Diagnostics;
using ResearchKit.Corpus;
using ResearchKit.Experiments;
using ResearchKit.Training;

namespace ResearchKit.Tests.Cli;

/// <summary>The README's main job, `rk train --data corpus --out dir`, run as a process on a slice of data-samples.</summary>
public sealed class TrainCommandTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("rk-train-cli-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rk.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        return Process.Start(info)!;
    }

    static (int Code, string Output) Rk(params string[] args)
    {
        using var process = Start(args);
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }

    string Slice()
    {
        var corpus = Path.Combine(_dir, "slice.parquet");
        var sample = CorpusReader.Read(Path.Combine(TestCorpus.RepoRoot, "data-samples", "sample.parquet"));
        CorpusWriter.Write(corpus, CorpusSample.Take(sample, 120, seed: 3).Select(d => d with { Text = d.Text[..Math.Min(d.Text.Length, 2000)] }));
        return corpus;
    }

    static double[] Losses(string runDirectory) =>
        File.ReadAllLines(Path.Combine(runDirectory, "metrics.csv")).Skip(1).Select(l => double.Parse(l.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    [Fact]
    public void AKilledRunResumesToTheSameLossesAsAnUninterruptedOne()
    {
        var corpus = Slice();
        string[] Args(string output) => ["train", "--data", corpus, "--steps", "24", "--checkpoint-every", "3", "--out", output];
        var whole = Path.Combine(_dir, "whole");
        var (wholeCode, wholeLog) = Rk(Args(whole));
        Assert.True(wholeCode == 0, wholeLog);

        var killed = Path.Combine(_dir, "killed");
        using (var process = Start(Args(killed)))
        {
            var metrics = Path.Combine(killed, "metrics.csv");   // written right after each checkpoint
            var clock = Stopwatch.StartNew();
            while (!File.Exists(metrics) && !process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(20);
            Assert.False(process.HasExited, "the run finished before it could be killed");
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        int before = Losses(killed).Length;
        Assert.InRange(before, 3, 21);   // killed part-way, after at least one checkpoint
        var (refused, message) = Rk(Args(killed));
        Assert.Equal(1, refused);                                       // never continues a run silently
        Assert.Contains("pass --resume to continue it", message);
        var (code, text) = Rk([.. Args(killed), "--resume"]);
        Assert.True(code == 0, text);
        Assert.Equal(Losses(whole), Losses(killed));
    }

    [Fact]
    public void TrainsOnACorpusAndReportsValidationLossPerDomain()
    {
        var corpus = Slice();
        var output = Path.Combine(_dir, "run");

        var (code, text) = Rk("train", "--data", corpus, "--steps", "3", "--validation-fraction", "0.2", "--out", output);
        Assert.True(code == 0, text);
        Assert.Contains("validation loss per domain", text);

        var validation = DataFrameParquet.Read(Path.Combine(output, "validation.parquet"));
        var domains = validation["domain"].Cast<string>().ToList();
        Assert.Equal("all", domains[^1]);
        Assert.True(domains.Count >= 5, string.Join(", ", domains));
        Assert.All(validation["loss"].Cast<double?>(), l => Assert.InRange(l!.Value, 1.0, 7.0));   // byte-level, 3 steps: near ln(257) = 5.55
        Assert.Equal(3, TrainConfig.FromJsonFile(Path.Combine(output, "config.json")).Steps);
        Assert.True(File.Exists(Path.Combine(output, "checkpoint.bin")));
    }

    [Fact]
    public void AMissingCorpusIsOneClearErrorAndNoOutput()
    {
        var output = Path.Combine(_dir, "none");
        var (code, text) = Rk("train", "--data", Path.Combine(_dir, "missing.parquet"), "--out", output);
        Assert.Equal(1, code);
        Assert.Contains("missing.parquet: no such corpus file or directory", text);
        Assert.DoesNotContain("   at ", text);   // no stack trace
        Assert.False(Directory.Exists(output));
    }
}
