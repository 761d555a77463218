using System.Text.Json;
using System.Text.Json.Serialization;
using ResearchKit.Experiments;

namespace ResearchKit.Notebooks;

/// <summary>One chart picture of a gallery entry, <paramref name="File"/> relative to the gallery folder.</summary>
public sealed record GalleryChart(string Title, string File);

/// <summary>
/// One method notebook's last full run in the results gallery (<c>entry.json</c> in its folder): what ran (command,
/// preset, seeds), where and when (commit, date, machine: <see cref="Provenance"/>), how long, and which files of the
/// repository it depends on (<see cref="Sources"/>: the notebook and the method's recipe), so a newer change to any of
/// them marks the entry stale.
/// </summary>
public sealed record GalleryEntry
{
    public const string FileName = "entry.json";

    /// <summary>The folder name in the gallery, e.g. <c>01-meco</c>.</summary>
    public string Name { get; init; } = "";
    public string Title { get; init; } = "";
    /// <summary>The source notebook, relative to the repository root.</summary>
    public string Notebook { get; init; } = "";
    public string Command { get; init; } = "";
    public string Preset { get; init; } = "";
    public string Seeds { get; init; } = "";
    /// <summary>Wall time of the run in seconds; null when not recorded.</summary>
    public double? WallSeconds { get; init; }
    public Provenance Provenance { get; init; } = new();
    /// <summary>Repository paths (files or folders) whose later changes make this entry stale.</summary>
    public List<string> Sources { get; init; } = [];
    /// <summary>The rendered notebook, relative to the gallery folder.</summary>
    public string Html { get; init; } = "";
    public List<GalleryChart> Charts { get; init; } = [];

    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, GalleryJson.Default.GalleryEntry) + "\n");

    public static GalleryEntry Read(string path)
    {
        try { return JsonSerializer.Deserialize(File.ReadAllText(path), GalleryJson.Default.GalleryEntry) ?? throw new JsonException("empty"); }
        catch (JsonException e) { throw new DataFormatException(path, e.LineNumber + 1, e.Path, $"not a gallery entry: {e.Message}", e); }
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(GalleryEntry))]
partial class GalleryJson : JsonSerializerContext;
