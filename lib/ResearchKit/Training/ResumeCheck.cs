using System.Text.Json;
using System.Text.Json.Nodes;
using ResearchKit.Experiments;
using ResearchKit.Integrity;

namespace ResearchKit.Training;

/// <summary>
/// Whether a checkpoint belongs to the run about to resume it: the same experiment, i.e. every hashed field of the
/// <see cref="TrainConfig"/> (seed, steps, schedule, optimizer, model, data and packing settings, phases, objective)
/// and the same data (<see cref="DataFingerprint"/>). Fields marked <see cref="NotHashedAttribute"/> (device, output
/// folder, checkpoint cadence, StopAfterStep, PeakFlops) may change between the two.
/// </summary>
static class ResumeCheck
{
    /// <exception cref="ArgumentException">The checkpoint is from another experiment; the message lists every difference.</exception>
    public static void Require(string checkpoint, CheckpointHeader header, TrainConfig config, DataFingerprint data)
    {
        if (header.Config is null || header.Data is null)
            throw new ArgumentException($"{checkpoint} was written by an older kit and holds neither the run's config nor a fingerprint of its data, so it " +
                                        "cannot be checked against this run: start a new --out (or delete the checkpoint to retrain)");
        TrainConfig stored;
        try { stored = header.Config.Deserialize<TrainConfig>(KitJson.Files) ?? throw new JsonException("null config"); }
        catch (JsonException e) { throw new DataFormatException(checkpoint, null, "Config", $"the stored training config is unreadable: {e.Message}", e); }
        var differences = Differences(stored, config).Concat(header.Data.Differences(data)).ToList();
        if (differences.Count > 0)
            throw new ArgumentException($"{checkpoint} is from a different experiment; resuming it would continue another run. Differences " +
                                        $"(checkpoint -> this run): {string.Join("; ", differences)}. Use the checkpoint's settings, or another --out for a new run");
    }

    /// <summary>Every hashed config field that differs, as "path: old -> new".</summary>
    public static IReadOnlyList<string> Differences(TrainConfig before, TrainConfig after)
    {
        var list = new List<string>();
        Walk(JsonNode.Parse(ConfigHash.CanonicalJson(before)), JsonNode.Parse(ConfigHash.CanonicalJson(after)), "", list);
        return list;
    }

    static void Walk(JsonNode? a, JsonNode? b, string path, List<string> into)
    {
        if (a is JsonObject oa && b is JsonObject ob)
        {
            foreach (var key in oa.Select(p => p.Key).Union(ob.Select(p => p.Key)).Order(StringComparer.Ordinal))
                Walk(oa[key], ob[key], path.Length == 0 ? key : $"{path}.{key}", into);
            return;
        }
        if (a is JsonArray aa && b is JsonArray ab && aa.Count == ab.Count)
        {
            for (int i = 0; i < aa.Count; i++) Walk(aa[i], ab[i], $"{path}[{i}]", into);
            return;
        }
        if (!JsonNode.DeepEquals(a, b)) into.Add($"{path}: {Show(a)} -> {Show(b)}");
    }

    static string Show(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return text.Length <= 80 ? text : text[..77] + "...";
    }
}
