using System.Text.Json.Nodes;
using Microsoft.Data.Analysis;
using ResearchKit.Experiments;

namespace ResearchKit.Tests.Experiments;

public sealed class AblationRunnerTests : IDisposable
{
    sealed record Config(int Steps, double Scale, int Seed = 1);

    readonly DirectoryInfo _results = Directory.CreateTempSubdirectory("rk-ablation-");
    readonly List<Config> _executed = [];

    public void Dispose() => _results.Delete(recursive: true);

    /// <summary>A deterministic "training": loss after each step is Scale / step.</summary>
    ArmResult Work(Config c, IProgress<WorkProgress>? progress, CancellationToken ct)
    {
        _executed.Add(c);
        var curve = Enumerable.Range(1, c.Steps).Select(s => new CurvePoint("loss", s, c.Scale / s)).ToArray();
        var domains = new DataFrame(new StringDataFrameColumn("domain", ["a", "b"]), new DoubleDataFrameColumn("loss", [c.Scale, 2 * c.Scale]));
        return new ArmResult(new Dictionary<string, double> { ["final_loss"] = c.Scale / c.Steps, ["steps"] = c.Steps })
        { Curves = curve, Tables = new Dictionary<string, DataFrame> { ["domain_loss"] = domains } };
    }

    Ablation<Config> Make(double bScale = 2) => new(
        "toy", "scale ablation",
        new Dictionary<string, Config> { ["tiny"] = new(Steps: 3, Scale: 1), ["gpu"] = new(Steps: 300, Scale: 1) },
        [new("base", c => c), new("b", c => c with { Scale = bScale }), new("c", c => c with { Scale = 4, Steps = c.Steps + 1 })],
        Work);

    [Fact]
    public void WritesResultsCurvesTablesAndResolvedConfig()
    {
        var run = Make().Run("tiny", _results.FullName);
        Assert.Equal(["base", "b", "c"], run.Computed);
        Assert.Equal([new Config(3, 1), new Config(3, 2), new Config(4, 4)], _executed);

        var dir = Path.Combine(_results.FullName, "toy");
        Assert.Equal(dir, run.Directory);
        var results = DataFrameParquet.Read(Path.Combine(dir, "results.parquet"));
        Assert.Equal(["arm", "final_loss", "steps"], results.Columns.Select(c => c.Name));
        Assert.Equal(["base", "b", "c"], results["arm"].Cast<string>());
        Assert.Equal([1.0 / 3, 2.0 / 3, 1.0], results["final_loss"].Cast<double?>());

        var curves = DataFrameParquet.Read(Path.Combine(dir, "curves.parquet"));
        Assert.Equal(["arm", "step", "metric", "value"], curves.Columns.Select(c => c.Name));
        Assert.Equal(3 + 3 + 4, curves.Rows.Count);
        Assert.Equal(["c", 4L, "loss", 1.0], curves.Rows[9]);

        var table = DataFrameParquet.Read(Path.Combine(dir, "tables", "domain_loss.parquet"));
        Assert.Equal(["arm", "domain", "loss"], table.Columns.Select(c => c.Name));
        Assert.Equal(["base", "base", "b", "b", "c", "c"], table["arm"].Cast<string>());
        Assert.Equal([1.0, 2, 2, 4, 4, 8], table["loss"].Cast<double?>());

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        Assert.Equal("tiny", (string?)config["preset"]);
        var armC = config["arms"]![2]!;
        Assert.Equal("c", (string?)armC["arm"]);
        Assert.Equal(4, (int?)armC["config"]!["Steps"]);
        Assert.Equal(ConfigHash.Of(new Config(4, 4)), (string?)armC["configHash"]);
        Assert.True(Directory.Exists(Path.Combine(dir, (string)armC["folder"]!)));
    }

    [Fact]
    public void SecondRunComputesNothingAndAChangedArmIsRecomputedAlone()
    {
        var first = Make().Run("tiny", _results.FullName);
        _executed.Clear();

        var second = Make().Run("tiny", _results.FullName);
        Assert.Empty(second.Computed);
        Assert.Equal(["base", "b", "c"], second.Cached);
        Assert.Empty(_executed);
        Assert.Equal(first.Results["final_loss"].Cast<double?>(), second.Results["final_loss"].Cast<double?>());
        Assert.Equal(first.Curves.Rows.Count, second.Curves.Rows.Count);
        Assert.Equal(first.Tables["domain_loss"]["loss"].Cast<double?>(), second.Tables["domain_loss"]["loss"].Cast<double?>());

        var third = Make(bScale: 3).Run("tiny", _results.FullName);
        Assert.Equal(["b"], third.Computed);
        Assert.Equal([new Config(3, 3)], _executed);
        Assert.Equal(1.0, third.Results["final_loss"][1]);

        _executed.Clear();
        Assert.Equal(3, Make(bScale: 3).Run("tiny", _results.FullName, rerun: true).Computed.Count);
        Assert.Equal(3, Make(bScale: 3).Run("gpu", _results.FullName).Computed.Count); // other preset, other configs
    }

    [Fact]
    public void AnArmFinishedByAnotherAblationIsCopiedNotRecomputed()
    {
        Make().Run("tiny", _results.FullName);
        _executed.Clear();
        var other = Make() with { Name = "toy2", Arms = [new("baseline", c => c), new("new", c => c with { Scale = 7 })] };
        var run = other.Run("tiny", _results.FullName);
        Assert.Equal(["baseline"], run.Cached);          // same config as toy's "base": copied from toy/arms
        Assert.Equal(["new"], run.Computed);
        Assert.Equal([new Config(3, 7)], _executed);
        Assert.Equal(1.0 / 3, (double?)run.Results["final_loss"][0]);
        Assert.Single(Directory.GetDirectories(Path.Combine(_results.FullName, "toy2", "arms"), "baseline-*"));

        _executed.Clear();
        other.Run("tiny", _results.FullName, rerun: true);
        Assert.Equal(2, _executed.Count);                 // --rerun recomputes shared arms too
    }

    [Fact]
    public void FailedArmLeavesFinishedArmsCachedAndNothingHalfWritten()
    {
        var failing = Make() with { Work = (c, p, ct) => c.Scale == 2 ? throw new InvalidOperationException("boom") : Work(c, p, ct) };
        Assert.Throws<InvalidOperationException>(() => failing.Run("tiny", _results.FullName));
        var dir = Path.Combine(_results.FullName, "toy");
        Assert.False(File.Exists(Path.Combine(dir, "results.parquet")));
        var armFolders = Directory.GetDirectories(Path.Combine(dir, "arms")).Select(Path.GetFileName).ToArray();
        Assert.Single(armFolders);
        Assert.StartsWith("base-", armFolders[0]);
        Assert.Empty(Directory.GetFiles(dir, "*tmp*", SearchOption.AllDirectories));

        _executed.Clear();
        var resumed = Make().Run("tiny", _results.FullName);
        Assert.Equal(["base"], resumed.Cached);
        Assert.Equal(["b", "c"], resumed.Computed);
    }

    [Fact]
    public void RejectsUnknownPresetAndDuplicateArms()
    {
        Assert.Throws<ArgumentException>(() => Make().Run("huge", _results.FullName));
        var dup = Make() with { Arms = [new("x", c => c), new("x", c => c with { Steps = 9 })] };
        Assert.Throws<ArgumentException>(() => dup.Run("tiny", _results.FullName));
        Assert.Empty(_executed);
    }
}
