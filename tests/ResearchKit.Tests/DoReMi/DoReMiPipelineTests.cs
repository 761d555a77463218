using System.Text.Json;
using ResearchKit.DoReMi;
using ResearchKit.Evaluation;
using ResearchKit.Experiments;
using ResearchKit.Packing;
using ResearchKit.Pipeline;
using ResearchKit.Recipes;
using ResearchKit.Training;
using TorchSharp;

namespace ResearchKit.Tests.DoReMi;

/// <summary>The DoReMi stages on the shipped corpus at the smoke preset: a proxy equal to its reference, resume of a
/// Group-DRO run, the validation-curve stage against one uninterrupted run, and one reference per seed for the
/// objective arms.</summary>
public sealed class DoReMiPipelineTests : IDisposable
{
    readonly DirectoryInfo _results = Directory.CreateTempSubdirectory("rk-doremi-");
    public void Dispose() => _results.Delete(recursive: true);

    static string Corpus => Path.Combine(TestCorpus.RepoRoot, RecipeCatalog.DefaultCorpus);
    static DoReMiConfig Smoke => DoReMiRecipes.Presets(Corpus)["smoke"];

    [Fact]
    public void AProxyWhoseReferenceIsItselfKeepsAlphaAtAlpha0()
    {
        // Learning rate 0 and one seed: the reference run leaves the initial weights, and the proxy starts from the same
        // ones and never moves, so on every token ℓ_proxy = ℓ_ref exactly: excess 0 -> λ = 0 -> α' = softmax(ln α) = α.
        // The update then only smooths, and uniform α0 is the smoothing's fixed point (DomainWeightUpdateTests): every
        // step's α stays uniform to the last bits and the published weights are uniform.
        var proxy = Smoke.Proxy with { Optimizer = Smoke.Proxy.Optimizer with { Lr = 0 }, Schedule = new LrSchedule(ScheduleKind.Constant) };
        var config = Smoke with { Proxy = proxy, ReferenceWeights = DomainWeighting.Uniform };
        var stages = config.Build();
        using var runner = new StageRunner(ArtifactStore.For(_results.FullName));
        var run = runner.Run(stages.Proxies[0]);
        var domains = runner.Run(stages.TrainTokens).Dataset.Domains;
        Assert.Equal(config.Proxy.Steps, run.Metrics.Count);
        foreach (var step in run.Metrics)
        {
            var extras = step.Extras!;
            Assert.All(domains, d => Assert.Equal(0.0, extras["score_" + d]));
            Assert.All(domains, d => Assert.Equal(extras["w_" + domains[0]], extras["w_" + d]));
            Assert.Equal(1.0 / domains.Count, extras["w_" + domains[0]], 15);
        }
        var published = runner.Run(stages.RoundWeights[0]).Read(domains);
        Assert.All(published, w => Assert.Equal(1.0 / domains.Count, w, 15));
    }

    [Fact]
    public void ResumingAGroupDroRunRestoresItsLossWeights()
    {
        var config = Smoke;
        var stages = config.Build();
        using var runner = new StageRunner(ArtifactStore.For(_results.FullName));
        var data = runner.Run(stages.TrainTokens).Dataset;
        var reference = runner.Run(stages.References[0]!);
        int k = data.Domains.Count;
        var proxy = config.ProxyTrain with
        {
            Steps = 8,
            Data = config.ProxyTrain.Data with { DomainWeights = Enumerable.Repeat(1.0 / k, k).ToArray() },
            Objective = config.ProxyTrain.Objective.WithReference(reference.CheckpointPath),
        };
        var whole = Path.Combine(_results.FullName, "whole");
        var sliced = Path.Combine(_results.FullName, "sliced");
        Directory.CreateDirectory(whole);
        Directory.CreateDirectory(sliced);
        var full = Trainer.Run(proxy with { OutputDirectory = whole }, data);
        var first = Trainer.Run(proxy with { OutputDirectory = sliced, StopAfterStep = 4 }, data);
        Assert.False(first.Finished);
        // By the stop, α has moved away from α0, so a resume that lost the objective's state would weight the loss differently.
        Assert.Contains(data.Domains, d => Math.Abs(first.Metrics[^1].Extras!["w_" + d] - 1.0 / k) > 1e-4);
        var rest = Trainer.Run(proxy with { OutputDirectory = sliced }, data);
        Assert.True(rest.Finished);
        Assert.Equal(full.Metrics.Select(m => m.Loss), rest.Metrics.Select(m => m.Loss));
        foreach (var (a, b) in full.Metrics.Zip(rest.Metrics)) Assert.Equal(a.Extras!.OrderBy(e => e.Key), b.Extras!.OrderBy(e => e.Key));
        Assert.Equal(File.ReadAllText(Path.Combine(whole, DomainWeights.FileName)), File.ReadAllText(Path.Combine(sliced, DomainWeights.FileName)));
        full.Model.Dispose(); first.Model.Dispose(); rest.Model.Dispose();
    }

    [Fact]
    public void TheValidationCurveStageTrainsExactlyLikeTheTrainStage()
    {
        var config = Smoke with { Weights = DomainWeighting.Natural };
        var stages = config.Build();
        using var runner = new StageRunner(ArtifactStore.For(_results.FullName));
        var sliced = runner.Run(stages.Main);
        var curveTokens = (TokenizeStage)stages.Main.Inputs["validation"];
        var whole = runner.Run(new TrainStage(stages.TrainTokens, config.MainTrain, weights: stages.NaturalWeights));
        Assert.Equal(whole.Metrics.Select(m => m.Loss), sliced.Metrics.Select(m => m.Loss));
        using var a = whole.LoadModel("cpu");
        using var b = sliced.LoadModel("cpu");
        foreach (var ((n, p), (_, q)) in a.named_parameters().Zip(b.named_parameters())) Assert.True(p.eq(q).all().item<bool>(), $"{n}: max diff {(p - q).abs().max().item<float>()}");

        var curve = ValidationCurveTrainStage.Read(sliced);
        Assert.Equal(ValidationCurveTrainStage.CurveSteps(config.Main.Steps, config.Curve.Points).Select(s => (long)s), curve["step"].Cast<long?>().Select(s => s!.Value));
        Assert.Equal([4L, 8L], ValidationCurveTrainStage.CurveSteps(8, 2).Select(s => (long)s));
        // The last point is the final model scored on the curve's held-out set.
        var held = runner.Run(curveTokens);
        var final = Evaluator.Evaluate(b, held.Dataset, new EvalOptions(config.Main.Data.Packing.DocumentMask, false, config.Curve.BatchSize, null, held.CreateTokenizer().TokenByteLengths()));
        Assert.Equal(final.DomainMeanBitsPerByte, (double)curve["val_bpb_domain_mean"][curve.Rows.Count - 1]!);
        Assert.Equal(whole.TokenizerDescription, sliced.TokenizerDescription);
    }

    [Fact]
    public void TheObjectiveArmsShareOneReferencePerSeed()
    {
        var ablation = DoReMiRecipes.Objective(Corpus);
        var arms = ablation.Resolve("smoke").ToDictionary(a => a.Arm, a => a.Config.Build());
        var reference = arms["excess"].References[0]!;
        Assert.Equal(reference.Key, arms["easiest"].References[0]!.Key);
        Assert.Null(arms["hardest"].References[0]);                 // hardest: λ = proxy loss, no reference at all
        Assert.Empty(arms["uniform"].References);

        var plan = ablation.PlanStages("smoke", _results.FullName, new AblationOptions(Seeds: 1));
        var planned = Assert.Single(plan, p => p.Stage.Key == reference.Key);
        Assert.Equal(["easiest/seed1112", "excess/seed1112"], planned.UsedBy);

        var run = ablation.Run("smoke", _results.FullName, new AblationOptions(Seeds: 1));
        Assert.Single(run.Computed, s => s == reference.ToString());  // computed once...
        Assert.Contains(reference.ToString(), run.Cached);             // ...and found cached by the second arm that needs it
        Assert.Equal(4, run.Results.Rows.Count);
    }
}
