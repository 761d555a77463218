using System.Text;
using System.Text.Json.Nodes;
using ResearchKit.Interop;
using ResearchKit.Runtime;
using ResearchKit.Tests.Corpus;
using ResearchKit.Tokenization;
using ResearchKit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Tests.Interop;

/// <summary>Export to Hugging Face GPT-NeoX safetensors: the file meets the safetensors spec, a forward pass written
/// here from the exported tensors (the GPTNeoXForCausalLM computation: per-head fused qkv, rotate_half RoPE, eager
/// softmax attention, exact GELU, biases) gives the kit's logits, and import gives the same weights back.</summary>
public sealed class HfCheckpointTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    /// <summary>A micro GPT with every parameter perturbed (norm weights and biases too), saved as a checkpoint.</summary>
    string Checkpointed(GptConfig config, int seed)
    {
        TorchRuntime.Initialize("cpu");
        torch.manual_seed(seed);
        using var model = new Gpt(config);
        using (torch.no_grad())
            foreach (var p in model.parameters()) p.add_(torch.randn_like(p) * 0.1);
        var path = _dir[$"ckpt-{seed}.bin"];
        Checkpoint.SaveWeights(path, model);
        return path;
    }

    static readonly long[] Input = [3, 200, 17, 17, 256, 0, 99, 45, 1, 250, 12, 7];

    [Theory]
    [InlineData(true, 10_000.0)]
    [InlineData(false, 500_000.0)]
    public void AnIndependentNeoXForwardOverTheExportedTensorsGivesTheKitsLogits(bool tied, double theta)
    {
        var config = GptConfig.Micro() with { TiedHead = tied, RopeTheta = theta };
        var checkpoint = Checkpointed(config, tied ? 1 : 2);
        var export = HfCheckpoint.Export(checkpoint, _dir["hf"]);

        var file = SafetensorsSpecReader.Read(Path.Combine(export.Directory, HfCheckpoint.WeightsFile));
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal(0, (8 + file.HeaderSize) % 8);   // tensor bytes aligned, as the safetensors library writes them
        var hfConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(export.Directory, HfCheckpoint.ConfigFile)))!;
        Assert.Equal("GPTNeoXForCausalLM", hfConfig["architectures"]![0]!.GetValue<string>());
        Assert.False(hfConfig["use_parallel_residual"]!.GetValue<bool>());
        Assert.Equal(tied, hfConfig["tie_word_embeddings"]!.GetValue<bool>());

        using var model = Checkpoint.LoadModel(checkpoint, torch.CPU);
        model.eval();
        using var tokens = torch.tensor(Input).unsqueeze(0);
        using var expected = model.Forward(tokens);
        using var actual = NeoXForward(file, hfConfig, Input);
        double maxDiff = (expected - actual).abs().max().item<float>();
        Assert.True(maxDiff < 2e-5, $"max |logit difference| {maxDiff}");
        Assert.True(expected.abs().max().item<float>() > 0.5);   // logits of a non-trivial model, not all near zero
    }

    /// <summary>GPTNeoXForCausalLM's forward (use_parallel_residual=false, rotary_pct=1), from tensors by name.</summary>
    static Tensor NeoXForward(SafetensorsSpecReader f, JsonNode cfg, long[] ids)
    {
        int d = cfg["hidden_size"]!.GetValue<int>(), heads = cfg["num_attention_heads"]!.GetValue<int>(), layers = cfg["num_hidden_layers"]!.GetValue<int>();
        int hd = d / heads, t = ids.Length;
        double eps = cfg["layer_norm_eps"]!.GetValue<double>(), theta = cfg["rotary_emb_base"]!.GetValue<double>();
        Tensor W(string name) => torch.tensor(f.Floats(name)).view(f.Tensors[name].Shape);
        Tensor Norm(Tensor x, string prefix)
        {
            var mean = x.mean([-1], keepdim: true);
            var variance = (x - mean).pow(2).mean([-1], keepdim: true);
            return (x - mean) / (variance + eps).sqrt() * W(prefix + ".weight") + W(prefix + ".bias");
        }
        Tensor Dense(Tensor x, string prefix) => x.matmul(W(prefix + ".weight").t()) + W(prefix + ".bias");

        var x = W("gpt_neox.embed_in.weight").index_select(0, torch.tensor(ids));            // [T, d]
        var invFreq = 1.0f / torch.pow(torch.tensor((float)theta), torch.arange(0, hd, 2, ScalarType.Float32) / hd);
        var freqs = torch.arange(t, ScalarType.Float32).unsqueeze(1) * invFreq.unsqueeze(0);  // [T, hd/2]
        var emb = torch.cat([freqs, freqs], 1);
        var (cos, sin) = (emb.cos(), emb.sin());
        Tensor RotateHalf(Tensor q) => torch.cat([-q.narrow(-1, hd / 2, hd / 2), q.narrow(-1, 0, hd / 2)], -1);
        var causal = torch.ones(t, t).tril().eq(0);
        for (int i = 0; i < layers; i++)
        {
            string h = $"gpt_neox.layers.{i}";
            var qkv = Dense(Norm(x, h + ".input_layernorm"), h + ".attention.query_key_value").view(t, heads, 3 * hd).transpose(0, 1); // [H, T, 3hd]
            var q = qkv.narrow(-1, 0, hd); var k = qkv.narrow(-1, hd, hd); var v = qkv.narrow(-1, 2 * hd, hd);
            q = q * cos + RotateHalf(q) * sin;
            k = k * cos + RotateHalf(k) * sin;
            var scores = q.matmul(k.transpose(1, 2)) / Math.Sqrt(hd);
            scores = scores.masked_fill(causal, float.NegativeInfinity);
            var attn = scores.softmax(-1).matmul(v).transpose(0, 1).reshape(t, d);
            x = x + Dense(attn, h + ".attention.dense");
            var up = Dense(Norm(x, h + ".post_attention_layernorm"), h + ".mlp.dense_h_to_4h");
            var gelu = 0.5f * up * (1 + torch.special.erf(up / Math.Sqrt(2)));
            x = x + Dense(gelu, h + ".mlp.dense_4h_to_h");
        }
        x = Norm(x, "gpt_neox.final_layer_norm");
        return x.matmul(W("embed_out.weight").t()).unsqueeze(0);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ImportGivesBackExactlyTheExportedWeights(bool tied)
    {
        var checkpoint = Checkpointed(GptConfig.Micro() with { TiedHead = tied }, 3);
        HfCheckpoint.Export(checkpoint, _dir["hf"]);
        var back = _dir["back.bin"];
        var config = HfCheckpoint.Import(_dir["hf"], back);
        Assert.Equal(Checkpoint.ReadModelConfig(checkpoint) with { Dropout = 0 }, config);

        using var a = Checkpoint.LoadModel(checkpoint, torch.CPU);
        using var b = Checkpoint.LoadModel(back, torch.CPU);
        var bp = b.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in a.named_parameters())
            Assert.True(p.eq(bp[name]).all().item<bool>(), $"{name} differs after the round trip");
    }

    [Fact]
    public void FusedQkvRowsArePermutedPerHeadAsNeoXExpects()
    {
        TorchRuntime.Initialize("cpu");
        var c = new GptConfig(257, 4, 1, 2, 8);   // 2 heads of 2
        // Row r of the kit's weight is filled with r: rows are [q h0 (0,1), q h1 (2,3), k h0 (4,5), k h1 (6,7), v h0 (8,9), v h1 (10,11)].
        using var ours = torch.arange(12, ScalarType.Float32).unsqueeze(1).expand(12, 4).contiguous();
        using var neox = HfCheckpoint.QkvToNeoX(ours, c);
        Assert.Equal(new float[] { 0, 1, 4, 5, 8, 9, 2, 3, 6, 7, 10, 11 }, neox.select(1, 0).data<float>().ToArray());
        using var back = HfCheckpoint.QkvFromNeoX(neox, c);
        Assert.True(ours.eq(back).all().item<bool>());
    }

    [Fact]
    public void ModelsTheKitsGptCannotReproduceAreRefusedAndNothingIsWritten()
    {
        var checkpoint = Checkpointed(GptConfig.Micro(), 4);
        HfCheckpoint.Export(checkpoint, _dir["hf"]);
        var configPath = Path.Combine(_dir["hf"], HfCheckpoint.ConfigFile);
        var original = File.ReadAllText(configPath);

        void Expect(string field, string fragment, Action<JsonObject> edit)
        {
            var json = JsonNode.Parse(original)!.AsObject();
            edit(json);
            File.WriteAllText(configPath, json.ToJsonString());
            var e = Assert.Throws<DataFormatException>(() => HfCheckpoint.Import(_dir["hf"], _dir["out.bin"]));
            Assert.Equal((configPath, field), (e.File, e.Field));
            Assert.Contains(fragment, e.Message);
            Assert.False(File.Exists(_dir["out.bin"]));
        }
        Expect("model_type", "unknown architecture", j => { j["model_type"] = "gpt2"; j["architectures"] = new JsonArray("GPT2LMHeadModel"); });
        Expect("use_parallel_residual", "parallel-residual", j => j["use_parallel_residual"] = true);
        Expect("rotary_pct", "25", j => j["rotary_pct"] = 0.25);
        Expect("hidden_act", "gelu_new", j => j["hidden_act"] = "gelu_new");

        // A real bias where the kit has none.
        File.WriteAllText(configPath, original);
        var weights = Path.Combine(_dir["hf"], HfCheckpoint.WeightsFile);
        var tensors = SafetensorsFile.Read(weights);
        tensors["gpt_neox.layers.1.mlp.dense_4h_to_h.bias"][3] = torch.tensor(0.5f);
        SafetensorsFile.Write(weights, tensors.Select(p => (p.Key, p.Value)).ToList(), new Dictionary<string, string> { ["format"] = "pt" });
        var bias = Assert.Throws<DataFormatException>(() => HfCheckpoint.Import(_dir["hf"], _dir["out.bin"]));
        Assert.Equal((weights, "gpt_neox.layers.1.mlp.dense_4h_to_h.bias"), (bias.File, bias.Field));
        Assert.False(File.Exists(_dir["out.bin"]));
    }

    [Fact]
    public void TheByteTokenizerFilesEncodeTextToTheKitsByteIds()
    {
        HfByteTokenizer.Write(_dir.Path, 128);
        var json = JsonNode.Parse(File.ReadAllText(_dir["tokenizer.json"]))!;
        Assert.Empty(json["model"]!["merges"]!.AsArray());
        var vocab = json["model"]!["vocab"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<int>());
        Assert.Equal(257, vocab.Count);
        // GPT-2's byte-to-unicode table: printable bytes are themselves, space is U+0120 'Ġ', byte 0 is U+0100 'Ā',
        // newline U+010A 'Ċ', 0x7F U+0121, 0xAD U+0143.
        Assert.Equal([(char)0x100, (char)0x10A, 'Ġ', '!', (char)0x121, (char)0x143, 'ÿ'],
                     new[] { 0, 10, 32, 33, 127, 173, 255 }.Select(b => HfByteTokenizer.ByteToUnicode[b]));
        Assert.Equal(256, json["added_tokens"]![0]!["id"]!.GetValue<int>());

        // What a byte-level BPE without merges does: each UTF-8 byte -> its character -> that character's id.
        const string text = "URL: en.wikipedia.org\n\nGrüße — 日本 🎉\ttab";
        var ids = Encoding.UTF8.GetBytes(text).Select(b => vocab[HfByteTokenizer.ByteToUnicode[b].ToString()]).ToArray();
        Assert.Equal(ByteTokenizer.Instance.Encode(text), ids);
    }
}
