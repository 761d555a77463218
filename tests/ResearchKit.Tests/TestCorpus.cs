using ResearchKit.Corpus;
using ResearchKit.Tokenization;

namespace ResearchKit.Tests;

/// <summary>Real text for training tests: this repository's own C# sources, byte-tokenized, one domain per
/// library folder (Packing, Training, ...). Always present wherever the tests run.</summary>
static class TestCorpus
{
    public static string RepoRoot { get; } = FindRoot();

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ResearchKit.sln"))) return dir.FullName;
        throw new InvalidOperationException("ResearchKit.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Source files of the named library folders, as (domain, text).</summary>
    public static IReadOnlyList<(string Domain, string Text)> Documents(params string[] folders) =>
        folders.SelectMany(f => Directory.EnumerateFiles(Path.Combine(RepoRoot, "lib", "ResearchKit", f), "*.cs")
                                         .Order(StringComparer.Ordinal)
                                         .Select(p => (f, File.ReadAllText(p)))).ToList();

    public static InMemoryTokenDataset Bytes(params string[] folders) =>
        InMemoryTokenDataset.Tokenize(Documents(folders).Select((d, i) => new Document($"{d.Domain}/{i}", d.Text, d.Domain)).ToList(), ByteTokenizer.Instance);
}
