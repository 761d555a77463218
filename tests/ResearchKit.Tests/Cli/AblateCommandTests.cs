using System.Diagnostics;
using ResearchKit.Experiments;
using ResearchKit.Recipes;

namespace ResearchKit.Tests.Cli;

/// <summary><c>rk ablate</c> as a process: a dry run lists the plan, and a run killed inside a training stage finishes
/// on rerun with the same results as an uninterrupted one (the stage resumes from its checkpoint).</summary>
public sealed class AblateCommandTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("rk-ablate-cli-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static string Corpus => Path.Combine(TestCorpus.RepoRoot, RecipeCatalog.DefaultCorpus);

    string[] Args(string output) => ["ablate", "meco-conditional", "--preset", "smoke", "--seeds", "1", "--corpus", Corpus, "--out", output];

    [Fact]
    public void DryRunListsTheStagesAndComputesNothing()
    {
        var output = Path.Combine(_dir, "dry");
        var (code, text) = Rk.Run([.. Args(output), "--dry-run"]);
        Assert.True(code == 0, text);
        // 2 corpus sides (evaluation and probe samples coincide at smoke), 2 + 1 tokenizations, then per arm: train, evaluate, matrix.
        Assert.Contains("11 stages: 0 cached, 11 to compute", text);
        Assert.Contains("train-", text);
        Assert.False(Directory.Exists(Path.Combine(output, "stages")));
    }

    [Fact]
    public void AKilledAblationFinishesOnRerunWithTheSameResults()
    {
        var whole = Path.Combine(_dir, "whole");
        var (ok, log) = Rk.Run(Args(whole));
        Assert.True(ok == 0, log);

        var killed = Path.Combine(_dir, "killed");
        using (var process = Rk.Start(null, Args(killed)))
        {
            var stages = Path.Combine(killed, "stages");
            var clock = Stopwatch.StartNew();
            bool InsideTraining() => Directory.Exists(stages) && Directory.EnumerateFiles(stages, "checkpoint.bin", SearchOption.AllDirectories).Any(f => f.Contains(".partial"));
            while (!InsideTraining() && !process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(10);
            Assert.False(process.HasExited, "the ablation finished before it could be killed");
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        Assert.False(File.Exists(Path.Combine(killed, "meco-conditional", "results.parquet")));
        Assert.NotEmpty(Directory.GetDirectories(Path.Combine(killed, "stages"), "train-*.partial"));

        var (code, text) = Rk.Run(Args(killed));
        Assert.True(code == 0, text);
        var a = DataFrameParquet.Read(Path.Combine(whole, "meco-conditional", "runs", "results.parquet"));
        var b = DataFrameParquet.Read(Path.Combine(killed, "meco-conditional", "runs", "results.parquet"));
        foreach (var metric in new[] { "train_loss", "val_bpb", "val_loss", "cond_own" })
            Assert.Equal(a[metric].Cast<double?>(), b[metric].Cast<double?>());
        Assert.Empty(Directory.GetDirectories(Path.Combine(killed, "stages"), "*.partial"));
    }
}
