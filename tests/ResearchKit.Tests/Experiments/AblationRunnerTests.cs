using System.Text.Json.Nodes;
using ResearchKit.Experiments;
using ResearchKit.Tests.Corpus;
using ResearchKit.Tests.Pipeline;

namespace ResearchKit.Tests.Experiments;

public sealed class AblationRunnerTests : IDisposable
{
    readonly TempDir _dir = new();
    readonly List<string> _executions = [];
    public void Dispose() => _dir.Dispose();

    string Results => _dir["results"];

    Ablation<ToyConfig> Make(string corpus, double bScale = 2, string name = "toy") => new(
        name, "scale ablation",
        new Dictionary<string, ToyConfig> { ["tiny"] = new(corpus, Scale: 1), ["other"] = new(corpus, Scale: 5) },
        [new("base", c => c), new("b", c => c with { Scale = bScale }), new("same-as-base", c => c)],
        c => new ArmPlan(new ToyTrainStage(new CorpusStage(new DataSpec { Corpus = c.Corpus, ValidationFraction = 0.25 }, CorpusPart.Train), c.Scale, c.Seed, executions: _executions)))
    { Seeds = 3 };

    [Fact]
    public void RunsEverySeedOfEveryArmAndSummarisesThemWithIntervals()
    {
        var corpus = ToyCorpus.WriteMany(_dir["c.parquet"]);
        var run = Make(corpus).Run("tiny", Results);
        // Arms "base" and "same-as-base" resolve to the same stages: 2 configs × 3 seeds train, plus the shared split.
        Assert.Equal(6, _executions.Count);
        Assert.Equal(7, run.Computed.Count);

        Assert.Equal(["arm", "seeds", "loss", "loss_std", "loss_ci95", "chars", "chars_std", "chars_ci95"], run.Results.Columns.Select(c => c.Name));
        Assert.Equal(["base", "b", "same-as-base"], run.Results["arm"].Cast<string>());
        Assert.Equal([3, 3, 3], run.Results["seeds"].Cast<int?>().Select(v => v!.Value));
        Assert.Equal([10, 11, 12], run.Runs["seed"].Cast<int?>().Take(3).Select(v => v!.Value));

        var seeds = run.SeedValues("b", "loss");
        var expected = SeedStatistics.Of(seeds);
        Assert.Equal(expected.Mean, (double)run.Results["loss"][1]!, 12);
        Assert.Equal(expected.Ci95!.Value, (double)run.Results["loss_ci95"][1]!, 12);
        Assert.All(seeds, v => Assert.InRange(v, 2, 2.1));   // scale 2 plus seeded noise in [0, 0.1)

        // Identical arms give identical numbers; their difference (0) is inside the interval.
        Assert.Equal(run.SeedValues("base", "loss"), run.SeedValues("same-as-base", "loss"));
        var (diff, ci) = SeedStatistics.Difference(run.SeedValues("base", "loss"), run.SeedValues("same-as-base", "loss"));
        Assert.True(Math.Abs(diff) <= ci!.Value);

        // Curves and tables are averaged over seeds, with per-seed copies under runs/.
        var step2 = Enumerable.Range(0, (int)run.Curves.Rows.Count).Single(r => (string)run.Curves["arm"][r] == "b" && (long)run.Curves["step"][r]! == 2);
        Assert.Equal(expected.Mean, (double)run.Curves["value"][step2]!, 12);
        var domains = run.Tables["domain_loss"];
        Assert.Equal(["arm", "domain", "loss", "loss_std", "loss_ci95"], domains.Columns.Select(c => c.Name));
        Assert.Equal(6, domains.Rows.Count);
        Assert.Equal(2 * expected.Mean, (double)domains["loss"][3]!, 12);
        Assert.True(File.Exists(Path.Combine(run.Directory, "runs", "tables", "domain_loss.parquet")));
        Assert.Equal(9, DataFrameParquet.Read(Path.Combine(run.Directory, "runs", "results.parquet")).Rows.Count);

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(run.Directory, "config.json")))!;
        Assert.Equal(3, (int?)config["seeds"]);
        var armB = config["arms"]![1]!;
        Assert.Equal(2.0, (double?)armB["config"]!["Scale"]);
        var stageFolder = Path.Combine(run.Directory, (string)armB["runs"]![2]!["stages"]![0]!);
        Assert.True(File.Exists(Path.Combine(stageFolder, "artifact.json")));
    }

    [Fact]
    public void SecondRunComputesNothingAndAChangedArmRecomputesItsOwnStagesOnly()
    {
        var corpus = ToyCorpus.WriteMany(_dir["c.parquet"]);
        var first = Make(corpus).Run("tiny", Results);
        _executions.Clear();
        var second = Make(corpus).Run("tiny", Results);
        Assert.Empty(second.Computed);
        Assert.Empty(_executions);
        Assert.Equal(first.Results["loss"].Cast<double?>(), second.Results["loss"].Cast<double?>());

        var third = Make(corpus, bScale: 3).Run("tiny", Results);
        Assert.Equal(["3/10", "3/11", "3/12"], _executions);
        Assert.Equal(3, third.Computed.Count);

        // Another ablation in the same results folder reuses the stages it shares.
        _executions.Clear();
        var other = Make(corpus, name: "toy2").Run("tiny", Results);
        Assert.Empty(_executions);
        Assert.Equal(first.Results["loss"].Cast<double?>(), other.Results["loss"].Cast<double?>());

        _executions.Clear();
        Make(corpus).Run("tiny", Results, new AblationOptions(Seeds: 1, Rerun: true));
        Assert.Equal(["1/10", "2/10"], _executions);        // --rerun recomputes each stage once, shared ones included
    }

    [Fact]
    public void DryRunPlanMatchesWhatARunComputes()
    {
        var corpus = ToyCorpus.WriteMany(_dir["c.parquet"]);
        var ablation = Make(corpus);
        var plan = ablation.PlanStages("tiny", Results);
        Assert.Equal(7, plan.Count);
        Assert.All(plan, p => Assert.Equal(ResearchKit.Pipeline.StageStatus.ToCompute, p.Status));
        Assert.Equal(9, plan[0].UsedBy.Count);             // the corpus split serves every arm × seed
        Assert.Empty(_executions);                          // planning runs nothing
        var run = ablation.Run("tiny", Results);
        Assert.Equal(plan.Select(p => p.Stage.ToString()).Order(), run.Computed.Order());
        Assert.All(ablation.PlanStages("tiny", Results), p => Assert.Equal(ResearchKit.Pipeline.StageStatus.Cached, p.Status));
    }

    [Fact]
    public void AFailedStageLeavesFinishedStagesCachedAndNoResultsFolder()
    {
        var corpus = ToyCorpus.WriteMany(_dir["c.parquet"]);
        var failing = Make(corpus) with
        {
            Plan = c => new ArmPlan(new ToyTrainStage(new CorpusStage(new DataSpec { Corpus = c.Corpus, ValidationFraction = 0.25 }, CorpusPart.Train), c.Scale, c.Seed,
                executions: _executions, during: c.Scale == 2 ? () => throw new InvalidOperationException("boom") : null)),
        };
        Assert.Throws<InvalidOperationException>(() => failing.Run("tiny", Results));
        Assert.False(Directory.Exists(Path.Combine(Results, "toy")));
        Assert.Empty(Directory.GetDirectories(Results, ".tmp-*"));
        _executions.Clear();
        var resumed = Make(corpus).Run("tiny", Results);
        Assert.Equal(["2/10", "2/11", "2/12"], _executions);   // base's seeds were finished before the failure
        Assert.Equal(3, resumed.Computed.Count);
    }

    [Fact]
    public void RejectsUnknownPresetDuplicateArmsAndZeroSeeds()
    {
        var corpus = ToyCorpus.WriteMany(_dir["c.parquet"]);
        Assert.Throws<ArgumentException>(() => Make(corpus).Run("huge", Results));
        var dup = Make(corpus) with { Arms = [new("x", c => c), new("x", c => c with { Scale = 9 })] };
        Assert.Throws<ArgumentException>(() => dup.Run("tiny", Results));
        Assert.Throws<ArgumentOutOfRangeException>(() => Make(corpus).Run("tiny", Results, new AblationOptions(Seeds: 0)));
        Assert.Empty(_executions);
    }
}
