using static TorchSharp.torch;

namespace ResearchKit.Models;

/// <summary>
/// A decoder-only language model as generation drives it: logits for new tokens, given their positions, which
/// earlier positions each may attend to, and optionally a <see cref="KvCache"/> holding the earlier positions.
/// The kit's GPT (<see cref="GptCausalLm"/>) and the Llama architecture (<see cref="LlamaForCausalLm"/>) implement it.
/// </summary>
public interface ICausalLm
{
    int VocabSize { get; }
    /// <summary>Attention layers (the cache holds one entry per layer).</summary>
    int Layers { get; }
    /// <summary>Most positions (prompt + generated tokens) one sequence may have.</summary>
    int ContextLength { get; }
    Device Device { get; }

    /// <summary>Logits [B, T, V] (fp32) for <paramref name="tokens"/> [B, T].</summary>
    /// <param name="positions">RoPE positions [B, T] (int64).</param>
    /// <param name="attentionMask">Boolean [B, 1, T, S], true = may attend, where S counts the cached positions plus
    /// the T new ones.</param>
    /// <param name="cache">Holds the earlier positions' keys and values and receives the new ones; null = the tokens
    /// are the whole sequence.</param>
    Tensor Forward(Tensor tokens, Tensor positions, Tensor attentionMask, KvCache? cache);
}
