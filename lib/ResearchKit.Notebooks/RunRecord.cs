using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ResearchKit.Experiments;

namespace ResearchKit.Notebooks;

/// <summary>
/// How an executed notebook was made, kept in its metadata (<c>metadata.researchkit.run</c>, which Jupyter and VS Code
/// leave alone): the command, the parameters, wall time and <see cref="Experiments.Provenance"/>. A results gallery
/// entry (<see cref="ResultsGallery"/>) is made from it.
/// </summary>
public sealed record RunRecord
{
    public const string MetadataKey = "researchkit";

    /// <summary>The source notebook, relative to the repository root when it is in one.</summary>
    public string Notebook { get; init; } = "";
    /// <summary>E.g. <c>rk notebook run notebooks/01-meco.ipynb --param preset=tiny</c>, paths relative to the repository.</summary>
    public string Command { get; init; } = "";
    public Dictionary<string, string> Parameters { get; init; } = new();
    public double WallSeconds { get; init; }
    public bool Succeeded { get; init; }
    public Provenance Provenance { get; init; } = new();

    /// <summary>Stores the record in the notebook's metadata.</summary>
    public void WriteTo(Notebook notebook)
    {
        var section = notebook.Metadata[MetadataKey] as JsonObject ?? new JsonObject();
        section["run"] = JsonSerializer.SerializeToNode(this, RunRecordJson.Default.RunRecord);
        notebook.Metadata[MetadataKey] = section;
    }

    /// <summary>The record an executed notebook carries, or null when it was not run by <c>rk notebook run</c>.</summary>
    public static RunRecord? ReadFrom(Notebook notebook, string path)
    {
        if (notebook.Metadata[MetadataKey]?["run"] is not JsonObject run) return null;
        try { return run.Deserialize(RunRecordJson.Default.RunRecord); }
        catch (JsonException e) { throw new DataFormatException(path, null, "metadata.researchkit.run", $"not a run record: {e.Message}", e); }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RunRecord))]
partial class RunRecordJson : JsonSerializerContext;
