using System.Text.Json.Serialization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using ResearchKit.Models;

namespace ResearchKit.Training;

/// <summary>Shape of a GPT: vocabulary, width, depth, heads, context length, dropout, tied input/output embedding.</summary>
public sealed record GptConfig(int VocabSize, int DModel, int Layers, int Heads, int Context, double Dropout = 0.0, bool TiedHead = true, double RopeTheta = 10_000)
{
    [JsonIgnore] public int HeadDim => DModel / Heads;

    /// <summary>~0.1M parameters at vocab 257: unit tests (milliseconds per step on CPU).</summary>
    public static GptConfig Micro(int vocab = 257) => new(vocab, 64, 2, 4, 32);
    /// <summary>~1.8M parameters at vocab 257: the CPU preset (a few minutes of training on a few MB of bytes).</summary>
    public static GptConfig Tiny(int vocab = 257) => new(vocab, 192, 4, 6, 128);
    /// <summary>GPT-2 small shape (d 768, 12 layers, 12 heads, T 1024, ~124M parameters at vocab 50304).</summary>
    public static GptConfig Small(int vocab = 50_304) => new(vocab, 768, 12, 12, 1024);
    /// <summary>GPT-2 medium shape (d 1024, 24 layers, 16 heads, ~350M parameters).</summary>
    public static GptConfig Medium(int vocab = 50_304) => new(vocab, 1024, 24, 16, 1024);

    /// <summary>Looks a named size up: micro, tiny, small, medium.</summary>
    public static GptConfig Named(string name, int vocab) => name switch
    {
        "micro" => Micro(vocab),
        "tiny" => Tiny(vocab),
        "small" => Small(vocab),
        "medium" => Medium(vocab),
        _ => throw new ArgumentException($"unknown model size '{name}' (micro, tiny, small, medium)", nameof(name)),
    };

    /// <summary>Parameters in the model (the tied head counted once).</summary>
    [JsonIgnore] public long ParameterCount =>
        (long)VocabSize * DModel * (TiedHead ? 1 : 2) + 2L * DModel
        + Layers * (12L * DModel * DModel + 4L * DModel);

    internal void Validate()
    {
        if (VocabSize <= 0 || DModel <= 0 || Layers <= 0 || Heads <= 0 || Context <= 0)
            throw new ArgumentException($"model sizes must be positive: {this}");
        if (DModel % Heads != 0 || HeadDim % 2 != 0)
            throw new ArgumentException($"DModel {DModel} must split into {Heads} heads of even size (RoPE rotates pairs)");
    }
}

/// <summary>
/// A pre-norm GPT with rotary position embeddings and causal self-attention through
/// <c>scaled_dot_product_attention</c>. Weights live in fp32; when
/// <see cref="ComputeType"/> is bf16 every matmul casts its operands to bf16 and layer norms, RoPE and the
/// logits stay fp32: the autocast recipe done by hand, since TorchSharp has no autocast.
/// </summary>
public sealed class Gpt : nn.Module
{
    readonly Parameter wte;
    readonly Parameter? lm_head;
    readonly ModuleList<Block> blocks;
    readonly Parameter ln_f_weight, ln_f_bias;

    // Not a tensor field: RegisterComponents would make it a buffer (and part of the state dict).
    readonly RopeTables _rope;

    public GptConfig Config { get; }
    /// <summary>Float32 (CPU, exact) or BFloat16 (CUDA mixed precision).</summary>
    public ScalarType ComputeType { get; set; } = ScalarType.Float32;

    /// <param name="generator">Draws the initial weights; null = torch's global generator. A run's own generator keeps its
    /// initial weights independent of other threads drawing from the global one.</param>
    public Gpt(GptConfig config, Generator? generator = null) : base("gpt")
    {
        config.Validate();
        Config = config;
        _rope = new RopeTables(config.HeadDim, config.Context, config.RopeTheta);
        int d = config.DModel;
        wte = nn.Parameter(torch.empty(config.VocabSize, d));
        lm_head = config.TiedHead ? null : nn.Parameter(torch.empty(config.VocabSize, d));
        blocks = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(_ => new Block(config)).ToArray());
        ln_f_weight = nn.Parameter(torch.ones(d));
        ln_f_bias = nn.Parameter(torch.zeros(d));
        RegisterComponents();
        InitWeights(generator);
    }

    /// <summary>nanoGPT's init: N(0, 0.02) everywhere, residual projections N(0, 0.02/sqrt(2L)), norms 1/0.</summary>
    void InitWeights(Generator? generator)
    {
        using var _ = torch.no_grad();
        double residualStd = 0.02 / Math.Sqrt(2.0 * Config.Layers);
        foreach (var (name, p) in named_parameters())
        {
            if (p.dim() == 1) { if (name.EndsWith("weight", StringComparison.Ordinal)) p.fill_(1.0); else p.zero_(); }
            else if (name.EndsWith("proj", StringComparison.Ordinal)) p.normal_(0, residualStd, generator);
            else p.normal_(0, 0.02, generator);
        }
    }

    /// <summary>Logits [B, T, V] (fp32) for tokens [B, T].</summary>
    /// <param name="positions">RoPE positions [B, T] (restarting per document); null = 0..T-1.</param>
    /// <param name="attentionMask">Boolean [B, 1, T, T], true = may attend (block-diagonal causal); null = plain causal.</param>
    /// <param name="cache">Incremental decoding: keys and values of the earlier positions, to which the new tokens' are
    /// appended; then <paramref name="positions"/> and <paramref name="attentionMask"/> ([B, 1, T, cached + T]) are required,
    /// and keeping positions inside the context is the caller's part (a left-padded batch is wider than its sequences).</param>
    public Tensor Forward(Tensor tokens, Tensor? positions = null, Tensor? attentionMask = null, KvCache? cache = null)
    {
        using var scope = torch.NewDisposeScope();
        var logits = Linear(Hidden(tokens, positions, attentionMask, cache), HeadWeight, ComputeType).to_type(ScalarType.Float32);
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>The final hidden states [B, T, d] (after the last layer norm, in the weights' dtype): the head's input.
    /// The training loss reads these and applies <see cref="HeadWeight"/> chunk by chunk (<see cref="TokenLoss"/>), so
    /// full fp32 logits never exist at once. Arguments as <see cref="Forward"/>.</summary>
    public Tensor Hidden(Tensor tokens, Tensor? positions = null, Tensor? attentionMask = null, KvCache? cache = null)
    {
        long t = tokens.shape[1];
        if (cache is null && t > Config.Context) throw new ArgumentException($"sequence of {t} tokens exceeds the context of {Config.Context}");
        if (cache is not null && (positions is null || attentionMask is null)) throw new ArgumentException("a cached forward pass needs explicit positions and attention mask");
        using var scope = torch.NewDisposeScope();
        // Training and evaluation positions lie inside the context: table rows. Decoding may pass it (finished rows of a batch).
        var rope = cache is null ? _rope.Slice(tokens.device, positions, t) : _rope.Compute(positions!);

        // The residual stream stays fp32 (the weights' dtype); only the matmuls run in the compute type.
        var x = wte.index_select(0, tokens.reshape(-1)).view(tokens.shape[0], t, Config.DModel);
        x = F.dropout(x, Config.Dropout, training);
        for (int i = 0; i < blocks.Count; i++) x = blocks[i].Forward(x, rope, attentionMask, ComputeType, cache?.Layers[i]);
        return LayerNorm(x, ln_f_weight, ln_f_bias).MoveToOuterDisposeScope();
    }

    /// <summary>The output projection [V, d]: the untied head, or the token embedding when tied.</summary>
    public Tensor HeadWeight => lm_head ?? wte;

    internal static Tensor Linear(Tensor x, Tensor weight, ScalarType compute) => F.linear(x.to_type(compute), weight.to_type(compute));

    static Tensor LayerNorm(Tensor x, Tensor weight, Tensor bias) =>
        F.layer_norm(x, [x.shape[^1]], weight.to_type(x.dtype), bias.to_type(x.dtype));

    /// <summary>Rotates (first half, second half) pairs of each head by the position angle (GPT-NeoX/Llama layout), in
    /// fp32: x·cos + (x2, x1)·(−sin, sin) with the tables of <see cref="RopeTables"/>; four kernels for q and k together.</summary>
    internal static Tensor ApplyRope(Tensor x, (Tensor Cos, Tensor Sin) rope)
    {
        long half = x.shape[^1] / 2;
        var xf = x.to_type(ScalarType.Float32);
        var swapped = torch.cat([xf.narrow(-1, half, half), xf.narrow(-1, 0, half)], -1);
        return (xf * rope.Cos + swapped * rope.Sin).to_type(x.dtype);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _rope.Dispose();
        base.Dispose(disposing);
    }

    sealed class Block : nn.Module
    {
        readonly Parameter ln1_weight, ln1_bias, attn_qkv, attn_proj, ln2_weight, ln2_bias, mlp_fc, mlp_proj;
        readonly GptConfig config;

        public Block(GptConfig config) : base("block")
        {
            this.config = config;
            int d = config.DModel;
            ln1_weight = nn.Parameter(torch.ones(d));
            ln1_bias = nn.Parameter(torch.zeros(d));
            attn_qkv = nn.Parameter(torch.empty(3 * d, d));
            attn_proj = nn.Parameter(torch.empty(d, d));
            ln2_weight = nn.Parameter(torch.ones(d));
            ln2_bias = nn.Parameter(torch.zeros(d));
            mlp_fc = nn.Parameter(torch.empty(4 * d, d));
            mlp_proj = nn.Parameter(torch.empty(d, 4 * d));
            RegisterComponents();
        }

        public Tensor Forward(Tensor x, (Tensor Cos, Tensor Sin) rope, Tensor? mask, ScalarType compute, KvCache.Layer? cache = null)
        {
            long b = x.shape[0], t = x.shape[1];
            int h = config.Heads, hd = config.HeadDim;
            double p = training ? config.Dropout : 0.0;

            // Attention: [B,T,3d] -> 3 x [B,H,T,hd]
            var qkv = Linear(LayerNorm(x, ln1_weight, ln1_bias), attn_qkv, compute).view(b, t, 3, h, hd).permute(2, 0, 3, 1, 4);
            var qk = ApplyRope(qkv.narrow(0, 0, 2), rope);   // q and k rotated together: [2, B, H, T, hd]
            var q = qk[0];
            var k = qk[1];
            var v = qkv[2];
            if (cache is not null) (k, v) = cache.Append(k, v);
            var y = mask is null
                ? F.scaled_dot_product_attention(q, k, v, p: p, is_casual: true)
                : F.scaled_dot_product_attention(q, k, v, attn_mask: mask, p: p);
            y = y.transpose(1, 2).reshape(b, t, config.DModel);
            x = x + F.dropout(Linear(y, attn_proj, compute), p, training);

            // MLP: d -> 4d -> d with exact GELU (as nanoGPT)
            var hidden = F.gelu(Linear(LayerNorm(x, ln2_weight, ln2_bias), mlp_fc, compute));
            return x + F.dropout(Linear(hidden, mlp_proj, compute), p, training);
        }
    }
}
