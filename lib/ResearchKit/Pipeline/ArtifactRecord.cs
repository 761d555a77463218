using System.Text.Json;
using System.Text.Json.Nodes;

namespace ResearchKit.Pipeline;

/// <summary>
/// <c>artifact.json</c>, written last into a finished stage's folder: the completion marker and the provenance of what
/// the folder holds (stage, key, schema, config, inputs, corpus fingerprints, counters, when, where and how long).
/// </summary>
public sealed record ArtifactRecord(
    string Stage, string Key, int Schema, JsonNode? Config, IReadOnlyDictionary<string, string> Inputs, IReadOnlyDictionary<string, string> Corpora,
    IReadOnlyDictionary<string, double> Stats, DateTimeOffset Finished, double Seconds, string Machine, string Kit)
{
    public const string FileName = "artifact.json";

    public void Write(string directory) => AtomicFile.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, KitJson.Files));

    /// <summary>The record in <paramref name="directory"/>, or null when there is none (the stage did not finish).</summary>
    public static ArtifactRecord? Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<ArtifactRecord>(File.ReadAllText(path), KitJson.Files); }
        catch (JsonException e) { throw new DataFormatException(path, e.LineNumber + 1, e.Path, $"unreadable artifact record: {e.Message}; delete the folder to recompute it", e); }
    }

    internal static string MachineDescription => $"{Environment.MachineName}, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
    internal static string KitVersion => typeof(ArtifactRecord).Assembly.GetName().Version?.ToString() ?? "unknown";
}
