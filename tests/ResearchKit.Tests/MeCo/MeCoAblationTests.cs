using ResearchKit.Experiments;
using ResearchKit.MeCo;

namespace ResearchKit.Tests.MeCo;

/// <summary>The MeCo ablations end to end on the shipped data-samples corpus, with the seconds-long smoke preset.</summary>
public sealed class MeCoAblationTests : IDisposable
{
    readonly DirectoryInfo _results = Directory.CreateTempSubdirectory("rk-meco-");
    static string Corpus => Path.Combine(TestCorpus.RepoRoot, AblationCatalog.DefaultCorpus);

    public void Dispose() => _results.Delete(recursive: true);

    [Fact]
    public void CooldownAblationRunsEndToEndWithEqualBudgetsAndIsCached()
    {
        var ablation = MeCoAblations.Cooldown(Corpus);
        var run = ablation.Run("smoke", _results.FullName);
        Assert.Equal(["standard", "standard-seed2", "f0", "f0.1", "f0.2", "f0.5"], run.Computed);

        var results = run.Results;
        var arms = results["arm"].Cast<string>().ToArray();
        double Metric(string arm, string name) => (double)results[name][Array.IndexOf(arms, arm)]!;
        // Equal token budgets: every arm trains the same number of window tokens.
        Assert.Single(arms.Select(a => Metric(a, "tokens")).Distinct());
        Assert.Equal(12 * 4 * 128, Metric("standard", "tokens"));
        Assert.Equal(0, Metric("standard", "prefix_token_share"));
        Assert.InRange(Metric("f0.1", "prefix_token_share"), 1e-4, 0.5);
        foreach (var a in arms) Assert.True(double.IsFinite(Metric(a, "val_loss")) && Metric(a, "val_loss") > 0);
        Assert.NotEqual(Metric("standard", "val_loss"), Metric("standard-seed2", "val_loss"));   // the second seed really differs

        // The phase switch: f = 0.5 of 12 steps trains steps 6..11 without prefixes; f = 0 and standard never switch.
        var phase = Enumerable.Range(0, (int)run.Curves.Rows.Count)
            .Where(r => (string)run.Curves["metric"][r] == "phase")
            .Select(r => (Arm: (string)run.Curves["arm"][r], Step: (long)run.Curves["step"][r]!, Value: (double)run.Curves["value"][r]!)).ToList();
        Assert.Equal(Enumerable.Range(6, 6).Select(s => (long)s), phase.Where(p => p.Arm == "f0.5" && p.Value == 1).Select(p => p.Step));
        Assert.DoesNotContain(phase, p => p.Arm is "f0" or "standard" or "standard-seed2" && p.Value != 0);

        var matrix = run.Tables["conditional_loss"];
        Assert.Contains("as:man-pages", matrix["condition"].Cast<string>());
        Assert.True(File.Exists(Path.Combine(run.Directory, "tables", "conditional_loss.parquet")));
        Assert.True(File.Exists(Path.Combine(run.Directory, "tables", "domain_loss.parquet")));

        var again = ablation.Run("smoke", _results.FullName);
        Assert.Empty(again.Computed);
        Assert.Equal(results["val_loss"].Cast<double?>(), again.Results["val_loss"].Cast<double?>());
    }

    [Fact]
    public void AllMeCoAblationsAreRegisteredWithTheirPresets()
    {
        foreach (var name in new[] { "meco-cooldown", "meco-metadata", "meco-conditional" })
            Assert.Equal(["tiny", "gpu", "smoke"], AblationCatalog.Find(name).Presets);
        Assert.Equal(["full-url", "host", "hashed-host", "topic", "standard"], AblationCatalog.Find("meco-metadata").Arms);
        // Presets differ only in numbers: the resolved arms of tiny and gpu differ in sizes, not in what each arm is.
        var tiny = MeCoAblations.Metadata().Resolve("tiny");
        var gpu = MeCoAblations.Metadata().Resolve("gpu");
        Assert.Equal(tiny.Select(a => (a.Arm, a.Config.Metadata.Kind, a.Config.CooldownFraction)), gpu.Select(a => (a.Arm, a.Config.Metadata.Kind, a.Config.CooldownFraction)));
    }
}
