using ResearchKit.Packing;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Training;

/// <summary>
/// A training batch on the device. <see cref="LossMask"/> is 1 where a target counts. With document masking,
/// <see cref="AttentionMask"/> is block-diagonal causal ([B,1,T,T], true = may attend) and <see cref="Positions"/>
/// restart at 0 per document; both are null without document masking (plain causal attention across documents, as
/// ICLM needs) and also when no window holds a document border: then the block-diagonal mask is the causal one and
/// attention takes the causal flag, which lets SDPA use its flash kernel.
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
    public static Batch FromWindows(IReadOnlyList<PackedWindow> windows, bool documentMask, Device device) =>
        Upload(HostBatch.FromWindows(windows, documentMask), device);

    /// <summary>Moves a compact host batch to the device in one copy (pinned and asynchronous on CUDA) and derives
    /// inputs, targets, the loss mask, positions and the attention mask there.</summary>
    internal static Batch Upload(HostBatch host, Device device)
    {
        using var scope = torch.NewDisposeScope();
        int b = host.Rows, length = host.Length, t = length - 1;
        var packed = torch.tensor(host.Packed, [HostBatch.Planes, b, length]);
        if (device.type == DeviceType.CUDA)
        {
            // Pinned memory makes the copy asynchronous; the caching host allocator keeps the block until the copy ran.
            packed = packed.pin_memory().to(device, non_blocking: true);
        }
        else if (device.type != DeviceType.CPU) packed = packed.to(device);
        var ids = packed[0];
        var segments = packed[1];
        var inputSegments = segments.narrow(1, 0, t);
        var trainable = packed[3].narrow(1, 1, t).bitwise_and(HostBatch.TrainableFlag).ne(0);
        if (host.DocumentMask) trainable = trainable.logical_and(inputSegments.eq(segments.narrow(1, 1, t)));
        Tensor? positions = null, attention = null;
        if (host.DocumentMask && !host.SingleDocument)
        {
            var index = torch.arange(t, ScalarType.Int64, packed.device);
            // A document starts where the segment changes; a position counts from the last start (0 at the window start).
            var changes = torch.cat([torch.zeros(b, 1, ScalarType.Bool, packed.device), inputSegments.narrow(1, 1, t - 1).ne(inputSegments.narrow(1, 0, t - 1))], 1);
            var starts = torch.where(changes, index.expand(b, t), 0L).cummax(1).values;
            positions = (index - starts).MoveToOuterDisposeScope();
            var causal = index.unsqueeze(1).ge(index.unsqueeze(0));
            attention = inputSegments.unsqueeze(2).eq(inputSegments.unsqueeze(1)).logical_and_(causal).unsqueeze(1).MoveToOuterDisposeScope();
        }
        return new Batch
        {
            Tokens = ids.narrow(1, 0, t).to_type(ScalarType.Int64).MoveToOuterDisposeScope(),
            Targets = ids.narrow(1, 1, t).to_type(ScalarType.Int64).MoveToOuterDisposeScope(),
            LossMask = trainable.to_type(ScalarType.Float32).MoveToOuterDisposeScope(),
            Domains = packed[2].narrow(1, 1, t).to_type(ScalarType.Int64).MoveToOuterDisposeScope(),
            Positions = positions,
            AttentionMask = attention,
            TrainedTargets = host.TrainedTargets,
            PrefixedTargets = host.PrefixedTargets,
        };
    }

    public void Dispose()
    {
        Tokens.Dispose(); Targets.Dispose(); LossMask.Dispose(); Domains.Dispose();
        Positions?.Dispose(); AttentionMask?.Dispose();
    }
}

/// <summary>
/// A batch in its compact host form, what crosses to the device: per window of T+1 tokens its token ids, segment
/// numbers, domain ids and flags, as one int32 array of <see cref="Planes"/> × rows × (T+1). Built on the loader's
/// thread; everything else (targets, masks, positions) is derived on the device.
/// </summary>
internal sealed class HostBatch
{
    public const int Planes = 4;                 // tokens, segments, domains, flags
    public const int TrainableFlag = 1, PrefixInViewFlag = 2;

    public required int Rows { get; init; }
    /// <summary>Tokens per window (T+1).</summary>
    public required int Length { get; init; }
    public required int[] Packed { get; init; }
    public required bool DocumentMask { get; init; }
    /// <summary>No window's inputs cross a document border: the block-diagonal mask is plain causal.</summary>
    public required bool SingleDocument { get; init; }
    public required long TrainedTargets { get; init; }
    public required long PrefixedTargets { get; init; }

    public static HostBatch FromWindows(IReadOnlyList<PackedWindow> windows, bool documentMask)
    {
        if (windows.Count == 0) throw new ArgumentException("a batch needs at least one window", nameof(windows));
        int b = windows.Count, length = windows[0].Length, t = length - 1;
        if (t < 1) throw new ArgumentException($"windows need at least 2 tokens, window 0 has {length}", nameof(windows));
        var packed = new int[Planes * b * length];
        int plane = b * length;
        long trained = 0, prefixed = 0;
        bool single = true;
        for (int r = 0; r < b; r++)
        {
            var w = windows[r];
            if (w.Length != length) throw new ArgumentException($"window {r} has {w.Length} tokens, window 0 has {length}");
            int row = r * length;
            w.Tokens.CopyTo(packed, row);
            w.Segments.CopyTo(packed, plane + row);
            w.Domains.CopyTo(packed, 2 * plane + row);
            var flags = packed.AsSpan(3 * plane + row, length);
            for (int i = 0; i < length; i++)
                flags[i] = (w.Trainable[i] ? TrainableFlag : 0) | (w.PrefixInView[i] ? PrefixInViewFlag : 0);
            for (int i = 0; i < t; i++)
            {
                bool sameDocument = w.Segments[i] == w.Segments[i + 1];
                if (w.Trainable[i + 1] && (sameDocument || !documentMask)) { trained++; if (w.PrefixInView[i + 1]) prefixed++; }
                if (w.Segments[i] != w.Segments[0]) single = false;
            }
        }
        return new HostBatch
        {
            Rows = b, Length = length, Packed = packed, DocumentMask = documentMask, SingleDocument = single,
            TrainedTargets = trained, PrefixedTargets = prefixed,
        };
    }
}
