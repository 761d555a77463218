using System.Text.Json;
using System.Text.Json.Nodes;

namespace ResearchKit.Packing;

/// <summary>
/// A domain-weight vector on disk in the DoReMi reference repo's config layout,
/// <c>{"train_domain_weights": {"domain": weight, ...}}</c>, so weights move between the two.
/// </summary>
public static class DomainWeights
{
    public const string FileName = "domain_weights.json";

    public static void Write(string path, IReadOnlyList<string> domains, IReadOnlyList<double> weights)
    {
        if (domains.Count != weights.Count) throw new ArgumentException($"{weights.Count} weights for {domains.Count} domains");
        var map = new JsonObject();
        for (int i = 0; i < domains.Count; i++) map[domains[i]] = weights[i];
        AtomicFile.WriteAllText(path, new JsonObject { ["train_domain_weights"] = map }.ToJsonString(KitJson.Files));
    }

    /// <summary>Reads weights for <paramref name="domains"/> (in that order). Every domain must be in the file and no
    /// other; weights must be finite, non-negative and not all zero.</summary>
    public static double[] Read(string path, IReadOnlyList<string> domains)
    {
        JsonObject map;
        try
        {
            map = (JsonNode.Parse(File.ReadAllText(path)) as JsonObject)?["train_domain_weights"] as JsonObject
                  ?? throw new DataFormatException(path, null, "train_domain_weights", "missing: expected {\"train_domain_weights\": {\"domain\": weight, ...}}");
        }
        catch (JsonException e) { throw new DataFormatException(path, e.LineNumber + 1, null, $"not valid JSON: {e.Message}", e); }
        var unknown = map.Select(p => p.Key).Except(domains).ToList();
        if (unknown.Count > 0) throw new DataFormatException(path, null, "train_domain_weights", $"domains not in the corpus: {string.Join(", ", unknown)} (the corpus has {string.Join(", ", domains)})");
        var weights = new double[domains.Count];
        for (int i = 0; i < domains.Count; i++)
        {
            var field = $"train_domain_weights.{domains[i]}";
            if (map[domains[i]] is not JsonValue v || !v.TryGetValue(out double w))
                throw new DataFormatException(path, null, field, "missing or not a number: every corpus domain needs a weight");
            if (!double.IsFinite(w) || w < 0) throw new DataFormatException(path, null, field, $"weight {w} must be finite and non-negative");
            weights[i] = w;
        }
        if (weights.Sum() <= 0) throw new DataFormatException(path, null, "train_domain_weights", "all weights are zero");
        return weights;
    }
}
