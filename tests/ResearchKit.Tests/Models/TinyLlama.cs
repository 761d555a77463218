using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace ResearchKit.Tests.Models;

/// <summary>Tiny Llama checkpoints in Hugging Face's layout, written by the tests themselves, and a plain reference
/// forward pass (double precision, explicit loops, nothing shared with the library's model code).</summary>
static class TinyLlama
{
    public sealed record Spec(int Vocab, int Hidden, int Intermediate, int Layers, int Heads, int KvHeads, double Theta = 500, double Eps = 1e-5, int MaxPositions = 64, bool Tied = false)
    {
        public int HeadDim => Hidden / Heads;
    }

    /// <summary>A config.json as transformers writes it, extra fields included.</summary>
    public static string ConfigJson(Spec s) => new JsonObject
    {
        ["architectures"] = new JsonArray("LlamaForCausalLM"),
        ["attention_bias"] = false,
        ["attention_dropout"] = 0.0,
        ["bos_token_id"] = 1,
        ["eos_token_id"] = 2,
        ["hidden_act"] = "silu",
        ["hidden_size"] = s.Hidden,
        ["initializer_range"] = 0.02,
        ["intermediate_size"] = s.Intermediate,
        ["max_position_embeddings"] = s.MaxPositions,
        ["model_type"] = "llama",
        ["num_attention_heads"] = s.Heads,
        ["num_hidden_layers"] = s.Layers,
        ["num_key_value_heads"] = s.KvHeads,
        ["pretraining_tp"] = 1,
        ["rms_norm_eps"] = s.Eps,
        ["rope_scaling"] = null,
        ["rope_theta"] = s.Theta,
        ["tie_word_embeddings"] = s.Tied,
        ["torch_dtype"] = "bfloat16",
        ["transformers_version"] = "4.40.0",
        ["use_cache"] = true,
        ["vocab_size"] = s.Vocab,
    }.ToJsonString();

    /// <summary>HF's parameter names and shapes, listed independently of the model code.</summary>
    public static List<(string Name, long[] Shape)> Parameters(Spec s)
    {
        int hd = s.HeadDim;
        var list = new List<(string, long[])> { ("model.embed_tokens.weight", [s.Vocab, s.Hidden]) };
        for (int l = 0; l < s.Layers; l++)
        {
            var p = $"model.layers.{l}.";
            list.Add((p + "input_layernorm.weight", [s.Hidden]));
            list.Add((p + "self_attn.q_proj.weight", [s.Heads * hd, s.Hidden]));
            list.Add((p + "self_attn.k_proj.weight", [s.KvHeads * hd, s.Hidden]));
            list.Add((p + "self_attn.v_proj.weight", [s.KvHeads * hd, s.Hidden]));
            list.Add((p + "self_attn.o_proj.weight", [s.Hidden, s.Heads * hd]));
            list.Add((p + "post_attention_layernorm.weight", [s.Hidden]));
            list.Add((p + "mlp.gate_proj.weight", [s.Intermediate, s.Hidden]));
            list.Add((p + "mlp.up_proj.weight", [s.Intermediate, s.Hidden]));
            list.Add((p + "mlp.down_proj.weight", [s.Hidden, s.Intermediate]));
        }
        list.Add(("model.norm.weight", [s.Hidden]));
        if (!s.Tied) list.Add(("lm_head.weight", [s.Vocab, s.Hidden]));
        return list;
    }

    /// <summary>Random weights (matrices N(0, 0.3), norms 1 + N(0, 0.1)) in <paramref name="dtype"/>, written to
    /// config.json and model.safetensors, or split over <paramref name="shards"/> files with an index.</summary>
    /// <returns>The weights as stored, in double precision, for <see cref="Logits"/>.</returns>
    public static Dictionary<string, double[]> Write(string dir, Spec s, int seed, ScalarType dtype = ScalarType.Float32, int shards = 1)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.json"), ConfigJson(s));
        var generator = new torch.Generator((ulong)seed);
        var tensors = new Dictionary<string, Tensor>();
        var values = new Dictionary<string, double[]>();
        foreach (var (name, shape) in Parameters(s))
        {
            var t = shape.Length == 1 ? 1 + 0.1 * torch.randn(shape, generator: generator) : 0.3 * torch.randn(shape, generator: generator);
            tensors[name] = t.to_type(dtype);
            values[name] = tensors[name].to_type(ScalarType.Float64).data<double>().ToArray();
        }
        if (shards == 1) Safetensors.SaveStateDict(Path.Combine(dir, "model.safetensors"), tensors);
        else
        {
            var map = new JsonObject();
            var names = tensors.Keys.ToList();
            for (int k = 0; k < shards; k++)
            {
                var file = $"model-{k + 1:00000}-of-{shards:00000}.safetensors";
                var part = names.Where((_, i) => i % shards == k).ToDictionary(n => n, n => tensors[n]);
                Safetensors.SaveStateDict(Path.Combine(dir, file), part);
                foreach (var n in part.Keys) map[n] = file;
            }
            File.WriteAllText(Path.Combine(dir, "model.safetensors.index.json"), new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = 0 }, ["weight_map"] = map }.ToJsonString());
        }
        foreach (var t in tensors.Values) t.Dispose();
        return values;
    }

    /// <summary>Logits [T][V] for one sequence at positions 0..T-1, computed token by token with explicit loops.</summary>
    public static double[][] Logits(Spec s, IReadOnlyDictionary<string, double[]> w, int[] tokens)
    {
        int d = s.Hidden, hd = s.HeadDim, T = tokens.Length, group = s.Heads / s.KvHeads;
        var x = tokens.Select(t => w["model.embed_tokens.weight"].AsSpan(t * d, d).ToArray()).ToArray();
        for (int l = 0; l < s.Layers; l++)
        {
            var p = $"model.layers.{l}.";
            var h = x.Select(v => RmsNorm(v, w[p + "input_layernorm.weight"], s.Eps)).ToArray();
            var q = h.Select((v, t) => Rope(MatVec(w[p + "self_attn.q_proj.weight"], v), t, s.Heads, hd, s.Theta)).ToArray();
            var k = h.Select((v, t) => Rope(MatVec(w[p + "self_attn.k_proj.weight"], v), t, s.KvHeads, hd, s.Theta)).ToArray();
            var val = h.Select(v => MatVec(w[p + "self_attn.v_proj.weight"], v)).ToArray();
            for (int t = 0; t < T; t++)
            {
                var attended = new double[s.Heads * hd];
                for (int head = 0; head < s.Heads; head++)
                {
                    int kv = head / group;
                    var scores = new double[t + 1];
                    for (int u = 0; u <= t; u++)
                    {
                        double dot = 0;
                        for (int i = 0; i < hd; i++) dot += q[t][head * hd + i] * k[u][kv * hd + i];
                        scores[u] = dot / Math.Sqrt(hd);
                    }
                    double max = scores.Max(), sum = scores.Sum(z => Math.Exp(z - max));
                    for (int u = 0; u <= t; u++)
                        for (int i = 0; i < hd; i++) attended[head * hd + i] += Math.Exp(scores[u] - max) / sum * val[u][kv * hd + i];
                }
                var o = MatVec(w[p + "self_attn.o_proj.weight"], attended);
                for (int i = 0; i < d; i++) x[t][i] += o[i];
            }
            for (int t = 0; t < T; t++)
            {
                var n = RmsNorm(x[t], w[p + "post_attention_layernorm.weight"], s.Eps);
                var gate = MatVec(w[p + "mlp.gate_proj.weight"], n);
                var up = MatVec(w[p + "mlp.up_proj.weight"], n);
                var hidden = gate.Select((g, i) => g / (1 + Math.Exp(-g)) * up[i]).ToArray();
                var down = MatVec(w[p + "mlp.down_proj.weight"], hidden);
                for (int i = 0; i < d; i++) x[t][i] += down[i];
            }
        }
        var head_ = s.Tied ? w["model.embed_tokens.weight"] : w["lm_head.weight"];
        return x.Select(v => MatVec(head_, RmsNorm(v, w["model.norm.weight"], s.Eps))).ToArray();
    }

    /// <summary>y = W x for a row-major [rows, x.Length] matrix (HF's Linear weight layout [out, in]).</summary>
    static double[] MatVec(double[] matrix, double[] v)
    {
        var y = new double[matrix.Length / v.Length];
        for (int r = 0; r < y.Length; r++)
            for (int c = 0; c < v.Length; c++) y[r] += matrix[r * v.Length + c] * v[c];
        return y;
    }

    static double[] RmsNorm(double[] v, double[] weight, double eps)
    {
        double rms = Math.Sqrt(v.Sum(z => z * z) / v.Length + eps);
        return v.Select((z, i) => z / rms * weight[i]).ToArray();
    }

    /// <summary>Rotates pair (i, i + hd/2) of every head by position · theta^(-2i/hd): HF's rotate-half layout.</summary>
    static double[] Rope(double[] v, int position, int heads, int hd, double theta)
    {
        var r = (double[])v.Clone();
        for (int head = 0; head < heads; head++)
            for (int i = 0; i < hd / 2; i++)
            {
                double angle = position * Math.Pow(theta, -2.0 * i / hd);
                double a = v[head * hd + i], b = v[head * hd + i + hd / 2];
                r[head * hd + i] = a * Math.Cos(angle) - b * Math.Sin(angle);
                r[head * hd + i + hd / 2] = b * Math.Cos(angle) + a * Math.Sin(angle);
            }
        return r;
    }
}
