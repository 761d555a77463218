using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ResearchKit.Experiments;

/// <summary>
/// Canonical JSON of a config (properties sorted by name at every level, enums as names, spec kinds included, no
/// whitespace, <see cref="NotHashedAttribute"/> properties left out) and its SHA-256: equal configs give equal
/// hashes on every run and platform, and any field that changes what is computed changes the hash.
/// </summary>
public static class ConfigHash
{
    public static string CanonicalJson<T>(T config) => Sort(JsonSerializer.SerializeToNode(config, KitJson.Hashing))?.ToJsonString() ?? "null";

    /// <summary>Lower-case hex SHA-256 of <see cref="CanonicalJson{T}"/>.</summary>
    public static string Of<T>(T config) => Sha256(CanonicalJson(config));

    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>The whole config (nothing left out) with sorted properties, for humans (config.json).</summary>
    public static JsonNode? ToNode<T>(T config) => Sort(JsonSerializer.SerializeToNode(config, KitJson.Files));

    internal static JsonNode? Sort(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Sort(p.Value?.DeepClone())))),
        JsonArray a => new JsonArray(a.Select(x => Sort(x?.DeepClone())).ToArray()),
        _ => node?.DeepClone(),
    };
}
