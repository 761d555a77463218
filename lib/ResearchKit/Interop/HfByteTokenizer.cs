using System.Text.Json;
using System.Text.Json.Nodes;

namespace ResearchKit.Interop;

/// <summary>
/// The kit's byte tokenizer (ids 0..255 = UTF-8 bytes, 256 = end-of-text) as Hugging Face tokenizer files that
/// AutoTokenizer (and so lm-evaluation-harness and OLMES) loads: a byte-level BPE with no merges whose vocabulary maps
/// each byte's GPT-2 byte-to-unicode character to the byte's value, so any text encodes to exactly the kit's ids.
/// </summary>
public static class HfByteTokenizer
{
    public const string EndOfText = "<|endoftext|>";

    /// <summary>GPT-2's bytes_to_unicode: printable Latin-1 bytes map to themselves, the other 68 to U+0100 onwards in byte order.</summary>
    public static IReadOnlyList<char> ByteToUnicode { get; } = BuildByteToUnicode();

    static char[] BuildByteToUnicode()
    {
        var map = new char[256];
        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)(256 + next++);
        }
        return map;
    }

    /// <summary>Writes tokenizer.json, tokenizer_config.json and special_tokens_map.json into <paramref name="directory"/>.</summary>
    public static void Write(string directory, int modelMaxLength)
    {
        var vocab = new JsonObject();
        for (int b = 0; b < 256; b++) vocab[ByteToUnicode[b].ToString()] = b;
        vocab[EndOfText] = 256;
        JsonObject ByteLevel() => new() { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = false };
        var tokenizer = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(new JsonObject
            {
                ["id"] = 256, ["content"] = EndOfText, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
            }),
            ["normalizer"] = null,
            ["pre_tokenizer"] = ByteLevel(),
            ["post_processor"] = null,
            ["decoder"] = ByteLevel(),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = null, ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false, ["byte_fallback"] = false, ["ignore_merges"] = false, ["vocab"] = vocab, ["merges"] = new JsonArray(),
            },
        };
        var indented = new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        AtomicFile.WriteAllText(Path.Combine(directory, "tokenizer.json"), tokenizer.ToJsonString(indented));
        AtomicFile.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), new JsonObject
        {
            ["tokenizer_class"] = "PreTrainedTokenizerFast",
            ["bos_token"] = EndOfText, ["eos_token"] = EndOfText, ["pad_token"] = EndOfText, ["unk_token"] = null,
            ["add_bos_token"] = false, ["add_eos_token"] = false, ["clean_up_tokenization_spaces"] = false,
            ["model_max_length"] = modelMaxLength,
        }.ToJsonString(indented));
        AtomicFile.WriteAllText(Path.Combine(directory, "special_tokens_map.json"), new JsonObject
        {
            ["bos_token"] = EndOfText, ["eos_token"] = EndOfText, ["pad_token"] = EndOfText,
        }.ToJsonString(indented));
    }
}
