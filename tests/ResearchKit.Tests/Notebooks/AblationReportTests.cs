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

    [Fact]
    public void ReportOfARunnerDirectoryShowsItsPerSeedRuns()
    {
        var ablation = new Ablation<Config>("toy", "a toy ablation", new Dictionary<string, Config> { ["tiny"] = new(3) },
            [new("baseline", c => c), new("half", c => c with { Scale = 1.5 })], c => new ArmPlan(new ResultStage(c))) { Seeds = 2 };
        var html = AblationReport.Build(ablation.Run("tiny", _results.FullName).Directory);
        Assert.Contains("<h3>Runs (one row per arm and seed)</h3>", html);
        Assert.Contains("<th>seed</th>", html);
        Assert.Equal(4, System.Text.RegularExpressions.Regex.Matches(html, "<tr><td>(baseline|half)</td><td class=\"num\">[0-9]+</td><td class=\"num\">(3|1\\.5)</td></tr>").Count);
    }

    [Fact]
    public void RunnerSavesItsProvenanceAndTheReportShowsIt()
    {
        var ablation = new Ablation<Config>("toy", "a toy ablation", new Dictionary<string, Config> { ["tiny"] = new(3) },
            [new("baseline", c => c), new("half", c => c with { Scale = 1.5 })], c => new ArmPlan(new ResultStage(c))) { Seeds = 1 };
        var dir = ablation.Run("tiny", _results.FullName).Directory;
        var saved = Provenance.TryRead(Path.Combine(dir, Provenance.FileName));
        Assert.NotNull(saved);
        // The results folder is outside any checkout, so the commit is the one the tests run from.
        Assert.Equal(GitRepository.Head(Environment.CurrentDirectory), saved.Commit);
        Assert.Equal(Environment.ProcessorCount, saved.Cores);

        var html = AblationReport.Build(dir);
        Assert.Contains($"<tr><th>date</th><td>{saved.Date.ToUniversalTime():yyyy-MM-dd HH:mm} UTC</td></tr>", html);
        Assert.DoesNotContain("has no provenance.json", html);
    }
}

/// <summary>The report on the multi-seed results schema (and on the single-seed one): readouts, error bars, axes,
/// run cost apart from the charts, shared heatmap scale, provenance and relative paths.</summary>
public sealed class AblationReportSeedsTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("rk-report-seeds-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Write(DataFrame results, bool withConditional = false)
    {
        DataFrameParquet.Write(results, Path.Combine(_dir, AblationRunner.ResultsFile));
        File.WriteAllText(Path.Combine(_dir, AblationRunner.ConfigFile),
            $$"""{ "ablation": "toy", "description": "a toy", "preset": "tiny", "base": { "Corpus": "{{_dir}}/corpus.parquet", "Train": { "Device": "cpu" } } }""");
        if (withConditional)
            DataFrameParquet.Write(new DataFrame(
                new StringDataFrameColumn("arm", ["standard", "standard", "f0.5", "f0.5"]),
                new StringDataFrameColumn("domain", ["news", "news", "news", "news"]),
                new StringDataFrameColumn("condition", ["none", "URL: en.wikipedia.org", "none", "URL: en.wikipedia.org"]),
                new DoubleDataFrameColumn("loss", [2.0, 2.5, 3.0, 4.0])), Path.Combine(_dir, "tables", "conditional_loss.parquet"));
        return _dir;
    }

    static IReadOnlyList<string> ChartTitles(string html) =>
        System.Text.RegularExpressions.Regex.Matches(html, "\"title\":\\{\"text\":\"([^\"]*)\"\\}\\}").Select(m => m.Groups[1].Value).ToList();

    [Fact]
    public void SeededResultsGetIntervalsVerdictsAndErrorBarsAndRunCostIsNotCharted()
    {
        var html = AblationReport.Build(Write(Experiments.BaselineComparisonTests.Seeded(), withConditional: true));
        Assert.Contains("<strong>val_loss</strong> (lower is better) of the baseline <strong>standard</strong>: 2.6000 ± 0.0150 (3 seeds).", html);
        Assert.Contains("<li><strong>f0.5</strong>: 2.5000 ± 0.0200 (3 seeds), −0.1000 (−3.8%) vs standard: <span class=\"rk-better\">better (the 95% intervals do not overlap)</span></li>", html);
        Assert.Contains("<span class=\"rk-noise\">within noise (the 95% intervals overlap)</span>", html);
        Assert.Contains("\"error_y\":{\"type\":\"data\",\"array\":[0.015,0.01,0.02,0.001],\"visible\":true}", html);
        Assert.Contains("\"range\":[", html);   // the loss axis spans the data, not 0..2.6
        Assert.Contains("val_loss (mean ± 95% interval over seeds)", ChartTitles(html));
        Assert.DoesNotContain(ChartTitles(html), t => t.Contains("seconds"));   // machine-dependent: a table, not a chart
        Assert.Contains("<h3>Run cost (machine-dependent)</h3>", html);
        Assert.Contains("<th>train_seconds</th>", html);
        // Both heatmaps on one colour scale: 2.0 to 4.0 over all arms.
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(html, "\"zmin\":2\\.0,\"zmax\":4\\.0").Count);
        Assert.Contains("conditional_loss: f0.5", ChartTitles(html));
        // Provenance header, relative paths only.
        Assert.Contains("<tr><th>TorchSharp</th><td>0.107.0</td></tr>", html);
        Assert.Contains("<tr><th>device</th><td>cpu</td></tr>", html);
        Assert.DoesNotContain(_dir, html);
        Assert.Contains("class=\"rk-scroll\"", html);
    }

    [Fact]
    public void SingleSeedResultsSayThereIsNoNoiseEstimate()
    {
        var html = AblationReport.Build(Write(new DataFrame(
            new StringDataFrameColumn("arm", ["standard", "meco"]), new DoubleDataFrameColumn("val_loss", [2.6, 2.5]), new DoubleDataFrameColumn("train_seconds", [60.0, 61.0]))));
        Assert.Contains("<strong>One seed: no noise estimate</strong>", html);
        Assert.Contains("vs standard: <span class=\"rk-better\">better (one seed)</span>", html);
        Assert.DoesNotContain("\"error_y\":{\"type\":\"data\"", html);
    }

    [Fact]
    public void SavedProvenanceIsShownInsteadOfTheReportMachines()
    {
        var dir = Write(Experiments.BaselineComparisonTests.Seeded());
        new Provenance { Commit = "0123456789abcdef0123", LocalChanges = true, Date = new DateTimeOffset(2026, 1, 2, 3, 4, 0, TimeSpan.Zero),
            KitVersion = "1.0.0", TorchSharpVersion = "0.107.0", Device = "cuda", Cores = 16, Gpu = "NVIDIA H200", Os = "Linux", DotNet = ".NET 10" }
            .Save(Path.Combine(dir, Provenance.FileName));
        var html = AblationReport.Build(dir);
        Assert.Contains("<tr><th>commit</th><td>0123456789ab (with local changes)</td></tr>", html);
        Assert.Contains("<tr><th>date</th><td>2026-01-02 03:04 UTC</td></tr>", html);
        Assert.Contains("<tr><th>machine</th><td>16 cores, NVIDIA H200, Linux</td></tr>", html);
        Assert.DoesNotContain("has no provenance.json", html);
    }

    [Fact]
    public void SavedProvenanceWithoutADeviceShowsTheConfigsDevice()
    {
        var dir = Write(Experiments.BaselineComparisonTests.Seeded());
        new Provenance { Commit = "0123456789abcdef0123", Date = new DateTimeOffset(2026, 1, 2, 3, 4, 0, TimeSpan.Zero) }.Save(Path.Combine(dir, Provenance.FileName));
        var html = AblationReport.Build(dir);
        Assert.Contains("<tr><th>device</th><td>cpu</td></tr>", html);
        Assert.Contains("<tr><th>commit</th><td>0123456789ab</td></tr>", html);
    }
}
