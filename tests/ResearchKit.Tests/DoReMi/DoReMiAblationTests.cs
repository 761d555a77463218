using ResearchKit.DoReMi;
using ResearchKit.Experiments;
using ResearchKit.Recipes;
using ResearchKit.Reports;

namespace ResearchKit.Tests.DoReMi;

/// <summary>DoReMi's four ablations end to end on the shipped corpus with the seconds-long smoke preset, in one results
/// folder so they share stages as they do for a user.</summary>
public sealed class DoReMiAblationTests : IDisposable
{
    readonly DirectoryInfo _results = Directory.CreateTempSubdirectory("rk-doremi-ablations-");
    public void Dispose() => _results.Delete(recursive: true);

    static string Corpus => Path.Combine(TestCorpus.RepoRoot, RecipeCatalog.DefaultCorpus);

    static Dictionary<string, double[]> Weights(AblationResults run)
    {
        var t = run.Tables["domain_weights"];
        return Enumerable.Range(0, (int)t.Rows.Count).GroupBy(r => (string)t["arm"][r]).ToDictionary(g => g.Key, g => g.Select(r => (double)t["weight"][r]!).ToArray());
    }

    static double Metric(AblationResults run, string arm, string metric)
    {
        var arms = run.Results["arm"].Cast<string>().ToList();
        return (double)run.Results[metric][arms.IndexOf(arm)]!;
    }

    static IReadOnlyList<string> CurveMetrics(AblationResults run, string arm) =>
        Enumerable.Range(0, (int)run.Curves.Rows.Count).Where(r => (string)run.Curves["arm"][r] == arm).Select(r => (string)run.Curves["metric"][r]).Distinct().ToList();

    [Fact]
    public void TheFourAblationsRunAtSmokeAndShareTheirStages()
    {
        var baselines = DoReMiRecipes.Baselines(Corpus).Run("smoke", _results.FullName);
        Assert.Equal(["uniform", "natural", "doremi"], baselines.Results["arm"].Cast<string>());
        Assert.All(baselines.Results["seeds"].Cast<int?>(), n => Assert.Equal(2, n));
        var w = Weights(baselines);
        int k = w["uniform"].Length;
        Assert.Equal(14, k);
        Assert.All(w["uniform"], x => Assert.Equal(1.0 / k, x, 12));
        foreach (var arm in w.Keys) Assert.Equal(1.0, w[arm].Sum(), 9);
        Assert.Contains(w["doremi"], x => Math.Abs(x - 1.0 / k) > 1e-4);                 // the proxy moved the weights
        Assert.NotEqual(w["uniform"], w["natural"]);
        foreach (var arm in w.Keys) Assert.InRange(Metric(baselines, arm, "val_bpb_domain_mean"), 1, 9);   // bits per byte of a barely trained byte model
        Assert.Equal(Metric(baselines, "uniform", "tokens"), Metric(baselines, "doremi", "tokens"));       // equal tokens
        Assert.Equal(1, Metric(baselines, "uniform", "reached_baseline"));
        Assert.InRange(Metric(baselines, "uniform", "steps_to_baseline"), 1, 8);
        Assert.Contains("alpha_mail-spam", CurveMetrics(baselines, "doremi"));
        Assert.Contains("lambda_mail-spam", CurveMetrics(baselines, "doremi"));
        Assert.DoesNotContain("alpha_entropy", CurveMetrics(baselines, "uniform"));
        Assert.Contains("val_bpb_domain_mean", CurveMetrics(baselines, "natural"));
        // Smoke proxies draw 4 windows per step over 14 domains: most domains miss most steps, and the readout says so.
        Assert.InRange(Metric(baselines, "doremi", "proxy_missing_expected"), 0.74, 0.75);   // (13/14)^4 = 0.7436
        var summary = DoReMiReadouts.Summary(baselines);
        Assert.Contains("WARNING doremi: each proxy step draws 4 windows", summary);
        Assert.Contains("41 windows per step", summary);

        var proxySize = DoReMiRecipes.ProxySize(Corpus).Run("smoke", _results.FullName);
        double Proxy(string arm) => Metric(proxySize, arm, "proxy_parameters");
        Assert.True(Proxy("proxy-x0.5") < Proxy("proxy-x1") && Proxy("proxy-x1") < Proxy("proxy-x2"));
        Assert.Single(proxySize.Results["parameters"].Cast<double?>().Distinct());      // the same main model for every size
        Assert.Equal(baselines.SeedValues("doremi", "val_bpb"), proxySize.SeedValues("proxy-x1", "val_bpb"));
        Assert.Equal(baselines.SeedValues("uniform", "val_bpb"), proxySize.SeedValues("uniform", "val_bpb"));

        var objective = DoReMiRecipes.Objective(Corpus).Run("smoke", _results.FullName);
        Assert.Equal(baselines.SeedValues("doremi", "val_bpb"), objective.SeedValues("excess", "val_bpb"));
        var ow = Weights(objective);
        Assert.NotEqual(ow["excess"], ow["hardest"]);
        Assert.NotEqual(ow["excess"], ow["easiest"]);
        Assert.DoesNotContain(objective.Computed, s => s.StartsWith("corpus-") || s.StartsWith("tokenize-"));

        var iterated = DoReMiRecipes.Iterated(Corpus).Run("smoke", _results.FullName);
        Assert.Equal(3, Metric(iterated, "iterated", "rounds"));
        Assert.InRange(Metric(iterated, "iterated", "selected_round"), 2, 3);
        var rounds = iterated.Tables["round_weights"];
        Assert.Equal([1, 2, 3], rounds["round"].Cast<int?>().Distinct().Select(r => r!.Value).Order());
        var roundOne = Enumerable.Range(0, (int)rounds.Rows.Count).Where(r => (int)rounds["round"][r]! == 1).Select(r => (double)rounds["weight"][r]!).ToArray();
        Assert.Equal(Weights(iterated)["doremi"], roundOne, (a, b) => Math.Abs(a - b) < 1e-12);   // round 1 is plain DoReMi
        Assert.True(Metric(iterated, "iterated", "l1_round2") > 0);
        Assert.Contains("Iterated DoReMi:", DoReMiReadouts.Summary(iterated));

        var again = DoReMiRecipes.Baselines(Corpus).Run("smoke", _results.FullName);
        Assert.Empty(again.Computed);

        // rk report: the DoReMi section with its readouts and charts.
        var html = AblationReport.Build(iterated.Directory);
        Assert.Contains("<h2>DoReMi</h2>", html);
        Assert.Contains("Against seed noise", html);
        Assert.Contains("iterated: domain weights per round", html);
        Assert.Contains("entropy of α over proxy steps", html);
    }

    [Fact]
    public void AblationsAreRegisteredWithTheirPresetsAndEnoughSeeds()
    {
        foreach (var name in new[] { "doremi-baselines", "doremi-proxy-size", "doremi-objective", "doremi-iterated" })
        {
            var ablation = RecipeCatalog.Find(name);
            Assert.Equal(["tiny", "gpu", "smoke"], ablation.Presets);
            Assert.True(ablation.SeedsFor("tiny") >= 3);
            Assert.Equal(2, ablation.SeedsFor("smoke"));
            Assert.Equal("uniform", ablation.Arms[0]);
        }
        // Presets differ only in numbers: what each arm is stays the same.
        var tiny = DoReMiRecipes.Objective().Resolve("tiny");
        var gpu = DoReMiRecipes.Objective().Resolve("gpu");
        Assert.Equal(tiny.Select(a => (a.Arm, a.Config.Weights, a.Config.Objective.Variant)), gpu.Select(a => (a.Arm, a.Config.Weights, a.Config.Objective.Variant)));
        Assert.Equal("cl100k_base", gpu[0].Config.Tokenizer);
        Assert.Equal(768, gpu[0].Config.Main.Model.DModel);
        Assert.All(tiny, a => Assert.False(a.Config.MainTrain.Data.TrainEndOfText));   // EOS out of every DoReMi loss by default
        Assert.Equal(ResearchKit.Training.ScheduleKind.LinearWarmupExponential, tiny[0].Config.Main.Schedule.Kind);
        // proxy-x2 at tiny is the main model's width and depth.
        var sizes = DoReMiRecipes.ProxySize().Resolve("tiny").ToDictionary(a => a.Arm, a => a.Config.Proxy.Model);
        Assert.Equal((128, 4), (sizes["proxy-x2"].DModel, sizes["proxy-x2"].Layers));
        Assert.Equal((32, 1), (sizes["proxy-x0.5"].DModel, sizes["proxy-x0.5"].Layers));
    }
}
