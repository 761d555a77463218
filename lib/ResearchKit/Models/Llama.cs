using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace ResearchKit.Models;

/// <summary>
/// The Llama architecture (Hugging Face's LlamaForCausalLM) in one file: token embedding, pre-norm decoder layers of
/// RMSNorm → grouped-query attention with rotary embeddings (HF's rotate-half layout, base rope_theta) → residual,
/// RMSNorm → SwiGLU MLP → residual, a final RMSNorm and the output head (or the embedding, when tied). Parameter
/// names are HF's (<c>model.layers.0.self_attn.q_proj.weight</c>, ...), so a safetensors state dict loads as is
/// (<see cref="LlamaCheckpoint"/>). Computes in the weights' dtype with norms, RoPE and logits in fp32, as HF does.
/// </summary>
public sealed class LlamaForCausalLm : nn.Module, ICausalLm
{
    readonly LlamaModel model;
    readonly Linear? lm_head;

    public LlamaConfig Config { get; }

    /// <summary>A model with random weights (N(0, 0.02), norms 1, as HF's initializer_range); load real ones with
    /// <see cref="LlamaCheckpoint.Load"/>.</summary>
    public LlamaForCausalLm(LlamaConfig config) : base("llama")
    {
        config.Validate("LlamaConfig");
        Config = config;
        model = new LlamaModel(config);
        lm_head = config.TieWordEmbeddings ? null : nn.Linear(config.HiddenSize, config.VocabSize, hasBias: false);
        RegisterComponents();
        using var _ = torch.no_grad();
        foreach (var (_, p) in named_parameters())
            if (p.dim() == 1) p.fill_(1.0); else p.normal_(0, 0.02);
    }

    public int VocabSize => Config.VocabSize;
    public int Layers => Config.Layers;
    public int ContextLength => Config.MaxPositions;
    public Device Device => model.embed_tokens.weight!.device;

    /// <summary>Logits [B, T, V] (fp32) for tokens [B, T].</summary>
    /// <param name="positions">RoPE positions [B, T]; null = 0..T-1.</param>
    /// <param name="attentionMask">Boolean [B, 1, T, cached + T], true = may attend; null = plain causal (no cache).</param>
    /// <param name="cache">Keys and values of earlier positions (incremental decoding); needs positions and a mask.</param>
    public Tensor Forward(Tensor tokens, Tensor? positions = null, Tensor? attentionMask = null, KvCache? cache = null)
    {
        long t = tokens.shape[1];
        if (cache is not null && (positions is null || attentionMask is null)) throw new ArgumentException("a cached forward pass needs explicit positions and attention mask");
        using var scope = torch.NewDisposeScope();
        positions ??= torch.arange(t, dtype: ScalarType.Int64, device: tokens.device).unsqueeze(0);
        var x = model.embed_tokens.forward(tokens);
        var rope = Rope(positions, x.dtype);
        for (int i = 0; i < Config.Layers; i++) x = model.layers[i].Forward(x, rope, attentionMask, cache?.Layers[i]);
        x = model.norm.forward(x);
        var logits = (lm_head is null ? F.linear(x, model.embed_tokens.weight!) : lm_head.forward(x)).to_type(ScalarType.Float32);
        return logits.MoveToOuterDisposeScope();
    }

    Tensor ICausalLm.Forward(Tensor tokens, Tensor positions, Tensor attentionMask, KvCache? cache) => Forward(tokens, positions, attentionMask, cache);

    /// <summary>HF's rotary tables: inverse frequencies theta^(-2i/d) and angles in fp32, duplicated over both halves
    /// of the head (rotate-half layout): cos, sin [B, 1, T, hd] in the compute dtype.</summary>
    (Tensor Cos, Tensor Sin) Rope(Tensor positions, ScalarType dtype)
    {
        int hd = Config.HeadDim;
        var exponents = torch.arange(0, hd, 2, ScalarType.Int64, positions.device).to_type(ScalarType.Float32) / hd;
        var invFreq = torch.pow(Config.RopeTheta, exponents).reciprocal();
        var angles = positions.to_type(ScalarType.Float32).unsqueeze(-1) * invFreq;   // [B, T, hd/2]
        var emb = torch.cat([angles, angles], -1).unsqueeze(1);                        // [B, 1, T, hd]
        return (emb.cos().to_type(dtype), emb.sin().to_type(dtype));
    }

    static Tensor RotateHalf(Tensor x)
    {
        long half = x.shape[^1] / 2;
        return torch.cat([-x.narrow(-1, half, half), x.narrow(-1, 0, half)], -1);
    }

    sealed class LlamaModel : nn.Module
    {
        public readonly Embedding embed_tokens;
        public readonly ModuleList<DecoderLayer> layers;
        public readonly RmsNorm norm;

        public LlamaModel(LlamaConfig config) : base("model")
        {
            embed_tokens = nn.Embedding(config.VocabSize, config.HiddenSize);
            layers = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(_ => new DecoderLayer(config)).ToArray());
            norm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
            RegisterComponents();
        }
    }

    sealed class DecoderLayer : nn.Module
    {
        readonly RmsNorm input_layernorm, post_attention_layernorm;
        readonly Attention self_attn;
        readonly Mlp mlp;

        public DecoderLayer(LlamaConfig config) : base("layer")
        {
            input_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
            self_attn = new Attention(config);
            post_attention_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
            mlp = new Mlp(config);
            RegisterComponents();
        }

        public Tensor Forward(Tensor x, (Tensor Cos, Tensor Sin) rope, Tensor? mask, KvCache.Layer? cache)
        {
            x = x + self_attn.Forward(input_layernorm.forward(x), rope, mask, cache);
            return x + mlp.forward(post_attention_layernorm.forward(x));
        }
    }

    sealed class Attention : nn.Module
    {
        readonly Linear q_proj, k_proj, v_proj, o_proj;
        readonly int heads, kvHeads, headDim;

        public Attention(LlamaConfig config) : base("self_attn")
        {
            (heads, kvHeads, headDim) = (config.Heads, config.KvHeads, config.HeadDim);
            q_proj = nn.Linear(config.HiddenSize, heads * headDim, hasBias: false);
            k_proj = nn.Linear(config.HiddenSize, kvHeads * headDim, hasBias: false);
            v_proj = nn.Linear(config.HiddenSize, kvHeads * headDim, hasBias: false);
            o_proj = nn.Linear(heads * headDim, config.HiddenSize, hasBias: false);
            RegisterComponents();
        }

        public Tensor Forward(Tensor x, (Tensor Cos, Tensor Sin) rope, Tensor? mask, KvCache.Layer? cache)
        {
            long b = x.shape[0], t = x.shape[1];
            var q = q_proj.forward(x).view(b, t, heads, headDim).transpose(1, 2);
            var k = k_proj.forward(x).view(b, t, kvHeads, headDim).transpose(1, 2);
            var v = v_proj.forward(x).view(b, t, kvHeads, headDim).transpose(1, 2);
            q = q * rope.Cos + RotateHalf(q) * rope.Sin;
            k = k * rope.Cos + RotateHalf(k) * rope.Sin;
            if (cache is not null) (k, v) = cache.Append(k, v);
            if (kvHeads != heads)
            {
                // Grouped-query attention: query head j reads key/value head j / (heads / kvHeads), as HF's repeat_kv.
                k = k.repeat_interleave(heads / kvHeads, 1);
                v = v.repeat_interleave(heads / kvHeads, 1);
            }
            var y = mask is null
                ? F.scaled_dot_product_attention(q, k, v, is_casual: true)
                : F.scaled_dot_product_attention(q, k, v, attn_mask: mask);
            return o_proj.forward(y.transpose(1, 2).reshape(b, t, heads * headDim));
        }
    }

    sealed class Mlp : nn.Module<Tensor, Tensor>
    {
        readonly Linear gate_proj, up_proj, down_proj;

        public Mlp(LlamaConfig config) : base("mlp")
        {
            gate_proj = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: false);
            up_proj = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: false);
            down_proj = nn.Linear(config.IntermediateSize, config.HiddenSize, hasBias: false);
            RegisterComponents();
        }

        /// <summary>SwiGLU: down(silu(gate(x)) · up(x)).</summary>
        public override Tensor forward(Tensor x) => down_proj.forward(F.silu(gate_proj.forward(x)) * up_proj.forward(x));
    }

    /// <summary>x / sqrt(mean(x²) + eps) · weight, computed in fp32 and cast back (HF's LlamaRMSNorm).</summary>
    sealed class RmsNorm : nn.Module<Tensor, Tensor>
    {
        readonly Parameter weight;
        readonly double eps;

        public RmsNorm(int size, double eps) : base("norm")
        {
            weight = nn.Parameter(torch.ones(size));
            this.eps = eps;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var x32 = x.to_type(ScalarType.Float32);
            x32 = x32 * torch.rsqrt(x32.pow(2).mean([-1], keepdim: true) + eps);
            return weight * x32.to_type(x.dtype);
        }
    }
}
