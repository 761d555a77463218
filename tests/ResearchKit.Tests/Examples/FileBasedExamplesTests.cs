using System.Diagnostics;

namespace ResearchKit.Tests.Examples;

/// <summary>Every examples/&lt;name&gt;.cs file-based app (one per notebook) runs with `dotnet run` at its CI setting and
/// writes its page; this is also what shows that the kit works in a file-based app.</summary>
[Collection("notebooks")]
public sealed class FileBasedExamplesTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("rk-examples-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static string ExamplesDir => Path.Combine(TestCorpus.RepoRoot, "examples");

    /// <summary>CI parameters per example, and how many charts its page shows; a new example must be added here.</summary>
    (string[] Args, int Charts) Ci(string example) => example switch
    {
        "00-quickstart.cs" => (["steps=30"], 3),
        "01-meco.cs" => (["preset=smoke", "seeds=2", $"results={Path.Combine(_dir, "results")}"], 6),
        "02-prox.cs" => (["preset=smoke", $"results={Path.Combine(_dir, "results")}"], 6),
        "03-packing.cs" => (["preset=smoke", "seeds=2", $"results={Path.Combine(_dir, "results")}"], 10),
        "04-doremi.cs" => (["preset=smoke", $"results={Path.Combine(_dir, "results")}"], 12),
        _ => throw new InvalidOperationException($"{example} has no CI parameters in {nameof(FileBasedExamplesTests)}"),
    };

    static string[] Names => Directory.GetFiles(ExamplesDir, "*.cs").Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToArray();
    public static IEnumerable<object[]> Examples() => Names.Select(n => new object[] { n });

    [Fact]
    public void EveryNotebookHasAnExampleThatUsesTheKitAsAJitApp()
    {
        var notebooks = Directory.GetFiles(Path.Combine(TestCorpus.RepoRoot, "notebooks"), "*.ipynb").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal);
        Assert.Equal(notebooks, Names.Select(Path.GetFileNameWithoutExtension));
        foreach (var name in Names)
        {
            var lines = File.ReadAllLines(Path.Combine(ExamplesDir, name));
            Assert.Contains("#:project ../lib/ResearchKit/ResearchKit.csproj", lines);
            Assert.Contains("#:property PublishAot=false", lines);   // reflection-based JSON and TorchSharp need the JIT
            Assert.True(Ci(name).Charts > 0);
        }
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task RunsWithDotnetRunAndWritesItsPage(string name)
    {
        var (args, charts) = Ci(name);
        var page = Path.Combine(_dir, Path.ChangeExtension(name, ".html"));
        var psi = new ProcessStartInfo("dotnet", ["run", Path.Combine(ExamplesDir, name), "--", .. args, $"out={page}"])
        {
            WorkingDirectory = _dir,   // the app finds the repository from its own file, not from where it starts
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            psi.Environment.Remove(key);   // the test host's MSBuild settings would leak into the app's build
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{name} exited with {process.ExitCode}:\n{stdout}\n{await stderr}");
        Assert.Contains($"wrote {page}", stdout);
        var html = File.ReadAllText(page);
        Assert.Equal(charts, html.Split("class=\"rk-chart\"").Length - 1);
        Assert.Contains("class=\"rk-table\"", html);
    }
}
