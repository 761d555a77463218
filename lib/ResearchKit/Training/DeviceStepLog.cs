using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Training;

/// <summary>
/// Per-step scalars (loss, gradient norm, an objective's device metrics) kept in a device buffer and read back in one
/// copy per block of steps, so a training step never waits for the device to report them.
/// </summary>
internal sealed class DeviceStepLog : IDisposable
{
    readonly Tensor _values;   // [capacity, width] float64
    int _count;

    public DeviceStepLog(int capacity, int width, Device device)
    {
        if (capacity <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(capacity), $"capacity {capacity} and width {width} must be positive");
        _values = torch.zeros(capacity, width, ScalarType.Float64, device);
        Capacity = capacity;
        Width = width;
    }

    public int Capacity { get; }
    public int Width { get; }
    public int Count => _count;

    /// <summary>Copies one step's values (device scalars or vectors, concatenated in order) into the next row.</summary>
    public void Add(params Tensor[] values)
    {
        if (_count == Capacity) throw new InvalidOperationException($"the step log holds {Capacity} rows: read it first");
        using var scope = torch.NewDisposeScope();
        var row = torch.cat(values.Select(v => v.detach().reshape(-1).to_type(ScalarType.Float64)).ToArray());
        if (row.shape[0] != Width) throw new ArgumentException($"{row.shape[0]} values for a log {Width} wide");
        _values[_count].copy_(row);
        _count++;
    }

    /// <summary>The rows added since the last read (one device-to-host copy), and empties the log.</summary>
    public double[][] Read()
    {
        if (_count == 0) return [];
        using var host = _values.narrow(0, 0, _count).cpu();
        var flat = host.data<double>().ToArray();
        var rows = new double[_count][];
        for (int i = 0; i < _count; i++) rows[i] = flat.AsSpan(i * Width, Width).ToArray();
        _count = 0;
        return rows;
    }

    public void Dispose() => _values.Dispose();
}
