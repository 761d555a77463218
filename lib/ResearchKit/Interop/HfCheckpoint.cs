using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ResearchKit.Tokenization;
using ResearchKit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Interop;

/// <summary>What <see cref="HfCheckpoint.Export"/> wrote.</summary>
/// <param name="TokenizerFiles">Whether Hugging Face tokenizer files were written (the byte tokenizer only).</param>
public sealed record HfExport(string Directory, GptConfig Model, long Parameters, bool TokenizerFiles, string? TokenizerNote);

/// <summary>
/// The kit's GPT as a Hugging Face checkpoint (model.safetensors + config.json) in the GPT-NeoX layout
/// (GPTNeoXForCausalLM), and back.
/// <para>Why GPT-NeoX and not GPT-2: GPT-2 has learned absolute position embeddings and biased projections, so no
/// GPT-2 config computes what this model computes. GPT-NeoX with use_parallel_residual=false is the pre-LayerNorm block
/// x + attn(ln1(x)), then x + mlp(ln2(x)); rotary_pct=1.0 rotates whole heads with rotate_half (first half / second
/// half, as <see cref="Gpt"/> does) at base rope theta; hidden_act "gelu" is exact (erf) GELU; layer_norm_eps 1e-5 is
/// TorchSharp's default; the linear layers' biases (which NeoX always has) are written as zeros. The fused qkv
/// weight differs in layout: the kit's rows are [q of all heads; k of all heads; v of all heads], NeoX's are per
/// head [q_h; k_h; v_h], so rows are permuted on export and back on import.</para>
/// </summary>
public static class HfCheckpoint
{
    public const string WeightsFile = "model.safetensors";
    public const string ConfigFile = "config.json";
    /// <summary>The kit's own logits on <see cref="ReferenceInput"/>, beside the export, so a check on another
    /// machine (tools/check_exports.py) can compare its forward pass without running rk.</summary>
    public const string ReferenceFile = "rk_reference.safetensors";
    const double LayerNormEps = 1e-5;

    /// <param name="tokenizer">The tokenizer the model was trained with: byte tokenizers get Hugging Face tokenizer
    /// files; other tokenizers are recorded in config.json only (see the note returned).</param>
    public static HfExport Export(string checkpoint, string directory, TextTokenizer? tokenizer = null)
    {
        using var scope = torch.NewDisposeScope();
        var model = Checkpoint.LoadModel(checkpoint, torch.CPU);
        var c = model.Config;
        if (tokenizer is not null && tokenizer.VocabSize > c.VocabSize)
            throw new ArgumentException($"tokenizer {tokenizer.Name} has {tokenizer.VocabSize:N0} ids but the model in {checkpoint} only {c.VocabSize:N0}: it was not trained with it");
        var p = model.named_parameters().ToDictionary(x => x.name, x => (Tensor)x.parameter);
        var dtype = p["wte"].dtype;
        Tensor Zeros(long n) => torch.zeros(n, dtype);
        var tensors = new List<(string, Tensor)> { ("gpt_neox.embed_in.weight", p["wte"]) };
        for (int i = 0; i < c.Layers; i++)
        {
            string k = $"blocks.{i}.", h = $"gpt_neox.layers.{i}.";
            tensors.Add((h + "input_layernorm.weight", p[k + "ln1_weight"]));
            tensors.Add((h + "input_layernorm.bias", p[k + "ln1_bias"]));
            tensors.Add((h + "attention.query_key_value.weight", QkvToNeoX(p[k + "attn_qkv"], c)));
            tensors.Add((h + "attention.query_key_value.bias", Zeros(3L * c.DModel)));
            tensors.Add((h + "attention.dense.weight", p[k + "attn_proj"]));
            tensors.Add((h + "attention.dense.bias", Zeros(c.DModel)));
            tensors.Add((h + "post_attention_layernorm.weight", p[k + "ln2_weight"]));
            tensors.Add((h + "post_attention_layernorm.bias", p[k + "ln2_bias"]));
            tensors.Add((h + "mlp.dense_h_to_4h.weight", p[k + "mlp_fc"]));
            tensors.Add((h + "mlp.dense_h_to_4h.bias", Zeros(4L * c.DModel)));
            tensors.Add((h + "mlp.dense_4h_to_h.weight", p[k + "mlp_proj"]));
            tensors.Add((h + "mlp.dense_4h_to_h.bias", Zeros(c.DModel)));
        }
        tensors.Add(("gpt_neox.final_layer_norm.weight", p["ln_f_weight"]));
        tensors.Add(("gpt_neox.final_layer_norm.bias", p["ln_f_bias"]));
        // A tied head is written out too: every transformers version then computes the same logits, whether it
        // re-ties embed_out to embed_in (tie_word_embeddings) or not.
        tensors.Add(("embed_out.weight", c.TiedHead ? p["wte"] : p["lm_head"]));

        Directory.CreateDirectory(directory);
        SafetensorsFile.Write(Path.Combine(directory, WeightsFile), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        model.eval();
        using (torch.no_grad())
        {
            var ids = torch.tensor(ReferenceInput(c)).unsqueeze(0);
            SafetensorsFile.Write(Path.Combine(directory, ReferenceFile), [("input_ids", ids), ("logits", model.Forward(ids).to_type(ScalarType.Float32))],
                                  new Dictionary<string, string> { ["format"] = "pt", ["source"] = "ResearchKit Gpt.Forward, fp32 on CPU" });
        }
        bool bytes = tokenizer is ByteTokenizer || (tokenizer is null && c.VocabSize == ByteTokenizer.Instance.VocabSize);
        AtomicFile.WriteAllText(Path.Combine(directory, ConfigFile), Config(c, dtype, bytes ? ByteTokenizer.Instance : tokenizer, checkpoint).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        string? note = null;
        if (bytes) HfByteTokenizer.Write(directory, c.Context);
        else note = tokenizer switch
        {
            CompactTokenizer => "a compacted vocabulary has ids of the kit's own: evaluation harnesses cannot tokenize for it (train with a plain tokenizer to evaluate there)",
            TiktokenTextTokenizer t => $"the ids are tiktoken's {t.Name} ids: give the harness a Hugging Face tokenizer converted from {t.Name} (rk writes none)",
            _ => "no tokenizer given: give the harness the tokenizer the model was trained with",
        };
        return new HfExport(directory, c, c.ParameterCount, bytes, note);
    }

    /// <summary>A fixed input for the reference logits: min(context, 32) ids spread over the vocabulary.</summary>
    public static long[] ReferenceInput(GptConfig c) =>
        Enumerable.Range(0, Math.Min(c.Context, 32)).Select(i => (long)((i * 7919L + 13) % c.VocabSize)).ToArray();

    static JsonObject Config(GptConfig c, ScalarType dtype, TextTokenizer? tokenizer, string source)
    {
        var config = new JsonObject
        {
            ["architectures"] = new JsonArray("GPTNeoXForCausalLM"),
            ["model_type"] = "gpt_neox",
            ["vocab_size"] = c.VocabSize,
            ["hidden_size"] = c.DModel,
            ["num_hidden_layers"] = c.Layers,
            ["num_attention_heads"] = c.Heads,
            ["intermediate_size"] = 4 * c.DModel,
            ["hidden_act"] = "gelu",
            ["rotary_pct"] = 1.0,
            ["partial_rotary_factor"] = 1.0,
            ["rotary_emb_base"] = c.RopeTheta,
            ["rope_theta"] = c.RopeTheta,
            ["rope_scaling"] = null,
            ["max_position_embeddings"] = c.Context,
            ["layer_norm_eps"] = LayerNormEps,
            ["use_parallel_residual"] = false,
            ["attention_bias"] = true,
            ["attention_dropout"] = 0.0,
            ["hidden_dropout"] = 0.0,
            ["initializer_range"] = 0.02,
            ["tie_word_embeddings"] = c.TiedHead,
            ["use_cache"] = true,
            ["torch_dtype"] = dtype == ScalarType.BFloat16 ? "bfloat16" : "float32",
            ["researchkit"] = new JsonObject
            {
                ["model"] = JsonSerializer.SerializeToNode(c),
                ["source_checkpoint"] = Path.GetFullPath(source),
                ["tokenizer"] = tokenizer is null ? null : JsonNode.Parse(TextTokenizers.Describe(tokenizer)),
            },
        };
        if (tokenizer is not null)
        {
            config["bos_token_id"] = tokenizer.EndOfText;
            config["eos_token_id"] = tokenizer.EndOfText;
        }
        return config;
    }

    /// <summary>Reads an exported (or any GPT-NeoX checkpoint of the kit's shape) back into a weights-only
    /// checkpoint file (<see cref="Checkpoint.FileName"/>).</summary>
    /// <exception cref="DataFormatException">Another architecture, a setting the kit's GPT cannot reproduce (parallel
    /// residual, partial rotary, another activation, non-zero biases), or missing or misshapen tensors.</exception>
    public static GptConfig Import(string directory, string checkpoint)
    {
        var configPath = Path.Combine(directory, ConfigFile);
        if (!File.Exists(configPath)) throw new FileNotFoundException($"{configPath}: no config.json in {directory}", configPath);
        JsonObject json;
        try { json = JsonNode.Parse(File.ReadAllText(configPath)) as JsonObject ?? throw new JsonException("not a JSON object"); }
        catch (JsonException e) { throw new DataFormatException(configPath, null, null, $"unreadable config: {e.Message}", e); }
        var c = ReadConfig(configPath, json);

        using var scope = torch.NewDisposeScope();
        var weightsPath = Path.Combine(directory, WeightsFile);
        var w = SafetensorsFile.Read(weightsPath);
        Tensor Get(string name, params long[] shape)
        {
            if (!w.TryGetValue(name, out var t)) throw new DataFormatException(weightsPath, null, name, "missing tensor");
            if (!t.shape.SequenceEqual(shape)) throw new DataFormatException(weightsPath, null, name, $"shape [{string.Join(", ", t.shape)}], expected [{string.Join(", ", shape)}]");
            return t;
        }
        void ZeroBias(string name, long n)
        {
            if (!w.ContainsKey(name) && json["attention_bias"]?.GetValue<bool>() == false && name.Contains(".attention.")) return;
            using var nonzero = Get(name, n).abs().max();
            if (nonzero.to_type(ScalarType.Float64).item<double>() != 0)
                throw new DataFormatException(weightsPath, null, name, "a non-zero bias: the kit's GPT has no biases in its linear layers, so it cannot reproduce this model");
        }

        long d = c.DModel;
        var model = new Gpt(c);
        var p = model.named_parameters().ToDictionary(x => x.name, x => (Tensor)x.parameter);
        using (torch.no_grad())
        {
            void Copy(string ours, Tensor theirs) => p[ours].copy_(theirs.to_type(p[ours].dtype));
            Copy("wte", Get("gpt_neox.embed_in.weight", c.VocabSize, d));
            for (int i = 0; i < c.Layers; i++)
            {
                string k = $"blocks.{i}.", h = $"gpt_neox.layers.{i}.";
                Copy(k + "ln1_weight", Get(h + "input_layernorm.weight", d));
                Copy(k + "ln1_bias", Get(h + "input_layernorm.bias", d));
                Copy(k + "attn_qkv", QkvFromNeoX(Get(h + "attention.query_key_value.weight", 3 * d, d), c));
                ZeroBias(h + "attention.query_key_value.bias", 3 * d);
                Copy(k + "attn_proj", Get(h + "attention.dense.weight", d, d));
                ZeroBias(h + "attention.dense.bias", d);
                Copy(k + "ln2_weight", Get(h + "post_attention_layernorm.weight", d));
                Copy(k + "ln2_bias", Get(h + "post_attention_layernorm.bias", d));
                Copy(k + "mlp_fc", Get(h + "mlp.dense_h_to_4h.weight", 4 * d, d));
                ZeroBias(h + "mlp.dense_h_to_4h.bias", 4 * d);
                Copy(k + "mlp_proj", Get(h + "mlp.dense_4h_to_h.weight", d, 4 * d));
                ZeroBias(h + "mlp.dense_4h_to_h.bias", d);
            }
            Copy("ln_f_weight", Get("gpt_neox.final_layer_norm.weight", d));
            Copy("ln_f_bias", Get("gpt_neox.final_layer_norm.bias", d));
            if (!c.TiedHead) Copy("lm_head", Get("embed_out.weight", c.VocabSize, d));
            else if (w.TryGetValue("embed_out.weight", out var head) && !head.eq(w["gpt_neox.embed_in.weight"]).all().item<bool>())
                throw new DataFormatException(weightsPath, null, "embed_out.weight", "tie_word_embeddings is true but embed_out differs from embed_in");
        }
        foreach (var t in w.Values) t.Dispose();
        Checkpoint.SaveWeights(checkpoint, model);
        model.Dispose();
        return c;
    }

    static GptConfig ReadConfig(string path, JsonObject j)
    {
        DataFormatException Bad(string field, string problem) => new(path, null, field, problem);
        T Need<T>(string field) => j[field] is JsonValue v && v.TryGetValue<T>(out var x) ? x
            : j[field] is JsonValue n && typeof(T) == typeof(double) && n.TryGetValue<int>(out var i) ? (T)(object)(double)i
            : throw Bad(field, "missing or not a " + typeof(T).Name);
        var architectures = j["architectures"]?.AsArray().Select(a => a?.GetValue<string>()).ToList() ?? [];
        if (j["model_type"]?.GetValue<string>() != "gpt_neox" || !architectures.Contains("GPTNeoXForCausalLM"))
            throw Bad("model_type", $"unknown architecture (model_type '{j["model_type"]}', architectures [{string.Join(", ", architectures)}]): only GPTNeoXForCausalLM checkpoints of the kit's shape import");
        if (j["use_parallel_residual"]?.GetValue<bool>() != false) throw Bad("use_parallel_residual", "a parallel-residual block: the kit's GPT is sequential (x + attn, then x + mlp)");
        double pct = j["rotary_pct"] is JsonValue r ? (r.TryGetValue<double>(out var rd) ? rd : r.GetValue<int>()) : j["partial_rotary_factor"]?.GetValue<double>() ?? 1.0;
        if (pct != 1.0) throw Bad("rotary_pct", $"rotary embedding on {pct:P0} of each head: the kit's GPT rotates whole heads");
        if (j["hidden_act"]?.GetValue<string>() != "gelu") throw Bad("hidden_act", $"activation '{j["hidden_act"]}': the kit's GPT uses exact GELU ('gelu')");
        double eps = Need<double>("layer_norm_eps");
        if (Math.Abs(eps - LayerNormEps) > 1e-12) throw Bad("layer_norm_eps", $"{eps.ToString(CultureInfo.InvariantCulture)}: the kit's layer norms use 1e-5");
        if (j["rope_scaling"] is JsonObject) throw Bad("rope_scaling", "scaled RoPE: the kit's GPT uses plain RoPE");
        int d = Need<int>("hidden_size"), heads = Need<int>("num_attention_heads");
        if (Need<int>("intermediate_size") != 4 * d) throw Bad("intermediate_size", $"{j["intermediate_size"]}: the kit's MLP is 4 x hidden_size = {4 * d}");
        double theta = j["rotary_emb_base"] is not null ? Need<double>("rotary_emb_base") : j["rope_theta"] is not null ? Need<double>("rope_theta") : 10_000;
        var config = new GptConfig(Need<int>("vocab_size"), d, Need<int>("num_hidden_layers"), heads, Need<int>("max_position_embeddings"),
                                   0.0, j["tie_word_embeddings"]?.GetValue<bool>() ?? false, theta);
        try { config.Validate(); } catch (ArgumentException e) { throw Bad("hidden_size", e.Message); }
        return config;
    }

    /// <summary>Rows [3, H, hd] (q, k, v of all heads) to [H, 3, hd] (per head q, k, v): NeoX's fused layout.</summary>
    internal static Tensor QkvToNeoX(Tensor qkv, GptConfig c) =>
        qkv.view(3, c.Heads, c.HeadDim, c.DModel).permute(1, 0, 2, 3).reshape(3L * c.DModel, c.DModel);

    internal static Tensor QkvFromNeoX(Tensor qkv, GptConfig c) =>
        qkv.view(c.Heads, 3, c.HeadDim, c.DModel).permute(1, 0, 2, 3).reshape(3L * c.DModel, c.DModel);
}
