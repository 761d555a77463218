using ResearchKit.Notebooks;

namespace ResearchKit.Tests.Notebooks;

/// <summary>Every notebook in notebooks/ runs headless on CPU with small parameters, and its rendered HTML draws
/// every chart in headless Chromium without errors or network requests.</summary>
[Collection("notebooks")]
public sealed class ShippedNotebooksTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("rk-shipped-nb-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static string NotebooksDir => Path.Combine(TestCorpus.RepoRoot, "notebooks");

    /// <summary>CI parameters per notebook; a new notebook must be added here (see <see cref="EveryNotebookHasCiParameters"/>).</summary>
    Dictionary<string, string> CiParameters(string notebook) => notebook switch
    {
        "00-quickstart.ipynb" => new() { ["steps"] = "30" },
        "01-meco.ipynb" => new() { ["preset"] = "smoke", ["seeds"] = "2", ["results"] = Path.Combine(_dir, "results") },
        "02-prox.ipynb" => new() { ["preset"] = "smoke", ["results"] = Path.Combine(_dir, "results") },
        "03-packing.ipynb" => new() { ["preset"] = "smoke", ["seeds"] = "2", ["results"] = Path.Combine(_dir, "results") },
        "04-doremi.ipynb" => new() { ["preset"] = "smoke", ["results"] = Path.Combine(_dir, "results") },
        _ => throw new InvalidOperationException($"{notebook} has no CI parameters in {nameof(ShippedNotebooksTests)}"),
    };

    static string[] Names => Directory.GetFiles(NotebooksDir, "*.ipynb").Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToArray();
    public static IEnumerable<object[]> Notebooks() => Names.Select(n => new object[] { n });

    [Fact]
    public void EveryNotebookHasCiParameters()
    {
        Assert.Equal(["00-quickstart.ipynb", "01-meco.ipynb", "02-prox.ipynb", "03-packing.ipynb", "04-doremi.ipynb"], Names);
        foreach (var name in Names) Assert.NotEmpty(CiParameters(name));
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void IsStoredInTheStableFormatWithKernelMetadata(string name)
    {
        var path = Path.Combine(NotebooksDir, name);
        var text = File.ReadAllText(path);
        var notebook = NotebookFile.Read(path);
        Assert.Equal(NotebookFile.Format(notebook), text);
        Assert.Equal(".net-csharp", (string?)notebook.Metadata["kernelspec"]?["name"]);
        Assert.All(notebook.Cells, c => Assert.Empty(c.Outputs));   // outputs live in rendered copies, not in the source
        Assert.StartsWith("#r \"nuget: Plotly.NET.Interactive", notebook.Cells.First(c => c.Kind == CellKind.Code).Source);
        Assert.Single(notebook.Cells, c => c.Tags.Contains(NotebookParameters.Tag));
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task RunsHeadlessAndRendersEveryChartInChromium(string name)
    {
        var source = NotebookFile.Read(Path.Combine(NotebooksDir, name));
        var result = await NotebookRunner.RunAsync(source, NotebooksDir, CiParameters(name));
        Assert.True(result.Succeeded, $"{name}: cell {result.Failure?.Cell}: {result.Failure?.Message}");
        var outputs = result.Notebook.Cells.SelectMany(c => c.Outputs).ToList();
        Assert.DoesNotContain(outputs, o => o.OutputType == "error");
        var chartOutputs = outputs.Where(o => o.Data.TryGetValue("text/plain", out var t) && t.StartsWith(OutputFormatter.ChartText, StringComparison.Ordinal)).ToList();
        int charts = chartOutputs.Count;
        Assert.True(charts >= 3, $"{name}: only {charts} charts");
        // Every chart carries a picture for viewers without JavaScript, and every HTML output a text rendering.
        Assert.All(chartOutputs, o => Assert.True(ResearchKit.Reports.ChartImages.IsPng(Convert.FromBase64String(o.Data["image/png"]))));
        Assert.All(outputs.Where(o => o.Data.ContainsKey("text/html")), o => Assert.False(string.IsNullOrWhiteSpace(o.Data.GetValueOrDefault("text/plain"))));
        // The executed notebook stays small: plotly.js once (3.6 MB), then tens of kB per chart (it was 3.6 MB per chart).
        long size = System.Text.Encoding.UTF8.GetByteCount(NotebookFile.Format(result.Notebook));
        long plotly = System.Text.Encoding.UTF8.GetByteCount(ResearchKit.Reports.ChartHtml.PlotlyScriptTag);
        Assert.True(size < plotly + charts * 250_000 + 500_000, $"{name}: executed notebook is {size:N0} bytes for {charts} charts");

        var page = Path.Combine(_dir, Path.ChangeExtension(name, ".html"));
        File.WriteAllText(page, NotebookHtml.Render(result.Notebook, name));
        var visit = await HeadlessBrowser.VisitAsync(page, charts);
        Assert.Equal(charts, visit.Charts);
        Assert.Empty(visit.Errors);
        Assert.Empty(visit.Requests);
        if (name == "01-meco.ipynb") Assert.Equal(2, visit.Heatmaps);   // conditional-inference matrix, MeCo and standard
        if (name == "03-packing.ipynb") Assert.Equal(4, visit.Heatmaps);   // windows by document and by domain, two attention masks
    }
}
