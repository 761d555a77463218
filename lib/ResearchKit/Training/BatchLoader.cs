using System.Text.Json.Nodes;
using ResearchKit.Packing;
using static TorchSharp.torch;

namespace ResearchKit.Training;

/// <summary>
/// The trainer's batches: windows are drawn and packed into a <see cref="HostBatch"/> on a background thread, one
/// batch ahead, while the device computes; <see cref="Next"/> uploads it. Only one thread touches the window source at
/// a time and batches come out in the order drawn, so the stream is the one a plain loop would draw. The loader never
/// prefetches past the batches <see cref="Plan"/> allowed, so a phase change (which alters the source's settings) finds
/// nothing drawn ahead, and <see cref="State"/> is the source's position after the batches handed out.
/// </summary>
internal sealed class BatchLoader : IDisposable
{
    readonly IWindowSource _source;
    readonly int _batchSize;
    readonly DataConfig _data;
    readonly bool _prefetch;
    readonly Device _device;
    Task<(HostBatch Batch, long Skipped)>? _pending;
    JsonNode? _stateBeforePending;
    int _remaining;

    public BatchLoader(IWindowSource source, int batchSize, DataConfig data, Device device, bool prefetch = true)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "a batch holds at least one window");
        _source = source;
        _batchSize = batchSize;
        _data = data;
        _device = device;
        _prefetch = prefetch;
    }

    /// <summary>Windows without a target that carries loss, skipped while drawing the batches handed out so far.</summary>
    public long SkippedWindows { get; private set; }

    /// <summary>Allows the next <paramref name="batches"/> batches to be drawn, ahead of use, with the source's current
    /// settings. Call it where the settings may change (start, phase starts): nothing may be drawn ahead then.</summary>
    public void Plan(int batches)
    {
        if (_pending is not null) throw new InvalidOperationException("a batch was drawn ahead; plan only after the previous plan is used up");
        _remaining = batches;
    }

    /// <summary>The next batch on the device.</summary>
    public Batch Next() => Batch.Upload(NextHost(), _device);

    HostBatch NextHost()
    {
        (HostBatch Batch, long Skipped) host;
        if (_pending is { } pending)
        {
            host = pending.GetAwaiter().GetResult();
            _pending = null;
            _stateBeforePending = null;
        }
        else
        {
            if (_remaining <= 0) throw new InvalidOperationException("no batch planned: call Plan first");
            _remaining--;
            host = Draw();
        }
        if (_prefetch && _remaining > 0)
        {
            _remaining--;
            _stateBeforePending = _source.State;
            _pending = Task.Run(Draw);
        }
        SkippedWindows += host.Skipped;
        return host.Batch;
    }

    /// <summary>Where the window stream stands after the batches handed out so far (a checkpoint's data state).</summary>
    public JsonNode State => _pending is null ? _source.State : _stateBeforePending!.DeepClone();

    (HostBatch, long) Draw()
    {
        long skipped = 0;
        var windows = new PackedWindow[_batchSize];
        for (int i = 0; i < windows.Length; i++) windows[i] = NextTrainable(_source, _data, ref skipped);
        return (HostBatch.FromWindows(windows, _data.Packing.DocumentMask), skipped);
    }

    /// <summary>The next window with at least one target that carries loss; a window without one is skipped and
    /// counted, or (the MeCo reference's choice) has its last ten targets trained.</summary>
    internal static PackedWindow NextTrainable(IWindowSource source, DataConfig data, ref long skipped)
    {
        for (int attempt = 0; ; attempt++)
        {
            var w = source.Next();
            if (HasTarget(w, data.Packing.DocumentMask)) return w;
            if (data.MaskedWindows == MaskedWindows.TrainLastTen)
            {
                for (int i = Math.Max(1, w.Length - 10); i < w.Length; i++) w.Trainable[i] = true;
                return w;
            }
            skipped++;
            if (attempt >= 10_000)
                throw new InvalidOperationException("10,000 windows in a row had no target that carries loss: the prefixes fill the windows (shorten them or raise the context)");
        }
    }

    static bool HasTarget(PackedWindow w, bool documentMask)
    {
        for (int i = 0; i + 1 < w.Length; i++)
            if (w.Trainable[i + 1] && (!documentMask || w.Segments[i] == w.Segments[i + 1])) return true;
        return false;
    }

    public void Dispose()
    {
        try { _pending?.Wait(); }
        catch (AggregateException) { }   // the run is over; its error (if any) was not needed
        _pending = null;
    }
}
