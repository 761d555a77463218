using System.Text.Json.Nodes;
using ResearchKit.Experiments;

namespace ResearchKit.Pipeline;

/// <summary>
/// A stage's cache key: SHA-256 of the canonical JSON of its kind, schema version, config, its inputs' keys by role and
/// the content fingerprints of its raw corpora (in order). The same corpus reached by two paths
/// (<c>../data-samples/sample.parquet</c> from a notebook, <c>data-samples/sample.parquet</c> from the root) gives one key.
/// </summary>
public static class StageKey
{
    public static string Of(IStage stage) => ConfigHash.Sha256(Canonical(stage).ToJsonString());

    internal static JsonObject Canonical(IStage stage) => new()
    {
        ["stage"] = stage.Name,
        ["schema"] = stage.SchemaVersion,
        ["config"] = JsonNode.Parse(ConfigHash.CanonicalJson(stage.KeyConfig)),
        ["inputs"] = new JsonObject(stage.Inputs.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => KeyValuePair.Create(i.Key, (JsonNode?)i.Value.Key))),
        ["corpora"] = new JsonArray(stage.Corpora.Select(c => (JsonNode)ContentFingerprint.Of(c)).ToArray()),
    };
}
