using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ResearchKit.Experiments;

/// <summary>
/// What produced a result, for a reader who was not there: the commit (and whether the working tree had changes), the
/// date, the kit's and TorchSharp's versions, the device, and the machine (cores, GPU). No absolute paths and no user
/// or host names, so it can be shared as is. Saved as <see cref="FileName"/> beside results.
/// </summary>
public sealed record Provenance
{
    public const string FileName = "provenance.json";

    /// <summary>Full commit hash; null when not run from a git checkout.</summary>
    public string? Commit { get; init; }
    /// <summary>Tracked files differed from <see cref="Commit"/>.</summary>
    public bool? LocalChanges { get; init; }
    public DateTimeOffset Date { get; init; }
    public string KitVersion { get; init; } = "";
    public string TorchSharpVersion { get; init; } = "";
    /// <summary>cpu, cuda, cuda:N as the run used it; null when unknown.</summary>
    public string? Device { get; init; }
    public int Cores { get; init; }
    /// <summary>GPU model(s) as <c>nvidia-smi</c> names them, or null when the machine has none.</summary>
    public string? Gpu { get; init; }
    public string Os { get; init; } = "";
    public string DotNet { get; init; } = "";

    /// <summary>The provenance of work done now in <paramref name="directory"/> (any folder of the checkout).</summary>
    /// <param name="device">The device the work ran on; defaults to the initialised <see cref="Runtime.TorchRuntime"/>'s.</param>
    public static Provenance Capture(string directory, string? device = null) => new()
    {
        Commit = GitRepository.Head(directory),
        LocalChanges = GitRepository.HasLocalChanges(directory),
        Date = DateTimeOffset.UtcNow,
        KitVersion = Version(typeof(Provenance).Assembly),
        TorchSharpVersion = Version(typeof(TorchSharp.torch).Assembly),
        Device = device ?? Runtime.TorchRuntime.Current?.Device,
        Cores = Environment.ProcessorCount,
        Gpu = GpuNames(),
        Os = RuntimeInformation.OSDescription,
        DotNet = RuntimeInformation.FrameworkDescription,
    };

    /// <summary>Rows for a header: (label, value), e.g. ("commit", "3b9ad40e1c2f (with local changes)").</summary>
    public IReadOnlyList<(string Label, string Value)> Describe() =>
    [
        ("commit", Commit is null ? "unknown (not a git checkout)" : Commit[..Math.Min(12, Commit.Length)] + (LocalChanges == true ? " (with local changes)" : "")),
        ("date", Date.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture)),
        ("ResearchKit", KitVersion),
        ("TorchSharp", TorchSharpVersion),
        ("device", Device ?? "unknown"),
        ("machine", $"{Cores} cores, {Gpu ?? "no GPU"}, {Os}"),
        (".NET", DotNet),
    ];

    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, ProvenanceJson.Default.Provenance));

    /// <summary>The provenance saved at <paramref name="path"/>, or null when there is none.</summary>
    /// <exception cref="DataFormatException">The file is not a provenance record.</exception>
    public static Provenance? TryRead(string path)
    {
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize(File.ReadAllText(path), ProvenanceJson.Default.Provenance) ?? throw new JsonException("empty"); }
        catch (JsonException e) { throw new DataFormatException(path, e.LineNumber + 1, e.Path, $"not a provenance record: {e.Message}", e); }
    }

    static string Version(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var version = informational ?? assembly.GetName().Version?.ToString() ?? "unknown";
        int plus = version.IndexOf('+');   // "1.0.0+<40-hex source revision>": keep a short revision
        return plus >= 0 && version.Length > plus + 13 ? version[..(plus + 13)] : version;
    }

    static string? GpuNames()
    {
        try
        {
            var psi = new ProcessStartInfo("nvidia-smi", ["--query-gpu=name", "--format=csv,noheader"]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var p = Process.Start(psi);
            if (p is null) return null;
            var output = p.StandardOutput.ReadToEndAsync();
            p.StandardError.ReadToEnd();
            if (!p.WaitForExit(10_000)) { p.Kill(); return null; }
            var names = output.GetAwaiter().GetResult().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return p.ExitCode != 0 || names.Length == 0 ? null
                : string.Join(", ", names.GroupBy(n => n).Select(g => g.Count() > 1 ? $"{g.Count()} × {g.Key}" : g.Key));
        }
        catch (System.ComponentModel.Win32Exception) { return null; }   // no nvidia-smi: no NVIDIA GPU
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Provenance))]
partial class ProvenanceJson : JsonSerializerContext;
