using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Training;

/// <summary>Next-token cross-entropy per position, and its loss-masked token mean.</summary>
public static class TokenLoss
{
    /// <summary>Cross-entropy per position, [B, T], fp32.</summary>
    public static Tensor PerToken(Tensor logits, Tensor targets)
    {
        long b = targets.shape[0], t = targets.shape[1];
        return nn.functional.cross_entropy(logits.reshape(b * t, -1).to_type(ScalarType.Float32), targets.reshape(b * t), reduction: nn.Reduction.None).view(b, t);
    }

    /// <summary>Mean over positions whose mask is 1 (0 when none is).</summary>
    public static Tensor MaskedMean(Tensor perToken, Tensor mask) => (perToken * mask).sum() / mask.sum().clamp_min(1);

    /// <summary>The model's masked next-token loss on a batch.</summary>
    public static Tensor Of(Gpt model, Batch batch)
    {
        using var scope = torch.NewDisposeScope();
        var logits = model.Forward(batch.Tokens, batch.Positions, batch.AttentionMask);
        return MaskedMean(PerToken(logits, batch.Targets), batch.LossMask).MoveToOuterDisposeScope();
    }
}
