using System.Text.Json;
using ResearchKit.Tokenization;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace ResearchKit.Models;

/// <summary>A Llama model loaded from a Hugging Face directory, with its tokenizer when the directory has one.</summary>
public sealed record LoadedLlama(LlamaForCausalLm Model, SentencePieceTextTokenizer? Tokenizer, string Directory);

/// <summary>
/// Loads Llama-architecture checkpoints in Hugging Face's layout from a local directory (nothing is downloaded):
/// <c>config.json</c>, weights in <c>model.safetensors</c> or shards listed by <c>model.safetensors.index.json</c>
/// (read with TorchSharp.PyBridge), and the SentencePiece <c>tokenizer.model</c>. Every tensor is checked against
/// the config before it is used; a missing, unexpected or misshapen tensor is an error naming the file and tensor.
/// </summary>
public static class LlamaCheckpoint
{
    public const string ConfigFile = "config.json";
    public const string WeightsFile = "model.safetensors";
    public const string IndexFile = "model.safetensors.index.json";
    public const string TokenizerFile = "tokenizer.model";

    /// <summary>Model and tokenizer (null when the directory has no tokenizer.model).</summary>
    /// <param name="dtype">Weights' dtype after loading: Float32 (CPU, exact) or BFloat16/Float16 (GPU).</param>
    public static LoadedLlama Load(string directory, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        var model = LoadModel(directory, device, dtype);
        var tokenizerPath = Path.Combine(directory, TokenizerFile);
        var tokenizer = File.Exists(tokenizerPath) ? SentencePieceTextTokenizer.Load(tokenizerPath) : null;
        if (tokenizer is not null && tokenizer.VocabSize > model.Config.VocabSize)
            throw new DataFormatException(tokenizerPath, null, null, $"{tokenizer.VocabSize} pieces, but config.json's vocab_size is {model.Config.VocabSize}");
        return new LoadedLlama(model, tokenizer, directory);
    }

    /// <summary>The model alone: config.json plus safetensors weights.</summary>
    public static LlamaForCausalLm LoadModel(string directory, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        if (!System.IO.Directory.Exists(directory)) throw new DirectoryNotFoundException($"{directory}: no such model directory");
        var config = LlamaConfig.FromJsonFile(Path.Combine(directory, ConfigFile));
        var shards = WeightShards(directory);
        var model = new LlamaForCausalLm(config);
        var parameters = model.state_dict();
        var loaded = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var _ = torch.no_grad())
            foreach (var (file, names) in shards)
            {
                var tensors = Safetensors.LoadStateDict(file);
                try
                {
                    if (names is not null && names.FirstOrDefault(n => !tensors.ContainsKey(n)) is { } absent)
                        throw new DataFormatException(file, null, absent, $"{IndexFile} places this tensor here, but the file does not hold it");
                    foreach (var (name, tensor) in tensors)
                    {
                        if (names is not null && !names.Contains(name)) continue; // the index places it elsewhere
                        if (!parameters.TryGetValue(name, out var parameter))
                        {
                            if (Ignorable(name, config)) continue;
                            throw new DataFormatException(file, null, name, $"unexpected tensor: LlamaForCausalLM with this {ConfigFile} has no such parameter");
                        }
                        if (!tensor.shape.SequenceEqual(parameter.shape))
                            throw new DataFormatException(file, null, name, $"shape [{string.Join(", ", tensor.shape)}], but {ConfigFile} ({ShapeSource(name)}) needs [{string.Join(", ", parameter.shape)}]");
                        if (!tensor.is_floating_point())
                            throw new DataFormatException(file, null, name, $"dtype {tensor.dtype} is not a floating-point type");
                        parameter.copy_(tensor);
                        loaded[name] = file;
                    }
                }
                finally
                {
                    foreach (var t in tensors.Values) t.Dispose();
                }
            }
        var missing = parameters.Keys.Where(k => !loaded.ContainsKey(k)).ToList();
        if (missing.Count > 0)
        {
            var source = shards.Count == 1 && shards[0].Names is null ? shards[0].File : Path.Combine(directory, IndexFile);
            throw new DataFormatException(source, null, missing[0],
                $"missing tensor{(missing.Count > 1 ? $" (and {missing.Count - 1} more: {string.Join(", ", missing.Skip(1).Take(4))}{(missing.Count > 5 ? ", ..." : "")})" : "")}" +
                (missing[0] == "lm_head.weight" ? "; if the checkpoint ties the head to the embedding, config.json must say tie_word_embeddings: true" : ""));
        }
        model.to(dtype);
        if (device is not null) model.to(device);
        model.eval();
        return model;
    }

    /// <summary>Buffers some exports carry that are no parameters here (recomputed rotary frequencies), and the
    /// output head a tied checkpoint may still store (a copy of the embedding; the embedding is what is used).</summary>
    static bool Ignorable(string name, LlamaConfig config) =>
        name.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal) || (name == "lm_head.weight" && config.TieWordEmbeddings);

    static string ShapeSource(string name) => name switch
    {
        _ when name.EndsWith("embed_tokens.weight", StringComparison.Ordinal) || name == "lm_head.weight" => "vocab_size × hidden_size",
        _ when name.EndsWith("q_proj.weight", StringComparison.Ordinal) => "num_attention_heads × head size, hidden_size",
        _ when name.EndsWith("k_proj.weight", StringComparison.Ordinal) || name.EndsWith("v_proj.weight", StringComparison.Ordinal) => "num_key_value_heads × head size, hidden_size",
        _ when name.EndsWith("o_proj.weight", StringComparison.Ordinal) => "hidden_size, num_attention_heads × head size",
        _ when name.EndsWith("down_proj.weight", StringComparison.Ordinal) => "hidden_size × intermediate_size",
        _ when name.Contains(".mlp.", StringComparison.Ordinal) => "intermediate_size × hidden_size",
        _ => "hidden_size",
    };

    /// <summary>The weight files and, for a sharded checkpoint, which tensors the index places in each.</summary>
    static List<(string File, HashSet<string>? Names)> WeightShards(string directory)
    {
        var single = Path.Combine(directory, WeightsFile);
        var index = Path.Combine(directory, IndexFile);
        if (File.Exists(single)) return [(single, null)];
        if (!File.Exists(index))
        {
            var other = new[] { "pytorch_model.bin", "pytorch_model.bin.index.json", "model.bin" }.FirstOrDefault(f => File.Exists(Path.Combine(directory, f)));
            throw new FileNotFoundException($"{directory}: neither {WeightsFile} nor {IndexFile}" +
                (other is null ? "" : $" (found {other}: only safetensors weights are read; convert with save_pretrained(safe_serialization=True))"), single);
        }
        JsonElement map;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(index));
            if (!doc.RootElement.TryGetProperty("weight_map", out var m) || m.ValueKind != JsonValueKind.Object)
                throw new DataFormatException(index, null, "weight_map", "missing or not an object");
            map = m.Clone();
        }
        catch (JsonException e)
        {
            throw new DataFormatException(index, e.LineNumber + 1, null, $"not valid JSON: {e.Message}", e);
        }
        var byFile = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var entry in map.EnumerateObject())
        {
            var shard = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : "";
            if (shard.Length == 0 || Path.GetFileName(shard) != shard)
                throw new DataFormatException(index, null, $"weight_map.{entry.Name}", $"'{entry.Value}' is not a file name in the model directory");
            var path = Path.Combine(directory, shard);
            if (!File.Exists(path)) throw new DataFormatException(index, null, $"weight_map.{entry.Name}", $"shard {shard} does not exist");
            (byFile.TryGetValue(path, out var names) ? names : byFile[path] = new HashSet<string>(StringComparer.Ordinal)).Add(entry.Name);
        }
        if (byFile.Count == 0) throw new DataFormatException(index, null, "weight_map", "lists no tensors");
        return byFile.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, (HashSet<string>?)p.Value)).ToList();
    }
}
