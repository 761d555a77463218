using Microsoft.Data.Analysis;
using ResearchKit.Experiments;
using ResearchKit.Reports;

namespace ResearchKit.Tests.Notebooks;

public sealed class AblationReportTests : IDisposable
{
    sealed record Config(double Scale, int Seed = 1) : ISeeded<Config>
    {
        public Config WithSeed(int seed) => this with { Seed = seed };
    }

    /// <summary>Stores the toy result of a config as a stage artifact.</summary>
    sealed class ResultStage(Config c) : ResearchKit.Pipeline.Stage<ArmResultArtifact>
    {
        public override string Name => "toy-result";
        public override object KeyConfig => c;
        public override void Run(ResearchKit.Pipeline.StageContext context) => ArmResultArtifact.Write(context.Directory, Work(c));
        public override ArmResultArtifact Load(string directory) => new(directory);
    }

    readonly DirectoryInfo _results = Directory.CreateTempSubdirectory("rk-report-");
    public void Dispose() => _results.Delete(recursive: true);

    static ArmResult Work(Config c) => new(new Dictionary<string, double> { ["val_loss"] = c.Scale })
    {
        Curves = [new("train_loss", 0, 5 * c.Scale), new("train_loss", 1, 4 * c.Scale)],
        Tables = new Dictionary<string, DataFrame>
        {
            ["domain_loss"] = new(new StringDataFrameColumn("domain", ["news", "all"]), new DoubleDataFrameColumn("loss", [c.Scale, c.Scale])),
            ["conditional_loss"] = new(new StringDataFrameColumn("domain", ["news", "news"]), new StringDataFrameColumn("condition", ["none", "own"]),
                                       new DoubleDataFrameColumn("loss", [c.Scale, c.Scale - 0.1])),
        },
    };

    [Fact]
    public void ReportShowsResultsCurvesTablesAndConfigOfARunnerDirectory()
    {
        var ablation = new Ablation<Config>("toy", "a <toy> ablation", new Dictionary<string, Config> { ["tiny"] = new(3) },
            [new("baseline", c => c), new("meco-f0.1", c => c with { Scale = 2.5 })], c => new ArmPlan(new ResultStage(c))) { Seeds = 1 };
        var dir = ablation.Run("tiny", _results.FullName).Directory;

        var html = AblationReport.Build(dir);
        Assert.Contains("<p>a &lt;toy&gt; ablation</p>", html);
        Assert.Contains("<tr><td>baseline</td><td class=\"num\">1</td><td class=\"num\">3</td>", html);
        Assert.Contains("<td>meco-f0.1</td>", html);
        // val_loss bars, train_loss curves, domain_loss grouped bars, one conditional heatmap per arm.
        Assert.Equal(1 + 1 + 1 + 2, html.Split("Plotly.newPlot").Length - 2);   // plotly.js itself names it once
        Assert.Contains("\"type\":\"heatmap\"", html);
        Assert.Contains("&quot;Scale&quot;: 2.5", html);
        Assert.DoesNotContain(".parquet is missing", html);
        Assert.DoesNotContain("config.json is missing", html);
        Assert.DoesNotMatch("<script[^>]*\\ssrc=", html);   // plotly.js embedded, never fetched

        File.Delete(Path.Combine(dir, AblationRunner.CurvesFile));
        File.Delete(Path.Combine(dir, AblationRunner.ConfigFile));
        html = AblationReport.Build(dir);
        Assert.Contains("curves.parquet is missing", html);
        Assert.Contains("config.json is missing", html);
    }
}
