using System.Text.Json.Nodes;

namespace ResearchKit.Pipeline;

/// <summary>
/// Documents one shard read from each input file, saved in its stats as <c>read_per_file</c>. An input file without
/// documents is an error in a whole read; in a sharded one only the sum over all shards can tell, at the merge.
/// </summary>
public sealed class DocumentsPerFile(IReadOnlyList<string> files)
{
    const string StatsKey = "read_per_file";
    readonly long[] _read = new long[files.Count];
    readonly Dictionary<string, int> _index = files.Select((f, i) => (f, i)).ToDictionary(p => p.f, p => p.i);

    public void Add(string file, long documents) => _read[_index[file]] += documents;

    public long Total => _read.Sum();

    /// <summary>Adds the <c>read_per_file</c> entry to a shard's stats.</summary>
    public void AddTo(JsonObject shardStats) => shardStats[StatsKey] = new JsonArray(_read.Select(r => (JsonNode)r).ToArray());

    /// <exception cref="DataFormatException">An input file (from the manifest's <c>input.files</c>) that no shard read a
    /// document from.</exception>
    public static void RequireEveryFile(JsonObject manifestConfig, IReadOnlyList<JsonObject> shardStats)
    {
        var paths = manifestConfig["input"]!["files"]!.AsArray().Select(f => f!["path"]!.GetValue<string>()).ToArray();
        for (int f = 0; f < paths.Length; f++)
            if (shardStats.Sum(s => s[StatsKey]![f]!.GetValue<long>()) == 0)
                throw new DataFormatException(paths[f], null, null, "no documents (empty file)");
    }
}
