using ResearchKit.Models;
using ResearchKit.Runtime;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace ResearchKit.Tests.Models;

public sealed class LlamaTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "rk-llama-" + Guid.NewGuid().ToString("N"));

    public LlamaTests() => TorchRuntime.Initialize("cpu");
    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true); }

    static readonly TinyLlama.Spec GroupedUntied = new(Vocab: 53, Hidden: 32, Intermediate: 40, Layers: 2, Heads: 4, KvHeads: 2);
    static readonly TinyLlama.Spec MultiQueryTied = new(Vocab: 47, Hidden: 24, Intermediate: 36, Layers: 3, Heads: 3, KvHeads: 1, Theta: 10_000, Eps: 1e-6, Tied: true);
    static readonly int[] Tokens = [5, 17, 3, 44, 44, 0, 29, 11, 38];

    [Theory]
    [InlineData(false, 1)]   // grouped-query (2 kv heads for 4), untied head, fp32, one file
    [InlineData(true, 3)]    // multi-query (1 kv head), tied head, bf16 weights, three shards with an index
    public void LoadedCheckpointMatchesAPlainReferenceForwardPass(bool tiedBf16Sharded, int shards)
    {
        var spec = tiedBf16Sharded ? MultiQueryTied : GroupedUntied;
        var weights = TinyLlama.Write(_dir, spec, seed: 11, tiedBf16Sharded ? ScalarType.BFloat16 : ScalarType.Float32, shards);
        var loaded = LlamaCheckpoint.Load(_dir);
        Assert.Null(loaded.Tokenizer);
        Assert.Equal(spec.KvHeads, loaded.Model.Config.KvHeads);
        Assert.Equal(spec.Tied, loaded.Model.Config.TieWordEmbeddings);

        using var tokens = torch.tensor(Tokens.Select(t => (long)t).ToArray(), [1, Tokens.Length]);
        using var logits = loaded.Model.Forward(tokens);
        var actual = logits.data<float>().ToArray();
        var expected = TinyLlama.Logits(spec, weights, Tokens);
        Assert.Equal(Tokens.Length * spec.Vocab, actual.Length);
        double scale = expected.SelectMany(r => r).Max(Math.Abs);
        Assert.True(scale > 1, $"logits too small to test anything ({scale})");
        for (int t = 0; t < Tokens.Length; t++)
            for (int v = 0; v < spec.Vocab; v++)
                Assert.True(Math.Abs(actual[t * spec.Vocab + v] - expected[t][v]) < 1e-4 * scale, $"position {t}, token {v}: {actual[t * spec.Vocab + v]} vs reference {expected[t][v]}");
    }

    [Fact]
    public void ParameterNamesAndShapesAreHuggingFaces()
    {
        foreach (var spec in new[] { GroupedUntied, MultiQueryTied })
        {
            var model = new LlamaForCausalLm(new LlamaConfig(spec.Vocab, spec.Hidden, spec.Intermediate, spec.Layers, spec.Heads, spec.KvHeads, TieWordEmbeddings: spec.Tied));
            var actual = model.named_parameters().Select(p => (p.name, string.Join("x", p.parameter.shape))).OrderBy(p => p.name, StringComparer.Ordinal);
            var expected = TinyLlama.Parameters(spec).Select(p => (p.Name, string.Join("x", p.Shape))).OrderBy(p => p.Name, StringComparer.Ordinal);
            Assert.Equal(expected, actual);
            Assert.Equal(model.parameters().Sum(p => p.numel()), model.Config.ParameterCount);
        }
    }

    [Fact]
    public void ReleasedRefiningModelShapeCountsItsParameters()
    {
        var c = LlamaConfig.ProxRefining();
        Assert.Equal((80, 1), (c.HeadDim, c.KvHeads));
        // 2 × 32000·1280 embeddings + 24 × (2·1280² + 2·1280·80 + 3·1280·2048 + 2·1280) + 1280 = 354,284,800
        Assert.Equal(354_284_800L, c.ParameterCount);
    }

    [Fact]
    public void ConfigErrorsNameTheFileAndTheField()
    {
        Directory.CreateDirectory(_dir);
        var config = Path.Combine(_dir, "config.json");
        Assert.Throws<FileNotFoundException>(() => LlamaCheckpoint.Load(_dir));

        DataFormatException Bad(string json)
        {
            File.WriteAllText(config, json);
            return Assert.Throws<DataFormatException>(() => LlamaConfig.FromJsonFile(config));
        }
        var valid = System.Text.Json.Nodes.JsonNode.Parse(TinyLlama.ConfigJson(GroupedUntied))!.AsObject();
        string With(string field, System.Text.Json.Nodes.JsonNode? value) { var o = valid.DeepClone().AsObject(); o[field] = value; return o.ToJsonString(); }
        string Without(string field) { var o = valid.DeepClone().AsObject(); o.Remove(field); return o.ToJsonString(); }

        var e = Bad(With("architectures", new System.Text.Json.Nodes.JsonArray("MistralForCausalLM")));
        Assert.Equal((config, "architectures"), (e.File, e.Field));
        Assert.Contains("MistralForCausalLM", e.Message);
        Assert.Equal("hidden_size", Bad(Without("hidden_size")).Field);
        Assert.Equal("num_key_value_heads", Bad(With("num_key_value_heads", 3)).Field);
        Assert.Equal("vocab_size", Bad(With("vocab_size", "many")).Field);
        Assert.Equal("rope_scaling", Bad(With("rope_scaling", new System.Text.Json.Nodes.JsonObject { ["type"] = "linear", ["factor"] = 2.0 })).Field);
        Assert.Equal("hidden_act", Bad(With("hidden_act", "gelu")).Field);
        Assert.Null(Bad("{ not json").Field);

        // HF's defaults for what may be absent: kv heads = heads, untied, eos 2.
        File.WriteAllText(config, Without("num_key_value_heads"));
        var defaults = LlamaConfig.FromJsonFile(config);
        Assert.Equal(4, defaults.KvHeads);
        Assert.Equal([2], defaults.EndTokenIds);
        File.WriteAllText(config, With("eos_token_id", new System.Text.Json.Nodes.JsonArray(2, 7)));
        Assert.Equal(new[] { 2, 7 }, LlamaConfig.FromJsonFile(config).EndTokenIds);
    }

    [Fact]
    public void WeightErrorsNameTheFileAndTheTensor()
    {
        TinyLlama.Write(_dir, GroupedUntied, seed: 3);
        var weights = Path.Combine(_dir, "model.safetensors");
        var state = Safetensors.LoadStateDict(weights);

        DataFormatException BadWeights(Action<Dictionary<string, Tensor>> edit)
        {
            var copy = state.ToDictionary(p => p.Key, p => p.Value.clone());
            edit(copy);
            Safetensors.SaveStateDict(weights, copy);
            return Assert.Throws<DataFormatException>(() => LlamaCheckpoint.Load(_dir));
        }

        var e = BadWeights(s => s["model.layers.1.self_attn.k_proj.weight"] = torch.zeros(32, 32));
        Assert.Equal((weights, "model.layers.1.self_attn.k_proj.weight"), (e.File, e.Field));
        Assert.Contains("[32, 32]", e.Message);
        Assert.Contains("[16, 32]", e.Message);
        e = BadWeights(s => s.Remove("lm_head.weight"));
        Assert.Equal("lm_head.weight", e.Field);
        Assert.Contains("tie_word_embeddings", e.Message);
        Assert.Equal("model.layers.2.mlp.up_proj.weight", BadWeights(s => s["model.layers.2.mlp.up_proj.weight"] = torch.zeros(40, 32)).Field);
        Assert.Equal("model.norm.weight", BadWeights(s => s["model.norm.weight"] = torch.zeros(32, ScalarType.Int64)).Field);

        File.Delete(weights);
        File.WriteAllText(Path.Combine(_dir, "model.safetensors.index.json"), """{"weight_map": {"model.norm.weight": "model-00002-of-00002.safetensors"}}""");
        e = Assert.Throws<DataFormatException>(() => LlamaCheckpoint.Load(_dir));
        Assert.Equal("weight_map.model.norm.weight", e.Field);
        File.Delete(Path.Combine(_dir, "model.safetensors.index.json"));
        Assert.Contains("model.safetensors", Assert.Throws<FileNotFoundException>(() => LlamaCheckpoint.Load(_dir)).Message);
    }
}
