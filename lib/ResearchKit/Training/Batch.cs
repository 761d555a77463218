using ResearchKit.Packing;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Training;

/// <summary>
/// A training batch on the device. <see cref="LossMask"/> is 1 where a target counts. With document masking,
/// <see cref="AttentionMask"/> is block-diagonal causal ([B,1,T,T], true = may attend) and <see cref="Positions"/>
/// restart at 0 per document; without it both are null (plain causal attention across documents, as ICLM needs).
/// </summary>
public sealed class Batch : IDisposable
{
    public required Tensor Tokens { get; init; }       // [B, T] int64
    public required Tensor Targets { get; init; }      // [B, T] int64
    public required Tensor LossMask { get; init; }     // [B, T] float32
    public required Tensor Domains { get; init; }      // [B, T] int64, the domain of each target token
    public Tensor? Positions { get; init; }            // [B, T] int64
    public Tensor? AttentionMask { get; init; }        // [B, 1, T, T] bool

    public long TokenCount => Tokens.numel();
    /// <summary>Targets that carry loss (the mask's sum), counted on the host while the batch was built.</summary>
    public long TrainedTargets { get; init; }
    /// <summary>Of <see cref="TrainedTargets"/>, those whose document prefix is in the window before them.</summary>
    public long PrefixedTargets { get; init; }

    /// <summary>Builds a batch from windows of T+1 tokens. With <paramref name="documentMask"/>, a document's last
    /// token never predicts the next document's first token: that target is masked.</summary>
    public static Batch FromWindows(IReadOnlyList<PackedWindow> windows, bool documentMask, Device device)
    {
        int b = windows.Count, t = windows[0].Length - 1;
        var tokens = new long[b * t];
        var targets = new long[b * t];
        var mask = new float[b * t];
        var domains = new long[b * t];
        var positions = documentMask ? new long[b * t] : null;
        var segments = documentMask ? new long[b * t] : null;
        long trained = 0, prefixed = 0;
        for (int r = 0; r < b; r++)
        {
            var w = windows[r];
            if (w.Length != t + 1) throw new ArgumentException($"window {r} has {w.Length} tokens, window 0 has {t + 1}");
            int docStart = 0;
            for (int i = 0; i < t; i++)
            {
                int k = r * t + i;
                tokens[k] = w.Tokens[i];
                targets[k] = w.Tokens[i + 1];
                bool sameDocument = w.Segments[i] == w.Segments[i + 1];
                bool counted = w.Trainable[i + 1] && (sameDocument || !documentMask);
                mask[k] = counted ? 1f : 0f;
                if (counted) { trained++; if (w.PrefixInView[i + 1]) prefixed++; }
                domains[k] = w.Domains[i + 1];
                if (documentMask)
                {
                    if (i > 0 && w.Segments[i] != w.Segments[i - 1]) docStart = i;
                    positions![k] = i - docStart;
                    segments![k] = w.Segments[i];
                }
            }
        }
        Tensor? attention = null, pos = null;
        if (documentMask)
        {
            using var seg = torch.tensor(segments!, [b, t], device: device);
            using var causal = torch.ones(t, t, ScalarType.Bool, device).tril();
            attention = (seg.unsqueeze(2) == seg.unsqueeze(1)).logical_and_(causal).unsqueeze(1);
            pos = torch.tensor(positions!, [b, t], device: device);
        }
        return new Batch
        {
            Tokens = torch.tensor(tokens, [b, t], device: device),
            Targets = torch.tensor(targets, [b, t], device: device),
            LossMask = torch.tensor(mask, [b, t], device: device),
            Domains = torch.tensor(domains, [b, t], device: device),
            Positions = pos,
            AttentionMask = attention,
            TrainedTargets = trained,
            PrefixedTargets = prefixed,
        };
    }

    public void Dispose()
    {
        Tokens.Dispose(); Targets.Dispose(); LossMask.Dispose(); Domains.Dispose();
        Positions?.Dispose(); AttentionMask?.Dispose();
    }
}
