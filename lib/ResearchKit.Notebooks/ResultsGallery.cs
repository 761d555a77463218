using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ResearchKit.Experiments;
using ResearchKit.Reports;

namespace ResearchKit.Notebooks;

/// <summary>What <see cref="ResultsGallery.Add"/> cannot read from the executed notebook itself.</summary>
/// <param name="Recipes">Repository paths of the method's recipe (files or folders); with the notebook they decide staleness.</param>
/// <param name="Seeds">Seeds per arm; defaults to the run's <c>seeds</c> parameter.</param>
/// <param name="Preset">Defaults to the run's <c>preset</c> parameter.</param>
public sealed record GalleryAddOptions(IReadOnlyList<string>? Recipes = null, string? Seeds = null, string? Preset = null);

/// <summary>
/// The results gallery: a committed folder (<see cref="DefaultFolder"/>, apart from the git-ignored <c>results/</c>
/// caches) with, per method notebook, the rendered HTML of its last full run, PNGs of its charts and an
/// <c>entry.json</c> saying how it was made; a generated <c>README.md</c> shows them all on GitHub. <see cref="Check"/>
/// lists entries made before the last change to their notebook or recipe.
/// </summary>
public static partial class ResultsGallery
{
    public const string DefaultFolder = "docs/results";
    public const string Readme = "README.md";

    /// <summary>Adds (or replaces) the entry of an executed notebook written by <c>rk notebook run</c>.</summary>
    /// <param name="repositoryRoot">Paths in the entry are relative to it.</param>
    /// <exception cref="DataFormatException">The notebook has no run record, or its run failed.</exception>
    public static GalleryEntry Add(string executedNotebook, string galleryFolder, string repositoryRoot, GalleryAddOptions? options = null)
    {
        options ??= new();
        var notebook = NotebookFile.Read(executedNotebook);
        var record = RunRecord.ReadFrom(notebook, executedNotebook)
            ?? throw new DataFormatException(executedNotebook, null, "metadata.researchkit.run",
                "no run record: the gallery takes notebooks executed by `rk notebook run`, which records command, commit, machine and wall time");
        if (!record.Succeeded) throw new DataFormatException(executedNotebook, null, "metadata.researchkit.run.succeeded", "the run failed: a gallery entry shows a finished run");
        var name = Path.GetFileNameWithoutExtension(executedNotebook);
        var folder = Path.Combine(galleryFolder, name);
        var title = Title(notebook) ?? name;

        // The charts' pictures, in notebook order, named by position and title.
        var chartsFolder = Path.Combine(folder, "charts");
        if (Directory.Exists(chartsFolder)) Directory.Delete(chartsFolder, recursive: true);
        var charts = new List<GalleryChart>();
        foreach (var output in notebook.Cells.SelectMany(c => c.Outputs))
        {
            if (!output.Data.TryGetValue("image/png", out var png)) continue;
            var chartTitle = output.Data.GetValueOrDefault("text/plain", "") is var plain && plain.StartsWith(OutputFormatter.ChartText + ": ", StringComparison.Ordinal)
                ? plain[(OutputFormatter.ChartText.Length + 2)..] : $"chart {charts.Count + 1}";
            var file = $"{name}/charts/{charts.Count + 1:00}-{Slug(chartTitle)}.png";
            AtomicFile.Write(Path.Combine(galleryFolder, file), (Stream s) => s.Write(Convert.FromBase64String(png)));
            charts.Add(new GalleryChart(chartTitle, file));
        }

        // The page loads plotly.js from one shared file beside the entries, not 3.6 MB per page; its charts' static
        // pictures still show where the file is missing.
        var plotly = $"plotly-{ChartHtml.PlotlyVersion}.min.js";
        if (!File.Exists(Path.Combine(galleryFolder, plotly))) AtomicFile.WriteAllText(Path.Combine(galleryFolder, plotly), ChartHtml.PlotlyJs);
        var html = $"{name}/{name}.html";
        AtomicFile.WriteAllText(Path.Combine(galleryFolder, html), NotebookHtml.Render(notebook, title, plotlyJsSource: "../" + plotly));
        // The executed notebook too, which GitHub renders with the charts' pictures; without plotly.js (3.6 MB), which
        // GitHub would not run anyway: Jupyter shows the pictures, and the HTML page is the interactive copy.
        foreach (var output in notebook.Cells.SelectMany(c => c.Outputs))
            if (output.Data.TryGetValue("text/html", out var h) && h.Contains(ChartHtml.PlotlyScriptTag, StringComparison.Ordinal))
                output.Data["text/html"] = h.Replace(ChartHtml.PlotlyScriptTag + "\n", "", StringComparison.Ordinal).Replace(ChartHtml.PlotlyScriptTag, "", StringComparison.Ordinal);
        NotebookFile.Write(notebook, Path.Combine(folder, name + ".ipynb"));

        var parameters = record.Parameters;
        var entry = new GalleryEntry
        {
            Name = name,
            Title = title,
            Notebook = record.Notebook,
            Command = record.Command,
            Preset = options.Preset ?? parameters.GetValueOrDefault("preset") ?? DefaultParameter(notebook, "preset") ?? "default",
            Seeds = options.Seeds ?? parameters.GetValueOrDefault("seeds") ?? DefaultParameter(notebook, "seeds") ?? "1",
            WallSeconds = record.WallSeconds,
            Provenance = record.Provenance,
            Sources = new[] { record.Notebook }.Concat((options.Recipes ?? []).Select(r => Relative(r, repositoryRoot)))
                .Where(s => s.Length > 0).Distinct().ToList(),
            Html = html,
            Charts = charts,
        };
        entry.Save(Path.Combine(folder, GalleryEntry.FileName));
        WriteReadme(galleryFolder);
        return entry;
    }

    /// <summary>Every entry, by name.</summary>
    public static IReadOnlyList<GalleryEntry> Entries(string galleryFolder) =>
        !Directory.Exists(galleryFolder) ? []
        : Directory.EnumerateDirectories(galleryFolder).Order(StringComparer.Ordinal)
            .Select(d => Path.Combine(d, GalleryEntry.FileName)).Where(File.Exists).Select(GalleryEntry.Read).ToList();

    /// <summary>Writes the gallery's README.md from its entries.</summary>
    public static void WriteReadme(string galleryFolder)
    {
        var entries = Entries(galleryFolder);
        var sb = new StringBuilder();
        sb.Append("# Results gallery\n\n");
        sb.Append("The last full run of each method notebook: its charts, how it was made, and the whole rendered notebook. ");
        sb.Append("Generated by `rk gallery add` (see `notebooks/README.md`); do not edit by hand. `rk gallery check`, which CI runs, ");
        sb.Append("warns about entries older than the last change to their notebook or recipe.\n\n");
        sb.Append("The rendered notebooks are HTML pages: open them from a clone (GitHub shows their source). They load the shared ");
        sb.Append($"`plotly-*.min.js` beside them for interactive charts and show each chart's picture without it.\n");
        if (entries.Count == 0) sb.Append("\nNo entries yet.\n");
        foreach (var e in entries)
        {
            sb.Append($"\n## {e.Title}\n\n");
            sb.Append("| | |\n| --- | --- |\n");
            sb.Append($"| notebook | [`{e.Notebook}`](../../{e.Notebook}) |\n");
            sb.Append($"| command | `{e.Command}` |\n");
            foreach (var (label, value) in e.Provenance.Describe().Where(d => d.Label is not (".NET" or "ResearchKit")))
                sb.Append($"| {label} | {(label == "commit" ? $"`{value}`" : value)} |\n");
            sb.Append($"| preset | {e.Preset} |\n| seeds | {e.Seeds} |\n");
            sb.Append($"| wall time | {(e.WallSeconds is { } s ? Duration(s) : "not recorded")} |\n");
            sb.Append($"| rendered notebook | [{e.Html}]({e.Html}) (interactive, open from a clone); [{e.Name}/{e.Name}.ipynb]({e.Name}/{e.Name}.ipynb) (on GitHub) |\n\n");
            foreach (var chart in e.Charts) sb.Append($"![{chart.Title.Replace("]", ")", StringComparison.Ordinal)}]({chart.File})\n");
        }
        AtomicFile.WriteAllText(Path.Combine(galleryFolder, Readme), sb.ToString());
    }

    /// <summary>One line per entry that is stale (made before the last commit that changed one of its sources) or
    /// whose age cannot be told; empty when every entry is current.</summary>
    public static IReadOnlyList<string> Check(string galleryFolder, string repositoryRoot)
    {
        var warnings = new List<string>();
        foreach (var e in Entries(galleryFolder))
        {
            var made = e.Provenance.Commit;
            if (made is null) { warnings.Add($"{e.Name}: no commit recorded; rerun it and `rk gallery add` it again"); continue; }
            // A notebook whose code cells are as they were when the entry was made (only its prose changed) cannot
            // have changed the results: it does not make the entry stale.
            var sources = e.Sources.Where(s => !(s.EndsWith(".ipynb", StringComparison.Ordinal) && SameCode(repositoryRoot, made, s))).ToList();
            var changed = GitRepository.LastChange(repositoryRoot, sources);
            if (changed is null) continue;   // its sources are not in this repository's history
            switch (GitRepository.IsAncestor(repositoryRoot, changed, made))
            {
                case true: break;
                case false:
                    var when = GitRepository.CommitDate(repositoryRoot, changed) is { } d ? d.ToString(" (yyyy-MM-dd)", CultureInfo.InvariantCulture) : "";
                    warnings.Add($"{e.Name}: made at {made[..12]}, but {string.Join(" or ", e.Sources)} changed since, in {changed[..12]}{when}: " +
                                 $"rerun `{e.Command}` and `rk gallery add` it");
                    break;
                default:
                    warnings.Add($"{e.Name}: its commit {made[..Math.Min(12, made.Length)]} is not in this clone{(GitRepository.IsShallow(repositoryRoot) == true ? " (a shallow clone)" : "")}; cannot tell whether it is stale");
                    break;
            }
        }
        return warnings;
    }

    /// <summary>The first Markdown heading of the notebook.</summary>
    static string? Title(Notebook notebook) =>
        notebook.Cells.Where(c => c.Kind == CellKind.Markdown).SelectMany(c => c.Source.Split('\n'))
            .Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith('#'))?.TrimStart('#').Trim();

    static string Slug(string title)
    {
        var slug = NonWord().Replace(title.ToLowerInvariant(), "-").Trim('-');
        return slug.Length == 0 ? "chart" : slug[..Math.Min(48, slug.Length)].TrimEnd('-');
    }

    static string Relative(string path, string root) =>
        (Path.IsPathFullyQualified(path) ? Path.GetRelativePath(root, path) : path).Replace('\\', '/').TrimEnd('/');

    static string Duration(double seconds)
    {
        var t = TimeSpan.FromSeconds(seconds);
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes} min" : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes} min {t.Seconds} s" : $"{seconds:F0} s";
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonWord();

    /// <summary>A parameter the run did not override: its literal default in the notebook's parameters cell
    /// (<c>int seeds = 3;</c>, <c>string preset = "tiny";</c>), or null.</summary>
    static string? DefaultParameter(Notebook notebook, string name)
    {
        var cell = notebook.Cells.FirstOrDefault(c => c.Kind == CellKind.Code && c.Tags.Contains(NotebookParameters.Tag));
        var match = cell is null ? null : System.Text.RegularExpressions.Regex.Match(cell.Source, $@"\b{name}\s*=\s*(?:""(?<v>[^""]*)""|(?<v>[\w.]+))\s*;");
        return match is { Success: true } ? match.Groups["v"].Value : null;
    }

    /// <summary>Whether <paramref name="notebookPath"/>'s code cells now are those it had at <paramref name="commit"/>.</summary>
    static bool SameCode(string repositoryRoot, string commit, string notebookPath)
    {
        var then = GitRepository.Show(repositoryRoot, commit, notebookPath);
        var file = Path.Combine(repositoryRoot, notebookPath);
        if (then is null || !File.Exists(file)) return false;
        try { return CodeCells(NotebookFile.Parse(then, $"{notebookPath} at {commit}")).SequenceEqual(CodeCells(NotebookFile.Read(file))); }
        catch (DataFormatException) { return false; }
    }

    static IEnumerable<string> CodeCells(Notebook notebook) => notebook.Cells.Where(c => c.Kind == CellKind.Code).Select(c => c.Source);
}
