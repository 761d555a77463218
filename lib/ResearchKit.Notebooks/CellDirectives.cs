using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;

namespace ResearchKit.Notebooks;

/// <summary>Rewrites a cell's .NET Interactive directives for headless Roslyn scripting. <c>#r "nuget: X"</c> is
/// satisfied from the kit's own assemblies (nothing is downloaded); <c>#r "dir/Name.dll"</c> for an assembly the kit
/// already has uses the kit's copy (one copy per process, no stale build); other <c>#r</c>/<c>#load</c> paths
/// resolve against the notebook's folder. Directive lines become blank so compiler line numbers still match.</summary>
static partial class CellDirectives
{
    public sealed record Result(string Code, IReadOnlyList<MetadataReference> References, IReadOnlyList<string> Notes);

    [GeneratedRegex("""^\s*#r\s+"nuget:\s*(?<id>[^,"\s]+)\s*(,\s*(?<version>[^"\s]*))?\s*"\s*$""")]
    private static partial Regex NuGetReference();

    [GeneratedRegex("""^\s*#r\s+"(?<path>[^"]+\.dll)"\s*$""", RegexOptions.IgnoreCase)]
    private static partial Regex PathReference();

    [GeneratedRegex("""^\s*#i\s+"nuget:""")]
    private static partial Regex PackageSource();

    public static Result Process(string source, KitAssemblies kit)
    {
        var lines = source.ReplaceLineEndings("\n").Split('\n');
        var references = new List<MetadataReference>();
        var notes = new List<string>();
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.Trim();
            if (trimmed is "#!csharp" or "#!c#" or "#!C#") { lines[i] = ""; continue; }
            if (trimmed.StartsWith("#!"))
                throw new NotebookCellException($"line {i + 1}: magic command '{trimmed}' is not supported by the headless runner");
            if (PackageSource().IsMatch(line)) { lines[i] = ""; continue; }
            if (NuGetReference().Match(line) is { Success: true } nuget)
            {
                var id = nuget.Groups["id"].Value;
                var resolved = kit.ResolvePackage(id) ?? throw new NotebookCellException(
                    $"line {i + 1}: package '{id}' is not part of the kit; the headless runner only satisfies '#r \"nuget: ...\"' " +
                    "from the kit's own dependencies (add it to lib/ResearchKit, or reference a built .dll with #r \"path\")");
                var requested = nuget.Groups["version"].Value;
                if (requested != "" && resolved.KitVersion is { } kv && !kv.StartsWith(requested.TrimEnd('*', '-', '.'), StringComparison.OrdinalIgnoreCase))
                    notes.Add($"#r \"nuget: {id}, {requested}\" satisfied by the kit's {resolved.Package} {kv}");
                references.AddRange(resolved.AssemblyPaths.Select(p => MetadataReference.CreateFromFile(p)));
                lines[i] = "";
                continue;
            }
            if (PathReference().Match(line) is { Success: true } path
                && kit.AssemblyPath(Path.GetFileNameWithoutExtension(path.Groups["path"].Value)) is { } kitCopy)
            {
                references.Add(MetadataReference.CreateFromFile(kitCopy));
                lines[i] = "";
            }
        }
        return new Result(string.Join("\n", lines), references, notes);
    }
}

/// <summary>A cell that cannot run; the message says why (compile errors, a bad directive, an exception).</summary>
public sealed class NotebookCellException(string message, Exception? inner = null) : Exception(message, inner);
