using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Training;

/// <summary>Next-token cross-entropy per position, and its loss-masked token mean.</summary>
public static class TokenLoss
{
    /// <summary>Most fp32 logits the chunked loss holds at once (256 MiB: 1,334 positions of a 50k vocabulary).</summary>
    public const long DefaultChunkBytes = 256L << 20;

    /// <summary>Cross-entropy per position, [B, T], fp32.</summary>
    public static Tensor PerToken(Tensor logits, Tensor targets)
    {
        long b = targets.shape[0], t = targets.shape[1];
        return nn.functional.cross_entropy(logits.reshape(b * t, -1).to_type(ScalarType.Float32), targets.reshape(b * t), reduction: nn.Reduction.None).view(b, t);
    }

    /// <summary>The model's cross-entropy per position on a batch, [B, T] fp32, computed in chunks of positions so that
    /// full fp32 logits never exist (see <see cref="PerTokenChunked"/>).</summary>
    public static Tensor PerToken(Gpt model, Batch batch, long chunkBytes = DefaultChunkBytes)
    {
        using var scope = torch.NewDisposeScope();
        var hidden = model.Hidden(batch.Tokens, batch.Positions, batch.AttentionMask);
        return PerTokenChunked(hidden, model.HeadWeight, batch.Targets, model.ComputeType, chunkBytes).MoveToOuterDisposeScope();
    }

    /// <summary>Positions per chunk: as many as fit <paramref name="chunkBytes"/> of fp32 logits, 1 to <paramref name="positions"/>.</summary>
    internal static long ChunkRows(long vocab, long positions, long chunkBytes = DefaultChunkBytes) =>
        Math.Clamp(chunkBytes / (vocab * sizeof(float)), 1, positions);

    /// <summary>
    /// Cross-entropy per position of <c>linear(hidden, weight)</c> against <paramref name="targets"/>, [B, T] fp32, the
    /// head's matmul and the loss taken a chunk of positions at a time (at most <paramref name="chunkBytes"/> of fp32
    /// logits). Each chunk's gradient with respect to its logits, softmax − one-hot, is computed in the forward pass and
    /// kept in the compute dtype, so autograd holds neither fp32 logits nor log-probabilities: the loss value is
    /// <c>logsumexp − logit[target]</c> exactly, and <c>(logits·g).sum − itself detached</c> (zero) carries the gradient.
    /// </summary>
    /// <param name="hidden">[B, T, d], the head's input.</param>
    /// <param name="weight">[V, d] (cast to <paramref name="compute"/> once for all chunks).</param>
    internal static Tensor PerTokenChunked(Tensor hidden, Tensor weight, Tensor targets, ScalarType compute, long chunkBytes = DefaultChunkBytes)
    {
        long b = targets.shape[0], t = targets.shape[1], n = b * t, vocab = weight.shape[0];
        long rows = ChunkRows(vocab, n, chunkBytes);
        bool needsGradient = torch.is_grad_enabled() && (hidden.requires_grad || weight.requires_grad);
        using var scope = torch.NewDisposeScope();
        var w = weight.to_type(compute);
        // split (not narrow) so the backward pass concatenates the chunks' gradients once.
        var hiddenChunks = hidden.reshape(n, hidden.shape[^1]).split(rows);
        var targetChunks = targets.reshape(n, 1).split(rows);
        var losses = new Tensor[hiddenChunks.Length];
        for (int c = 0; c < hiddenChunks.Length; c++)
        {
            using var chunkScope = torch.NewDisposeScope();
            var logits = nn.functional.linear(hiddenChunks[c].to_type(compute), w);   // [r, V] in the compute dtype
            Tensor loss, softmaxMinusTarget;
            using (torch.no_grad())
            {
                var full = logits.to_type(ScalarType.Float32);   // may alias fp32 logits: never written
                var logSumExp = full.logsumexp(1, keepdim: true);
                loss = (logSumExp - full.gather(1, targetChunks[c])).squeeze(1);
                softmaxMinusTarget = needsGradient
                    ? (full - logSumExp).exp_().scatter_add_(1, targetChunks[c], torch.full(targetChunks[c].shape, -1f, device: full.device)).to_type(compute)
                    : torch.empty(0);
            }
            if (needsGradient)
            {
                var carrier = (logits * softmaxMinusTarget).sum(1, type: ScalarType.Float32);
                loss = loss + (carrier - carrier.detach());
            }
            losses[c] = loss.MoveToOuterDisposeScope();
        }
        return torch.cat(losses).view(b, t).MoveToOuterDisposeScope();
    }

    /// <summary>Mean over positions whose mask is 1 (0 when none is).</summary>
    public static Tensor MaskedMean(Tensor perToken, Tensor mask) => (perToken * mask).sum() / mask.sum().clamp_min(1);

    /// <summary>The model's masked next-token loss on a batch.</summary>
    public static Tensor Of(Gpt model, Batch batch)
    {
        using var scope = torch.NewDisposeScope();
        return MaskedMean(PerToken(model, batch), batch.LossMask).MoveToOuterDisposeScope();
    }
}
