using ResearchKit.Experiments;
using ResearchKit.MeCo;
using ResearchKit.Recipes;

namespace ResearchKit.Tests.MeCo;

/// <summary>The MeCo ablations end to end on the shipped data-samples corpus, with the seconds-long smoke preset.</summary>
public sealed class MeCoAblationTests : IDisposable
{
    readonly DirectoryInfo _results = Directory.CreateTempSubdirectory("rk-meco-");
    static string Corpus => Path.Combine(TestCorpus.RepoRoot, RecipeCatalog.DefaultCorpus);

    public void Dispose() => _results.Delete(recursive: true);

    [Fact]
    public void CooldownAblationRunsThroughStagesWithSeedsAndIsCached()
    {
        var ablation = MeCoRecipes.Cooldown(Corpus);
        var run = ablation.Run("smoke", _results.FullName);
        var results = run.Results;
        var arms = results["arm"].Cast<string>().ToArray();
        Assert.Equal(["standard", "f0", "f0.1", "f0.2", "f0.5"], arms);
        Assert.All(results["seeds"].Cast<int?>(), n => Assert.Equal(2, n));
        double Metric(string arm, string name) => (double)results[name][Array.IndexOf(arms, arm)]!;

        // Every arm reads the same split and validation tokens: 2 corpus sides (the smoke preset's evaluation and probe
        // samples coincide), 2 tokenizations of the training side (with / without prefixes) + 1 of the validation
        // side, then per arm × seed a training, an evaluation and a conditional matrix.
        Assert.Equal(2 + 3 + 5 * 2 * 3, run.Computed.Count);
        Assert.Equal(12 * 4 * 128, Metric("standard", "tokens"));
        Assert.Equal(0, Metric("standard", "prefixed_share"));
        Assert.InRange(Metric("f0", "prefixed_share"), 0.001, 0.5);
        Assert.True(Metric("f0", "prefixed_share") >= Metric("f0.5", "prefixed_share"));
        foreach (var a in arms) Assert.True(double.IsFinite(Metric(a, "val_bpb")) && Metric(a, "val_bpb") > 0);
        var standard = run.SeedValues("standard", "val_bpb");
        Assert.Equal(2, standard.Count);
        Assert.NotEqual(standard[0], standard[1]);                       // the second seed really differs
        Assert.True(double.IsFinite(Metric("standard", "val_bpb_ci95")));

        // The phase switch: f = 0.5 of 12 steps trains steps 6..11 without prefixes; f = 0 and standard never switch.
        var phase = Enumerable.Range(0, (int)run.Curves.Rows.Count)
            .Where(r => (string)run.Curves["metric"][r] == "phase")
            .Select(r => (Arm: (string)run.Curves["arm"][r], Step: (long)run.Curves["step"][r]!, Value: (double)run.Curves["value"][r]!)).ToList();
        Assert.Equal(Enumerable.Range(6, 6).Select(s => (long)s), phase.Where(p => p.Arm == "f0.5" && p.Value == 1).Select(p => p.Step));
        Assert.DoesNotContain(phase, p => p.Arm is "f0" or "standard" && p.Value != 0);

        var matrix = run.Tables["conditional_loss"];
        Assert.Contains("as:man-pages", matrix["condition"].Cast<string>());
        Assert.True(File.Exists(Path.Combine(run.Directory, "tables", "conditional_loss.parquet")));
        Assert.True(File.Exists(Path.Combine(run.Directory, "tables", "domain_loss.parquet")));
        Assert.True(File.Exists(Path.Combine(run.Directory, "tables", "position_loss.parquet")));

        var again = ablation.Run("smoke", _results.FullName);
        Assert.Empty(again.Computed);
        Assert.Equal(results["val_bpb"].Cast<double?>(), again.Results["val_bpb"].Cast<double?>());

        // Another MeCo ablation in the same folder shares the standard and host-f0.1 stages.
        var metadata = MeCoRecipes.Metadata(Corpus).Run("smoke", _results.FullName);
        Assert.Equal(run.SeedValues("standard", "val_bpb"), metadata.SeedValues("standard", "val_bpb"));
        Assert.Equal(run.SeedValues("f0.1", "val_bpb"), metadata.SeedValues("host", "val_bpb"));
        Assert.DoesNotContain(metadata.Computed, s => s.StartsWith("corpus-"));
    }

    [Fact]
    public void AllMeCoAblationsAreRegisteredWithTheirPresets()
    {
        foreach (var name in new[] { "meco-cooldown", "meco-metadata", "meco-conditional" })
            Assert.Equal(["tiny", "gpu", "smoke"], RecipeCatalog.Find(name).Presets);
        Assert.Equal(["full-url", "host", "hashed-host", "topic", "standard"], RecipeCatalog.Find("meco-metadata").Arms);
        // Presets differ only in numbers: the resolved arms of tiny and gpu differ in sizes, not in what each arm is.
        var tiny = MeCoRecipes.Metadata().Resolve("tiny");
        var gpu = MeCoRecipes.Metadata().Resolve("gpu");
        Assert.Equal(tiny.Select(a => (a.Arm, a.Config.Metadata.Kind, a.Config.CooldownFraction)), gpu.Select(a => (a.Arm, a.Config.Metadata.Kind, a.Config.CooldownFraction)));
        Assert.True(MeCoRecipes.Cooldown().SeedsFor("tiny") >= 3);
    }
}
