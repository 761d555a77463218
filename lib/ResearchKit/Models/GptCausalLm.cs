using ResearchKit.Training;
using static TorchSharp.torch;

namespace ResearchKit.Models;

/// <summary>The kit's <see cref="Gpt"/> as an <see cref="ICausalLm"/> for generation. Puts the model in eval mode
/// (no dropout): generation is inference.</summary>
public sealed class GptCausalLm : ICausalLm
{
    public GptCausalLm(Gpt model)
    {
        Model = model;
        model.eval();
        Device = model.parameters().First().device;
    }

    public Gpt Model { get; }
    public int VocabSize => Model.Config.VocabSize;
    public int Layers => Model.Config.Layers;
    public int ContextLength => Model.Config.Context;
    public Device Device { get; }

    public Tensor Forward(Tensor tokens, Tensor positions, Tensor attentionMask, KvCache? cache) =>
        Model.Forward(tokens, positions, attentionMask, cache);
}
