using System.Diagnostics;
using ResearchKit.Notebooks;

namespace ResearchKit.Tests.Notebooks;

[Collection("notebooks")]
public class NotebookRunnerTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("rk-nb-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static Notebook Make(params NotebookCell[] cells) => new() { Cells = cells.ToList() };

    NotebookRunResult Run(Notebook nb, Dictionary<string, string>? parameters = null) =>
        NotebookRunner.RunAsync(nb, _dir, parameters).GetAwaiter().GetResult();

    static string Plain(NotebookCell cell, string type = "execute_result") =>
        cell.Outputs.Single(o => o.OutputType == type).Data["text/plain"];

    [Fact]
    public void LaterCellsSeeEarlierVariablesAndTrailingExpressionsAreOutputs()
    {
        var result = Run(Make(
            NotebookCell.Code("var xs = new[] { 3, 4, 5 };"),
            NotebookCell.Code("var total = xs.Sum() * 2;\nConsole.WriteLine($\"total {total}\");"),
            NotebookCell.Code("total + 1")));
        Assert.True(result.Succeeded, result.Failure?.Message);
        var cells = result.Notebook.Cells;
        Assert.Empty(cells[0].Outputs);
        Assert.Equal("total 24\n", cells[1].Outputs.Single().Text);
        Assert.Equal("stdout", cells[1].Outputs.Single().StreamName);
        Assert.Equal("25", Plain(cells[2]));
        Assert.Equal([1, 2, 3], cells.Select(c => c.ExecutionCount!.Value));
    }

    [Fact]
    public void StatementsAndVoidCallsProduceNoResult()
    {
        var result = Run(Make(NotebookCell.Code("var a = 1;"), NotebookCell.Code("Console.Write(\"\")"), NotebookCell.Code("a")));
        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Empty(result.Notebook.Cells[0].Outputs);
        Assert.Empty(result.Notebook.Cells[1].Outputs);
        Assert.Equal("1", Plain(result.Notebook.Cells[2]));
    }

    [Fact]
    public void DisplayedDataFrameIsAnEscapedHtmlTable()
    {
        var result = Run(Make(NotebookCell.Code("""
            #r "nuget: Microsoft.Data.Analysis"
            using Microsoft.Data.Analysis;
            var df = new DataFrame(new StringDataFrameColumn("arm", new[] { "base", "<meco>" }),
                                   new PrimitiveDataFrameColumn<double>("loss", new[] { 3.14159, 2.5 }));
            display(df);
            """)));
        Assert.True(result.Succeeded, result.Failure?.Message);
        var html = result.Notebook.Cells[0].Outputs.Single(o => o.OutputType == "display_data").Data["text/html"];
        Assert.Equal(
            "<div class=\"rk-scroll\" style=\"overflow-x:auto\"><table class=\"rk-table\"><thead><tr><th>arm</th><th>loss</th></tr></thead><tbody>" +
            "<tr><td>base</td><td class=\"num\">3.142</td></tr><tr><td>&lt;meco&gt;</td><td class=\"num\">2.5</td></tr></tbody></table></div>", html);
    }

    [Fact]
    public void DisplayUpdateKeepsTheLastState()
    {
        var result = Run(Make(NotebookCell.Code("""
            var view = display(HTML("<b>0</b>"));
            for (int i = 1; i <= 3; i++) view.Update(HTML($"<b>{i}</b>"));
            """)));
        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal("<b>3</b>", result.Notebook.Cells[0].Outputs.Single().Data["text/html"]);
    }

    [Fact]
    public void ParametersAreInjectedAfterTheTaggedCellAndTypedByTheDeclaration()
    {
        var nb = Make(
            NotebookCell.Code("int steps = 100;\ndouble lr = 0.1;\nstring run = \"default\";", NotebookParameters.Tag),
            NotebookCell.Code("$\"{steps}|{lr * 2}|{run}\""));
        var result = Run(nb, new() { ["steps"] = "7", ["lr"] = "0.25", ["run"] = "42" });
        Assert.True(result.Succeeded, result.Failure?.Message);
        var injected = result.Notebook.Cells[1];
        Assert.Contains(NotebookParameters.InjectedTag, injected.Tags);
        Assert.Equal("// Parameters injected by rk notebook run\nsteps = 7;\nlr = 0.25d;\nrun = \"42\";", injected.Source);
        Assert.Equal("\"7|0.5|42\"".Trim('"'), Plain(result.Notebook.Cells[2]));
        Assert.Equal("100|0.2|default", Plain(Run(nb).Notebook.Cells[1]));
        Assert.Equal(2, nb.Cells.Count);   // the input notebook is not modified
    }

    [Fact]
    public void UndeclaredOrMistypedParametersFailClearly()
    {
        var nb = Make(NotebookCell.Code("int steps = 1;", NotebookParameters.Tag), NotebookCell.Code("steps"));
        var undeclared = Run(nb, new() { ["epochs"] = "3" });
        Assert.Contains("parameter 'epochs' is not declared", undeclared.Failure!.Message);
        var mistyped = Run(nb, new() { ["steps"] = "many" });
        Assert.Contains("parameter 'steps' = 'many' is not a valid Int32", mistyped.Failure!.Message);
    }

    [Fact]
    public void FailingCellStopsTheRunAndIsMarked()
    {
        var result = Run(Make(
            NotebookCell.Markdown("# Title"),
            NotebookCell.Code("var a = 1;"),
            NotebookCell.Code("throw new InvalidOperationException(\"boom\");"),
            NotebookCell.Code("a")));
        Assert.Equal(3, result.Failure!.Cell);
        Assert.Equal("InvalidOperationException: boom", result.Failure.Message);
        var cells = result.Notebook.Cells;
        Assert.Contains("rk-run-failed", cells[0].Tags);
        Assert.Contains("Run failed at cell 3", cells[0].Source);
        var error = cells[3].Outputs.Single();
        Assert.Equal(("error", "InvalidOperationException"), (error.OutputType, error.ErrorName));
        Assert.Null(cells[4].ExecutionCount);
    }

    [Fact]
    public void CompileErrorsNameTheLineInTheCell()
    {
        var result = Run(Make(NotebookCell.Code("var a = 1;\nvar b = a + undefinedName;")));
        Assert.Equal(1, result.Failure!.Cell);
        Assert.StartsWith("(2,13): error CS0103: The name 'undefinedName' does not exist", result.Failure.Message);
    }

    [Fact]
    public void NuGetReferencesAreSatisfiedFromTheKitAndUnknownPackagesFail()
    {
        var ok = Run(Make(NotebookCell.Code("""
            #r "nuget: Plotly.NET.Interactive, 6.0.0"
            #r "nuget: Parquet.Net"
            typeof(Plotly.NET.GenericChart).Assembly.GetName().Name + "," + typeof(Parquet.ParquetReader).Assembly.GetName().Name
            """)));
        Assert.True(ok.Succeeded, ok.Failure?.Message);
        Assert.Equal("Plotly.NET,Parquet", Plain(ok.Notebook.Cells[0]));

        var unknown = Run(Make(NotebookCell.Code("#r \"nuget: Definitely.Not.A.Kit.Package, 1.0.0\"\n1")));
        Assert.Equal(1, unknown.Failure!.Cell);
        Assert.StartsWith("line 1: package 'Definitely.Not.A.Kit.Package' is not part of the kit", unknown.Failure.Message);
    }

    [Fact]
    public void PathReferenceToAKitAssemblyUsesTheLoadedCopyAndCellsRunInTheNotebookFolder()
    {
        File.WriteAllText(Path.Combine(_dir, "data.txt"), "hello from the notebook folder");
        var result = Run(Make(NotebookCell.Code("""
            #r "../lib/ResearchKit/bin/Debug/net10.0/ResearchKit.dll"
            (typeof(ResearchKit.WorkProgress).Assembly == typeof(ResearchKit.Reports.HtmlString).Assembly) + " " + File.ReadAllText("data.txt")
            """)));
        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal("True hello from the notebook folder", Plain(result.Notebook.Cells[0]));
    }

    [Fact]
    public void IpynbIsWrittenWithStableFormatting()
    {
        var nb = Make(NotebookCell.Markdown("# Hi\ntext"), NotebookCell.Code("1 + 1"));
        var executed = Run(nb).Notebook;
        var text = NotebookFile.Format(executed);
        Assert.Equal("""
            {
             "cells": [
              {
               "cell_type": "markdown",
               "id": "cell-1",
               "metadata": {},
               "source": [
                "# Hi\n",
                "text"
               ]
              },
              {
               "cell_type": "code",
               "execution_count": 1,
               "id": "cell-2",
               "metadata": {
                "dotnet_interactive": {
                 "language": "csharp"
                },
                "polyglot_notebook": {
                 "kernelName": "csharp"
                }
               },
               "outputs": [
                {
                 "data": {
                  "text/plain": [
                   "2"
                  ]
                 },
                 "execution_count": 1,
                 "metadata": {},
                 "output_type": "execute_result"
                }
               ],
               "source": [
                "1 + 1"
               ]
              }
             ],
             "metadata": {
              "kernelspec": {
               "display_name": ".NET (C#)",
               "language": "C#",
               "name": ".net-csharp"
              },
              "language_info": {
               "name": "polyglot-notebook"
              },
              "polyglot_notebook": {
               "kernelInfo": {
                "defaultKernelName": "csharp",
                "items": [
                 {
                  "aliases": [],
                  "name": "csharp"
                 }
                ]
               }
              }
             },
             "nbformat": 4,
             "nbformat_minor": 5
            }

            """, text);
        var path = Path.Combine(_dir, "x.ipynb");
        NotebookFile.Write(executed, path);
        var bytes = File.ReadAllBytes(path);
        Assert.NotEqual(0xEF, bytes[0]);   // no BOM
        Assert.Equal(text, NotebookFile.Format(NotebookFile.Read(path)));   // round-trips byte for byte
    }

    [Fact]
    public void HtmlRenderingEmbedsPlotlyJsOnceAndLoadsNothingFromTheNetwork()
    {
        var result = Run(Make(
            NotebookCell.Markdown("## Loss\nA *small* chart."),
            NotebookCell.Code(ChartCell("a")),
            NotebookCell.Code(ChartCell("b"))));
        Assert.True(result.Succeeded, result.Failure?.Message);
        var html = NotebookHtml.Render(result.Notebook, "charts");
        Assert.Contains("<h2>Loss</h2>", html);
        Assert.Contains("<p>A <em>small</em> chart.</p>", html);
        Assert.Equal(1, Count(html, "data-plotly-js="));
        Assert.Contains("Plotly.newPlot", html);
        Assert.DoesNotContain("<script src=\"http", html);
        Assert.DoesNotMatch("<script[^>]*\\ssrc=", html);   // plotly.js itself mentions cdn.plot.ly as a default; nothing loads it
    }

    [Fact]
    public void CliRunWritesOutputsAndExitsNonZeroNamingTheFailingCell()
    {
        var nbPath = Path.Combine(_dir, "fails.ipynb");
        NotebookFile.Write(Make(NotebookCell.Code("var a = 2;"), NotebookCell.Code("a / (a - 2)")), nbPath);
        var psi = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "rk.dll"), "notebook", "run", nbPath, "--out", Path.Combine(_dir, "out")])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(2, p.ExitCode);
        Assert.Contains("cell 2 failed: DivideByZeroException", stdout.Replace("\n", ""));
        var executed = NotebookFile.Read(Path.Combine(_dir, "out", "fails.ipynb"));
        Assert.Equal("DivideByZeroException", executed.Cells[2].Outputs.Single().ErrorName);
        Assert.Contains("Run failed at cell 2", File.ReadAllText(Path.Combine(_dir, "out", "fails.html")));
    }

    internal static string ChartCell(string name) => $$"""
        #r "nuget: Plotly.NET.CSharp"
        Plotly.NET.CSharp.Chart.Line<int, int, string>(x: new[] { 1, 2, 3 }, y: new[] { 1, 4, 9 }, Name: "{{name}}")
        """;

    static int Count(string s, string part) => (s.Length - s.Replace(part, "").Length) / part.Length;
}
