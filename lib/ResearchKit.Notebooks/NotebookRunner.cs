using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Scripting;

namespace ResearchKit.Notebooks;

/// <summary>Where a run stopped: the 1-based position of the failing cell among all cells of the source notebook.</summary>
public sealed record NotebookFailure(int Cell, string Message);

/// <summary>The executed notebook (outputs, execution counts; on failure marked at the top and at the failing cell).</summary>
public sealed record NotebookRunResult(Notebook Notebook, NotebookFailure? Failure)
{
    public bool Succeeded => Failure is null;

    /// <summary>Things the reader should know that did not stop the run, each said once (e.g. charts without static images).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>Runs a notebook's C# cells headless, in order, as Roslyn scripting submissions: each cell continues the
/// previous one's state, as in .NET Interactive's C# kernel, so later cells see earlier variables. A cell's
/// trailing expression and its <c>display(...)</c> calls become outputs, Console text becomes stream outputs. Reports
/// of a cell's <see cref="Reports.ProgressDisplay"/> also go to the caller's progress, so a long cell is not silent.
/// Once all cells ran, charts get plotly.js once and static images (<see cref="ChartOutputs"/>).</summary>
public static class NotebookRunner
{
    // The working directory is process-wide: one notebook runs at a time.
    static readonly SemaphoreSlim OneAtATime = new(1, 1);

    static readonly string[] DefaultImports =
        ["System", "System.IO", "System.Linq", "System.Collections.Generic", "System.Text", "System.Threading.Tasks"];

    public static NotebookRunResult Run(string notebookPath, IReadOnlyDictionary<string, string>? parameters = null,
        IProgress<WorkProgress>? progress = null, CancellationToken cancel = default) =>
        RunAsync(NotebookFile.Read(notebookPath), Path.GetDirectoryName(Path.GetFullPath(notebookPath))!, parameters, progress, cancel)
            .GetAwaiter().GetResult();

    /// <param name="notebook">Not modified; the result holds an executed copy.</param>
    /// <param name="directory">The notebook's folder: the working directory while cells run, and the base of relative paths.</param>
    public static async Task<NotebookRunResult> RunAsync(Notebook notebook, string directory,
        IReadOnlyDictionary<string, string>? parameters = null, IProgress<WorkProgress>? progress = null, CancellationToken cancel = default)
    {
        parameters ??= new Dictionary<string, string>();
        var executed = Copy(notebook);
        int codeCells = executed.Cells.Count(c => c.Kind == CellKind.Code);
        if (parameters.Count > 0 && !executed.Cells.Any(IsParametersCell))
            return Fail(executed, null, 0, $"parameters were given but no code cell is tagged '{NotebookParameters.Tag}'");

        await OneAtATime.WaitAsync(cancel);
        var previousDirectory = Environment.CurrentDirectory;
        try
        {
            Environment.CurrentDirectory = directory;
            var options = BaseOptions(directory);
            var globals = new NotebookGlobals();
            ScriptState<object>? state = null;
            int executionCount = 0, done = 0;
            for (int i = 0; i < executed.Cells.Count; i++)
            {
                var cell = executed.Cells[i];
                if (cell.Kind != CellKind.Code) continue;
                int position = SourcePosition(executed, i);
                progress?.Report(new WorkProgress("run notebook", done, codeCells, Describe(cell, position)));
                cell.Outputs.Clear();
                cell.ExecutionCount = ++executionCount;
                try
                {
                    if (cell.Language != "csharp")
                        throw new NotebookCellException($"the cell's kernel is '{cell.Language}'; the headless runner runs C# cells only");
                    (state, options) = await RunCell(cell, state, options, globals, executionCount, progress, cancel);
                    if (IsParametersCell(cell) && parameters.Count > 0)
                    {
                        var injected = NotebookCell.Code(NotebookParameters.InjectedSource(parameters, state!.Variables), NotebookParameters.InjectedTag);
                        injected.Id = "injected-parameters";
                        executed.Cells.Insert(i + 1, injected);
                    }
                }
                catch (NotebookCellException e)
                {
                    cell.Outputs.Add(CellOutput.Error(e.InnerException?.GetType().Name ?? "CellError", e.Message));
                    for (int j = i + 1; j < executed.Cells.Count; j++) { executed.Cells[j].Outputs.Clear(); executed.Cells[j].ExecutionCount = null; }
                    return Fail(executed, cell, position, e.Message) with { Warnings = Warnings(ChartOutputs.Finish(executed, progress, cancel)) };
                }
                done++;
            }
            progress?.Report(new WorkProgress("run notebook", codeCells, codeCells));
            return new NotebookRunResult(executed, null) { Warnings = Warnings(ChartOutputs.Finish(executed, progress, cancel)) };
        }
        finally
        {
            Environment.CurrentDirectory = previousDirectory;
            OneAtATime.Release();
        }
    }

    sealed class OutsideCapture(IProgress<WorkProgress> inner) : IProgress<WorkProgress>
    {
        public void Report(WorkProgress value)
        {
            using (ConsoleCapture.Suspend()) inner.Report(value);
        }
    }

    static string[] Warnings(params string?[] warnings) => warnings.OfType<string>().ToArray();

    /// <summary>"cell 6: var cooldown = MeCoAblations.Cooldown(corpus)…": the cell's first line of code, for progress lines.</summary>
    static string Describe(NotebookCell cell, int position)
    {
        // The first line of work: not a comment, directive, using, or the display/ProgressDisplay set-up.
        var line = cell.Source.Split('\n').Select(l => l.Trim())
            .FirstOrDefault(l => l.Length > 0 && !l.StartsWith("//") && !l.StartsWith('#') && !l.StartsWith("using ")
                                 && !l.Contains("display(", StringComparison.Ordinal) && !l.Contains(nameof(Reports.ProgressDisplay), StringComparison.Ordinal));
        if (line is null) return $"cell {position}";
        return $"cell {position}: {(line.Length > 60 ? line[..59] + "…" : line)}";
    }

    static async Task<(ScriptState<object>, ScriptOptions)> RunCell(NotebookCell cell, ScriptState<object>? state, ScriptOptions options,
        NotebookGlobals globals, int executionCount, IProgress<WorkProgress>? progress, CancellationToken cancel)
    {
        var gate = new object();
        var directives = CellDirectives.Process(cell.Source, KitAssemblies.Current);
        foreach (var note in directives.Notes) cell.Outputs.Add(CellOutput.Stream("stderr", note + "\n"));
        options = options.AddReferences(directives.References);
        var script = state is null
            ? CSharpScript.Create(directives.Code, options, typeof(NotebookGlobals))
            : state.Script.ContinueWith(directives.Code, options);
        var errors = script.Compile(cancel).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
            throw new NotebookCellException(string.Join("\n", errors.Select(FormatDiagnostic)));

        globals.Show = output =>
        {
            lock (gate) cell.Outputs.Add(output);
            return new DisplayedValue(output, gate);
        };
        void Write(string stream, string text)
        {
            lock (gate)
            {
                if (cell.Outputs.LastOrDefault() is { OutputType: "stream" } last && last.StreamName == stream) last.Text += text;
                else cell.Outputs.Add(CellOutput.Stream(stream, text));
            }
        }

        ScriptState<object> next;
        // This cell's flow only (an async method restores it on return); written to the real console, not the cell.
        Reports.ProgressDisplay.Mirror = progress is null ? null : new OutsideCapture(progress);
        using (ConsoleCapture.Begin(Write))
        {
            next = state is null
                ? await script.RunAsync(globals, _ => true, cancel)
                : await script.RunFromAsync(state, _ => true, cancel);
        }
        if (next.Exception is { } e)
        {
            var inner = e is TargetInvocationException { InnerException: { } ie } ? ie : e;
            throw new NotebookCellException($"{inner.GetType().Name}: {inner.Message}", inner);
        }
        if (HasTrailingValue(script.GetCompilation()))
            lock (gate) cell.Outputs.Add(OutputFormatter.Output("execute_result", next.ReturnValue, executionCount));
        return (next, options);
    }

    /// <summary>Whether the cell ends in an expression without a semicolon whose type is not void (its value is shown).</summary>
    static bool HasTrailingValue(Compilation compilation)
    {
        var tree = compilation.SyntaxTrees.Single();
        var last = ((CompilationUnitSyntax)tree.GetRoot()).Members.LastOrDefault() as GlobalStatementSyntax;
        if (last?.Statement is not ExpressionStatementSyntax { SemicolonToken.IsMissing: true } statement) return false;
        var type = compilation.GetSemanticModel(tree).GetTypeInfo(statement.Expression).Type;
        return type is not null && type.SpecialType != SpecialType.System_Void;
    }

    static ScriptOptions BaseOptions(string directory) =>
        ScriptOptions.Default
            .WithFilePath(Path.Combine(directory, "notebook.csx"))
            .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(directory))
            .WithSourceResolver(ScriptSourceResolver.Default.WithBaseDirectory(directory))
            .WithReferences(KitAssemblies.FrameworkAssemblies().Select(p => MetadataReference.CreateFromFile(p)))
            .AddReferences(typeof(NotebookGlobals).Assembly, typeof(WorkProgress).Assembly)
            .WithImports(DefaultImports)
            .WithAllowUnsafe(true)
            .WithEmitDebugInformation(false);

    static string FormatDiagnostic(Diagnostic d)
    {
        var span = d.Location.GetLineSpan();
        return d.Location.IsInSource
            ? $"({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1}): error {d.Id}: {d.GetMessage()}"
            : $"error {d.Id}: {d.GetMessage()}";
    }

    static bool IsParametersCell(NotebookCell c) => c.Kind == CellKind.Code && c.Tags.Contains(NotebookParameters.Tag);

    /// <summary>Position in the source notebook (1-based), not counting the injected parameters cell.</summary>
    static int SourcePosition(Notebook executed, int index) =>
        executed.Cells.Take(index + 1).Count(c => !c.Tags.Contains(NotebookParameters.InjectedTag))
        + (executed.Cells[index].Tags.Contains(NotebookParameters.InjectedTag) ? 1 : 0);

    static NotebookRunResult Fail(Notebook executed, NotebookCell? cell, int position, string message)
    {
        var where = position > 0 ? $"cell {position}" : "before the first cell";
        var banner = NotebookCell.Markdown($"**Run failed at {where}** (`rk notebook run`): {message.Split('\n')[0]}\n\nCells after it were not run.");
        banner.Id = "rk-run-failed";
        banner.Metadata["tags"] = new JsonArray("rk-run-failed");
        executed.Cells.Insert(0, banner);
        if (cell is not null) cell.Metadata["tags"] = new JsonArray(cell.Tags.Append("rk-failed-cell").Select(t => (JsonNode)t).ToArray());
        return new NotebookRunResult(executed, new NotebookFailure(position, message));
    }

    static Notebook Copy(Notebook nb) => new()
    {
        Metadata = (JsonObject)nb.Metadata.DeepClone(),
        FormatMinor = nb.FormatMinor,
        Cells = nb.Cells.Select(c => new NotebookCell
        {
            Id = c.Id, Kind = c.Kind, Source = c.Source, Metadata = (JsonObject)c.Metadata.DeepClone(),
            ExecutionCount = c.ExecutionCount, Outputs = [.. c.Outputs],
        }).ToList(),
    };
}
