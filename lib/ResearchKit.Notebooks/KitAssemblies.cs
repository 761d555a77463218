using System.Reflection;
using System.Text.Json.Nodes;

namespace ResearchKit.Notebooks;

/// <summary>The packages and assemblies the running kit was built with, read from the host's <c>.deps.json</c>.
/// The headless runner satisfies <c>#r "nuget: ..."</c> from these instead of downloading anything.</summary>
sealed class KitAssemblies
{
    sealed record Library(string Name, string Version, List<string> Dependencies, List<string> Assemblies);

    readonly Dictionary<string, Library> _libraries = new(StringComparer.OrdinalIgnoreCase);
    readonly Dictionary<string, string> _assemblyPaths = new(StringComparer.OrdinalIgnoreCase);

    public static KitAssemblies Current { get; } = Load();

    /// <summary>Interactive-only packages: the runner itself provides what they add (display, HTML, formatters).</summary>
    static readonly Dictionary<string, string?> Interactive = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Plotly.NET.Interactive"] = "Plotly.NET",
        ["Microsoft.DotNet.Interactive"] = null,
        ["Microsoft.DotNet.Interactive.Formatting"] = null,
        ["Microsoft.DotNet.Interactive.CSharp"] = null,
    };

    static KitAssemblies Load()
    {
        var kit = new KitAssemblies();
        foreach (var a in AppDomain.CurrentDomain.GetAssemblies())
            if (!a.IsDynamic && a.Location != "") kit._assemblyPaths.TryAdd(a.GetName().Name!, a.Location);
        // The host's deps file (APP_CONTEXT_DEPS_FILES), and any beside the app (a test host runs from the tests' folder).
        var depsFiles = (AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(Directory.GetFiles(AppContext.BaseDirectory, "*.deps.json"))
            .Select(Path.GetFullPath).Distinct();
        foreach (var deps in depsFiles.Where(File.Exists))
        {
            if (JsonNode.Parse(File.ReadAllText(deps))?["targets"] is not JsonObject targets) continue;
            foreach (var (_, target) in targets)
            {
                if (target is not JsonObject entries) continue;
                foreach (var (key, entry) in entries)
                {
                    var slash = key.IndexOf('/');
                    if (slash < 0 || entry is null) continue;
                    var lib = new Library(key[..slash], key[(slash + 1)..],
                        (entry["dependencies"] as JsonObject)?.Select(d => d.Key).ToList() ?? [],
                        (entry["runtime"] as JsonObject)?.Select(r => Path.GetFileNameWithoutExtension(r.Key)).ToList() ?? []);
                    kit._libraries.TryAdd(lib.Name, lib);
                    foreach (var asm in lib.Assemblies)
                    {
                        var path = Path.Combine(Path.GetDirectoryName(deps)!, asm + ".dll");
                        if (File.Exists(path)) kit._assemblyPaths.TryAdd(asm, path);
                    }
                }
            }
        }
        return kit;
    }

    /// <summary>The path of the kit's copy of an assembly (by simple name), if the kit has one.</summary>
    public string? AssemblyPath(string simpleName)
    {
        var loaded = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => !a.IsDynamic && a.GetName().Name == simpleName && a.Location != "");
        return loaded?.Location ?? _assemblyPaths.GetValueOrDefault(simpleName);
    }

    public sealed record Resolved(string Package, string? KitVersion, IReadOnlyList<string> AssemblyPaths);

    /// <summary>The assemblies of <paramref name="package"/> and everything it depends on, or null when the kit
    /// does not carry that package.</summary>
    public Resolved? ResolvePackage(string package)
    {
        if (Interactive.TryGetValue(package, out var provides))
            return provides is null ? new Resolved(package, null, []) : ResolvePackage(provides);
        if (!_libraries.TryGetValue(package, out var root)) return null;
        var paths = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var stack = new Stack<Library>([root]);
        while (stack.TryPop(out var lib))
        {
            if (!seen.Add(lib.Name)) continue;
            foreach (var asm in lib.Assemblies)
                if (AssemblyPath(asm) is { } path) paths.Add(path);
            foreach (var dep in lib.Dependencies)
                if (_libraries.TryGetValue(dep, out var d)) stack.Push(d);
        }
        return new Resolved(root.Name, root.Version, paths);
    }

    public IEnumerable<string> PackageNames => _libraries.Keys.Order(StringComparer.OrdinalIgnoreCase);

    /// <summary>Framework assemblies every cell can use, as in .NET Interactive's C# kernel.</summary>
    public static IEnumerable<string> FrameworkAssemblies()
    {
        var runtimeDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        return (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => string.Equals(Path.GetDirectoryName(p), runtimeDir, StringComparison.Ordinal) && IsManaged(p));
    }

    static bool IsManaged(string path)
    {
        try { AssemblyName.GetAssemblyName(path); return true; }
        catch (BadImageFormatException) { return false; }
    }
}
