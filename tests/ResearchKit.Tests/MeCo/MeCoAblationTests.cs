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

        // Every arm reads the same split and validation tokens: 2 corpus sides, 2 tokenizations of the training side
        // (with / without prefixes) + 1 of the validation side, then per arm × seed a training and an evaluation.
        Assert.Equal(2 + 3 + 5 * 2 * 2, run.Computed.Count);
        Assert.Equal(12 * 4 * 128, Metric("standard", "tokens"));
        // Every trained token of a conditioned document sees its metadata (the prefix repeats in continuation windows):
        // the share is 1 with metadata throughout, less the longer the cooldown (in tokens, not steps: a cooldown
        // window trains more tokens than a prefixed one), 0 for standard.
        Assert.Equal(0, Metric("standard", "prefixed_share"));
        Assert.Equal(1.0, Metric("f0", "prefixed_share"), 12);
        Assert.InRange(Metric("f0.1", "prefixed_share"), 0.75, 0.95);
        Assert.InRange(Metric("f0.5", "prefixed_share"), 0.2, Metric("f0.2", "prefixed_share") - 0.05);
        // The masked prefixes take window space: fewer trained tokens than standard, for the same window tokens.
        Assert.True(Metric("f0", "trained_tokens") < Metric("standard", "trained_tokens"));
        Assert.Equal(Metric("standard", "tokens"), Metric("f0", "tokens"));
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

        Assert.True(File.Exists(Path.Combine(run.Directory, "tables", "domain_loss.parquet")));
        Assert.True(File.Exists(Path.Combine(run.Directory, "tables", "position_loss.parquet")));

        var again = ablation.Run("smoke", _results.FullName);
        Assert.Empty(again.Computed);
        Assert.Equal(results["val_bpb"].Cast<double?>(), again.Results["val_bpb"].Cast<double?>());

        // The conditional ablation in the same folder reuses the standard and host-f0.1 models and only adds the matrix.
        var conditional = MeCoRecipes.Conditional(Corpus).Run("smoke", _results.FullName);
        Assert.Equal(run.SeedValues("standard", "val_bpb"), conditional.SeedValues("standard", "val_bpb"));
        Assert.Equal(run.SeedValues("f0.1", "val_bpb"), conditional.SeedValues("meco", "val_bpb"));
        Assert.All(conditional.Computed, s => Assert.StartsWith("meco-conditional-", s));
        var matrix = conditional.Tables["conditional_loss"];
        Assert.Contains("as:man-pages", matrix["condition"].Cast<string>());
        Assert.Contains("cond_own_gain", conditional.Results.Columns.Select(c => c.Name));
        Assert.Contains("meco vs standard: gain from own metadata", MeCoSummary.Conditional(conditional));
    }

    [Fact]
    public void AllMeCoAblationsAreRegisteredWithTheirPresets()
    {
        foreach (var name in new[] { "meco-cooldown", "meco-metadata", "meco-conditional" })
            Assert.Equal(["tiny", "gpu", "smoke"], RecipeCatalog.Find(name).Presets);
        Assert.Equal(["full-url", "host", "hashed-host", "short-url", "topic", "standard"], RecipeCatalog.Find("meco-metadata").Arms);
        // Presets differ only in numbers: the resolved arms of tiny and gpu differ in sizes, not in what each arm is.
        var tiny = MeCoRecipes.Metadata().Resolve("tiny");
        var gpu = MeCoRecipes.Metadata().Resolve("gpu");
        Assert.Equal(tiny.Select(a => (a.Arm, a.Config.Metadata.Kind, a.Config.CooldownFraction)), gpu.Select(a => (a.Arm, a.Config.Metadata.Kind, a.Config.CooldownFraction)));
        Assert.True(MeCoRecipes.Cooldown().SeedsFor("tiny") >= 3);
    }
}
