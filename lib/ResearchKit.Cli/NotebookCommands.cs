using System.CommandLine;
using ResearchKit.Experiments;
using ResearchKit.Notebooks;
using Spectre.Console;

namespace ResearchKit.Cli;

/// <summary><c>rk notebook run</c>: executes a notebook headless and writes the executed .ipynb and an HTML rendering.</summary>
static class NotebookCommands
{
    public static Command Create()
    {
        var notebook = new Argument<FileInfo>("notebook") { Description = "the .ipynb to run" };
        var param = new Option<string[]>("--param") { Description = "name=value for a variable of the cell tagged 'parameters' (repeatable)", AllowMultipleArgumentsPerToken = false };
        var output = new Option<DirectoryInfo?>("--out") { Description = "folder for the executed notebook and HTML (default: <notebook folder>/executed)" };
        var run = new Command("run", "Run a notebook's C# cells in order; write <name>.ipynb with outputs and <name>.html") { notebook, param, output };
        run.SetAction(parse =>
        {
            var path = parse.GetValue(notebook)!.FullName;
            if (!File.Exists(path)) throw new FileNotFoundException($"notebook not found: {path}");
            var parameters = NotebookParameters.Parse(parse.GetValue(param) ?? []);
            var outDir = parse.GetValue(output)?.FullName ?? Path.Combine(Path.GetDirectoryName(path)!, "executed");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var result = ConsoleProgress.Run(progress => NotebookRunner.Run(path, parameters, progress));
            var root = GitRepository.Root(Path.GetDirectoryName(path)!);
            var source = root is null ? Path.GetFileName(path) : Path.GetRelativePath(root, path).Replace('\\', '/');
            new RunRecord
            {
                Notebook = source,
                Command = $"rk notebook run {source}" + string.Concat(parameters.Select(p => $" --param {p.Key}={p.Value}")),
                Parameters = new(parameters),
                WallSeconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
                Succeeded = result.Succeeded,
                Provenance = Provenance.Capture(Path.GetDirectoryName(path)!, Runtime.TorchRuntime.Current?.Device ?? parameters.GetValueOrDefault("device")),
            }.WriteTo(result.Notebook);
            var name = Path.GetFileNameWithoutExtension(path);
            var ipynb = Path.Combine(outDir, name + ".ipynb");
            var html = Path.Combine(outDir, name + ".html");
            NotebookFile.Write(result.Notebook, ipynb);
            AtomicFile.WriteAllText(html, NotebookHtml.Render(result.Notebook, name, result.Failure));
            foreach (var warning in result.Warnings)
                AnsiConsole.MarkupLineInterpolated($"[yellow]warning:[/] {warning}");
            if (result.Failure is { } f)
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] cell {f.Cell} failed: {f.Message}");
            AnsiConsole.MarkupLineInterpolated($"{(result.Succeeded ? "ran" : "partial run written to")} {ipynb} and {html}");
            return result.Succeeded ? 0 : 2;
        });
        return new Command("notebook", "Run notebooks headless") { run };
    }
}
