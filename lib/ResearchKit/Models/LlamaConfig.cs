using System.Text.Json;

namespace ResearchKit.Models;

/// <summary>
/// Shape of a Llama-architecture model as Hugging Face's <c>config.json</c> (LlamaConfig) describes it: RMSNorm,
/// SwiGLU MLP, grouped-query attention (<see cref="KvHeads"/> &lt; <see cref="Heads"/>), rotary embeddings with base
/// <see cref="RopeTheta"/>, optionally tied input/output embeddings.
/// </summary>
public sealed record LlamaConfig(
    int VocabSize, int HiddenSize, int IntermediateSize, int Layers, int Heads, int KvHeads,
    double RmsNormEps = 1e-6, double RopeTheta = 10_000, int MaxPositions = 2048, bool TieWordEmbeddings = false,
    int? BosTokenId = 1, int[]? EosTokenIds = null)
{
    public int HeadDim => HiddenSize / Heads;
    /// <summary>Ids that end generation (config.json's eos_token_id, a number or a list); [2] when absent, as HF's default.</summary>
    public int[] EndTokenIds => EosTokenIds ?? [2];

    /// <summary>The released ProX refining models' shape (gair-prox/web-doc-refining-lm, web-chunk-refining-lm: the
    /// reference's <c>tiny_LLaMA_0_3b</c> in its lit_gpt config, 354M parameters): 24 layers, width 1280, 16 query heads sharing one key/value head,
    /// SwiGLU 2048, Llama-2 vocabulary of 32000, context 2048, untied head. For benchmarks with random weights; a
    /// real checkpoint's own config.json always wins.</summary>
    public static LlamaConfig ProxRefining() => new(32_000, 1280, 2048, 24, 16, 1, RmsNormEps: 1e-5, MaxPositions: 2048);

    /// <summary>Parameters in the model (a tied head counted once).</summary>
    public long ParameterCount =>
        (long)VocabSize * HiddenSize * (TieWordEmbeddings ? 1 : 2) + HiddenSize
        + Layers * (2L * HiddenSize * HiddenSize + 2L * HiddenSize * KvHeads * HeadDim + 3L * HiddenSize * IntermediateSize + 2L * HiddenSize);

    internal void Validate(string source)
    {
        void Check(bool ok, string field, string problem)
        {
            if (!ok) throw new DataFormatException(source, null, field, problem);
        }
        Check(VocabSize > 0, "vocab_size", $"must be positive, is {VocabSize}");
        Check(HiddenSize > 0, "hidden_size", $"must be positive, is {HiddenSize}");
        Check(IntermediateSize > 0, "intermediate_size", $"must be positive, is {IntermediateSize}");
        Check(Layers > 0, "num_hidden_layers", $"must be positive, is {Layers}");
        Check(Heads > 0 && HiddenSize % Heads == 0, "num_attention_heads", $"{Heads} heads must divide hidden_size {HiddenSize}");
        Check(KvHeads > 0 && Heads % KvHeads == 0, "num_key_value_heads", $"{KvHeads} key/value heads must divide num_attention_heads {Heads}");
        Check(HeadDim % 2 == 0, "num_attention_heads", $"head size {HeadDim} must be even (RoPE rotates pairs)");
        Check(RmsNormEps > 0, "rms_norm_eps", $"must be positive, is {RmsNormEps}");
        Check(RopeTheta > 0, "rope_theta", $"must be positive, is {RopeTheta}");
        Check(MaxPositions > 0, "max_position_embeddings", $"must be positive, is {MaxPositions}");
        foreach (var id in EndTokenIds) Check(id >= 0 && id < VocabSize, "eos_token_id", $"{id} is outside the vocabulary of {VocabSize}");
        Check(BosTokenId is not { } b || (b >= 0 && b < VocabSize), "bos_token_id", $"{BosTokenId} is outside the vocabulary of {VocabSize}");
    }

    /// <summary>Reads a Hugging Face config.json. Fields HF gives defaults to take HF's defaults
    /// (num_key_value_heads = num_attention_heads, rms_norm_eps 1e-6, rope_theta 10000, max_position_embeddings 2048,
    /// untied, bos 1, eos 2); the sizes must be there. Architectures other than LlamaForCausalLM, and Llama variants
    /// this implementation does not compute (rope_scaling, biases, another activation, another head_dim), are errors
    /// naming the file and the field.</summary>
    public static LlamaConfig FromJsonFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file (a Hugging Face model directory holds config.json)", path);
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            root = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, e.LineNumber + 1, null, $"not valid JSON: {e.Message}", e);
        }
        if (root.ValueKind != JsonValueKind.Object) throw new DataFormatException(path, null, null, "config.json must hold a JSON object");

        if (root.TryGetProperty("architectures", out var archs))
        {
            var names = archs.ValueKind == JsonValueKind.Array ? archs.EnumerateArray().Select(a => a.ToString()).ToArray() : [archs.ToString()];
            if (!names.Contains("LlamaForCausalLM"))
                throw new DataFormatException(path, null, "architectures", $"unknown architecture [{string.Join(", ", names)}]; only LlamaForCausalLM is supported");
        }
        else if (Optional(root, path, "model_type", e => e.GetString()) is { } type && type != "llama")
            throw new DataFormatException(path, null, "model_type", $"unknown model type '{type}'; only 'llama' is supported");

        if (Optional(root, path, "hidden_act", e => e.GetString()) is { } act && act != "silu")
            throw new DataFormatException(path, null, "hidden_act", $"'{act}' is not supported (Llama uses silu)");
        if (root.TryGetProperty("rope_scaling", out var scaling) && scaling.ValueKind != JsonValueKind.Null)
            throw new DataFormatException(path, null, "rope_scaling", "RoPE scaling is not supported; only plain rope_theta");
        foreach (var bias in new[] { "attention_bias", "mlp_bias" })
            if (Optional(root, path, bias, e => e.GetBoolean()) == true)
                throw new DataFormatException(path, null, bias, "biases are not supported (Llama has none)");

        int heads = Required(root, path, "num_attention_heads", e => e.GetInt32());
        int hidden = Required(root, path, "hidden_size", e => e.GetInt32());
        if (Optional(root, path, "head_dim", e => (int?)e.GetInt32()) is { } headDim && heads > 0 && headDim != hidden / heads)
            throw new DataFormatException(path, null, "head_dim", $"{headDim} differs from hidden_size / num_attention_heads = {hidden / Math.Max(heads, 1)}; not supported");
        var config = new LlamaConfig(
            VocabSize: Required(root, path, "vocab_size", e => e.GetInt32()),
            HiddenSize: hidden,
            IntermediateSize: Required(root, path, "intermediate_size", e => e.GetInt32()),
            Layers: Required(root, path, "num_hidden_layers", e => e.GetInt32()),
            Heads: heads,
            KvHeads: Optional(root, path, "num_key_value_heads", e => (int?)e.GetInt32()) ?? heads,
            RmsNormEps: Optional(root, path, "rms_norm_eps", e => (double?)e.GetDouble()) ?? 1e-6,
            RopeTheta: Optional(root, path, "rope_theta", e => (double?)e.GetDouble()) ?? 10_000,
            MaxPositions: Optional(root, path, "max_position_embeddings", e => (int?)e.GetInt32()) ?? 2048,
            TieWordEmbeddings: Optional(root, path, "tie_word_embeddings", e => (bool?)e.GetBoolean()) ?? false,
            BosTokenId: root.TryGetProperty("bos_token_id", out _) ? Optional(root, path, "bos_token_id", e => (int?)e.GetInt32()) : 1,
            EosTokenIds: Optional(root, path, "eos_token_id", e => e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().Select(x => x.GetInt32()).ToArray() : [e.GetInt32()]));
        config.Validate(path);
        return config;
    }

    static T Required<T>(JsonElement root, string path, string field, Func<JsonElement, T> read)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
            throw new DataFormatException(path, null, field, "missing");
        return Read(value, path, field, read);
    }

    static T? Optional<T>(JsonElement root, string path, string field, Func<JsonElement, T> read) =>
        root.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null ? Read(value, path, field, read) : default;

    static T Read<T>(JsonElement value, string path, string field, Func<JsonElement, T> read)
    {
        try { return read(value); }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new DataFormatException(path, null, field, $"unexpected value {value.GetRawText()} ({e.Message})", e);
        }
    }
}
