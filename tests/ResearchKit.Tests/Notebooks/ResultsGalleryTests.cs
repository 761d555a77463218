using System.Diagnostics;
using ResearchKit.Experiments;
using ResearchKit.Notebooks;

namespace ResearchKit.Tests.Notebooks;

/// <summary>The results gallery in a scratch git repository: entries made from executed notebooks, the README that
/// shows them, and the staleness check against later commits to a notebook or recipe.</summary>
[Collection("notebooks")]
public sealed class ResultsGalleryTests : IDisposable
{
    readonly string _repo = Directory.CreateTempSubdirectory("rk-gallery-").FullName;
    public void Dispose() => Directory.Delete(_repo, recursive: true);

    string Git(params string[] args)
    {
        var psi = new ProcessStartInfo("git", ["-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false", .. args])
            { WorkingDirectory = _repo, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        return output.Trim();
    }

    static string NotebookJson(string markdown, string code) =>
        new System.Text.Json.Nodes.JsonObject
        {
            ["nbformat"] = 4,
            ["cells"] = new System.Text.Json.Nodes.JsonArray(
                new System.Text.Json.Nodes.JsonObject { ["cell_type"] = "markdown", ["source"] = new System.Text.Json.Nodes.JsonArray(markdown) },
                new System.Text.Json.Nodes.JsonObject { ["cell_type"] = "code", ["source"] = new System.Text.Json.Nodes.JsonArray(code) }),
        }.ToJsonString();

    void Commit(string file, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(_repo, file))!);
        File.WriteAllText(Path.Combine(_repo, file), text);
        Git("add", "-A");
        Git("commit", "-q", "-m", "change " + file);
    }

    /// <summary>An executed notebook with one chart, as `rk notebook run` writes it, made at the repository's HEAD.</summary>
    async Task<string> Executed(string name)
    {
        var source = new Notebook { Cells = [NotebookCell.Markdown("# MeCo: a toy run\nText."),
            NotebookCell.Code("string preset = \"tiny\";\nint seeds = 3;   // per arm", NotebookParameters.Tag), NotebookCell.Code(NotebookRunnerTests.ChartCell("loss"))] };
        var result = await NotebookRunner.RunAsync(source, _repo);
        Assert.True(result.Succeeded, result.Failure?.Message);
        new RunRecord
        {
            Notebook = $"notebooks/{name}.ipynb", Command = $"rk notebook run notebooks/{name}.ipynb --param preset=tiny",
            Parameters = new() { ["preset"] = "tiny" }, WallSeconds = 1330, Succeeded = true, Provenance = Provenance.Capture(_repo, "cpu"),
        }.WriteTo(result.Notebook);
        var path = Path.Combine(_repo, "runs", name + ".ipynb");
        NotebookFile.Write(result.Notebook, path);
        return path;
    }

    [Fact]
    public async Task AnEntryHoldsThePageChartsAndHowItWasMadeAndGoesStaleWhenItsRecipeChanges()
    {
        Git("init", "-q");
        Commit("notebooks/01-meco.ipynb", NotebookJson("# MeCo", "var x = 1;"));
        Commit("lib/MeCo/Recipe.cs", "// v1");
        var head = Git("rev-parse", "HEAD");
        var gallery = Path.Combine(_repo, "docs", "results");

        var entry = ResultsGallery.Add(await Executed("01-meco"), gallery, _repo, new GalleryAddOptions(Recipes: [Path.Combine(_repo, "lib", "MeCo")]));
        Assert.Equal("MeCo: a toy run", entry.Title);
        Assert.Equal(head, entry.Provenance.Commit);
        Assert.Equal(["notebooks/01-meco.ipynb", "lib/MeCo"], entry.Sources);
        Assert.Equal(("tiny", "3", 1330.0), (entry.Preset, entry.Seeds, entry.WallSeconds!.Value));   // seeds: the parameters cell's default
        var chart = Assert.Single(entry.Charts);
        Assert.Equal(("chart 1", "01-meco/charts/01-chart-1.png"), (chart.Title, chart.File));   // an untitled chart is named by position
        Assert.True(ResearchKit.Reports.ChartImages.IsPng(File.ReadAllBytes(Path.Combine(gallery, chart.File))));
        // The page loads the one shared plotly.js beside the entries; the committed notebook carries none.
        var page = File.ReadAllText(Path.Combine(gallery, entry.Html));
        Assert.Contains($"<script type=\"text/javascript\" src=\"../plotly-{ResearchKit.Reports.ChartHtml.PlotlyVersion}.min.js\"></script>", page);
        Assert.DoesNotContain("data-plotly-js", page);
        Assert.True(File.Exists(Path.Combine(gallery, $"plotly-{ResearchKit.Reports.ChartHtml.PlotlyVersion}.min.js")));
        Assert.DoesNotContain("data-plotly-js", File.ReadAllText(Path.Combine(gallery, "01-meco", "01-meco.ipynb")));
        Assert.Equal(entry, GalleryEntry.Read(Path.Combine(gallery, "01-meco", GalleryEntry.FileName)) with { Sources = entry.Sources, Charts = entry.Charts });

        var readme = File.ReadAllText(Path.Combine(gallery, ResultsGallery.Readme));
        Assert.Contains("## MeCo: a toy run", readme);
        Assert.Contains("| command | `rk notebook run notebooks/01-meco.ipynb --param preset=tiny` |", readme);
        Assert.Contains($"| commit | `{head[..12]}` |", readme);
        Assert.Contains("| wall time | 22 min 10 s |", readme);
        Assert.Contains("| preset | tiny |\n| seeds | 3 |", readme);
        Assert.Contains($"]({chart.File})", readme);

        // Fresh until the recipe or the notebook's code changes; a change elsewhere, or to its prose only, does not count.
        Commit("docs/results/.keep", "");
        Commit("notebooks/01-meco.ipynb", NotebookJson("# MeCo, reworded", "var x = 1;"));
        Assert.Empty(ResultsGallery.Check(gallery, _repo));
        Commit("notebooks/01-meco.ipynb", NotebookJson("# MeCo, reworded", "var x = 2;"));
        Assert.Contains("changed since", Assert.Single(ResultsGallery.Check(gallery, _repo)));
        Commit("lib/MeCo/Recipe.cs", "// v2");
        var warning = Assert.Single(ResultsGallery.Check(gallery, _repo));
        Assert.StartsWith($"01-meco: made at {head[..12]}, but notebooks/01-meco.ipynb or lib/MeCo changed since, in {Git("rev-parse", "HEAD")[..12]}", warning);
    }

    [Fact]
    public void AFailedOrUnrecordedRunIsNoEntry()
    {
        var path = Path.Combine(_repo, "plain.ipynb");
        NotebookFile.Write(new Notebook { Cells = [NotebookCell.Markdown("# x")] }, path);
        var error = Assert.Throws<DataFormatException>(() => ResultsGallery.Add(path, Path.Combine(_repo, "g"), _repo));
        Assert.Contains("rk notebook run", error.Message);
    }
}

/// <summary>The committed gallery's README is what its entries generate (nobody edited it by hand, no entry was left out).</summary>
public sealed class CommittedGalleryTests : IDisposable
{
    readonly string _copy = Directory.CreateTempSubdirectory("rk-gallery-copy-").FullName;
    public void Dispose() => Directory.Delete(_copy, recursive: true);

    [Fact]
    public void ReadmeMatchesItsEntries()
    {
        var gallery = Path.Combine(TestCorpus.RepoRoot, ResultsGallery.DefaultFolder);
        foreach (var entry in Directory.GetFiles(gallery, GalleryEntry.FileName, SearchOption.AllDirectories))
        {
            var target = Path.Combine(_copy, Path.GetRelativePath(gallery, entry));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(entry, target);
        }
        ResultsGallery.WriteReadme(_copy);
        Assert.Equal(File.ReadAllText(Path.Combine(_copy, ResultsGallery.Readme)), File.ReadAllText(Path.Combine(gallery, ResultsGallery.Readme)));
    }
}
