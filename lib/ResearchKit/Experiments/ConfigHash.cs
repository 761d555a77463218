using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ResearchKit.Experiments;

/// <summary>
/// Canonical JSON of a config (properties sorted by name at every level, enums as names, no whitespace) and its
/// SHA-256: equal configs give equal hashes on every run and platform, and any changed field changes the hash.
/// </summary>
public static class ConfigHash
{
    static readonly JsonSerializerOptions Options = new()
    {
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string CanonicalJson<T>(T config) =>
        Sort(JsonSerializer.SerializeToNode(config, Options))?.ToJsonString() ?? "null";

    /// <summary>Lower-case hex SHA-256 of <see cref="CanonicalJson{T}"/>.</summary>
    public static string Of<T>(T config) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalJson(config))));

    /// <summary>The config as indented JSON with enums as names, for humans (config.json).</summary>
    public static JsonNode? ToNode<T>(T config) => Sort(JsonSerializer.SerializeToNode(config, Options));

    static JsonNode? Sort(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Sort(p.Value?.DeepClone())))),
        JsonArray a => new JsonArray(a.Select(x => Sort(x?.DeepClone())).ToArray()),
        _ => node?.DeepClone(),
    };
}
