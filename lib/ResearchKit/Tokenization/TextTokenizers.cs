using System.Text.Json;
using System.Text.Json.Nodes;

namespace ResearchKit.Tokenization;

/// <summary>Tokenizers by name, and their descriptions as saved in a token dataset.</summary>
public static class TextTokenizers
{
    public static IReadOnlyList<string> Names { get; } = ["bytes", "cl100k_base", "o200k_base"];

    /// <summary>"bytes", "cl100k_base" or "o200k_base".</summary>
    public static TextTokenizer Create(string name) => name switch
    {
        "bytes" => ByteTokenizer.Instance,
        "cl100k_base" or "o200k_base" => TiktokenTextTokenizer.ForEncoding(name),
        _ => throw new ArgumentException($"unknown tokenizer '{name}' (known: {string.Join(", ", Names)})", nameof(name)),
    };

    /// <summary>A JSON description from which <see cref="FromDescription"/> rebuilds the same tokenizer.</summary>
    public static string Describe(TextTokenizer tokenizer) => tokenizer switch
    {
        CompactTokenizer c => c.ToJson(),
        _ => new JsonObject { ["name"] = tokenizer.Name, ["vocab_size"] = tokenizer.VocabSize, ["end_of_text"] = tokenizer.EndOfText }.ToJsonString(),
    };

    public static TextTokenizer FromDescription(string json)
    {
        var node = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("tokenizer description is not a JSON object");
        if (node.ContainsKey("compact_of")) return CompactTokenizer.FromJson(json);
        var tokenizer = Create(node["name"]?.GetValue<string>() ?? throw new JsonException("tokenizer description has no name"));
        if (node["vocab_size"]?.GetValue<int>() is { } v && v != tokenizer.VocabSize)
            throw new JsonException($"tokenizer '{tokenizer.Name}' has {tokenizer.VocabSize} ids here, the description says {v}");
        return tokenizer;
    }
}
