using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Training;

/// <summary>
/// Rotary-embedding tables of one model, built once per device for every position of the context: row p holds
/// cos(p·θ^(−2i/d)) twice and (−sin, sin) of the same angles, in fp32 from fp64 angles. A forward pass gathers its
/// rows (or takes the first T) instead of recomputing the angles.
/// </summary>
internal sealed class RopeTables(int headDim, int context, double theta) : IDisposable
{
    readonly Dictionary<string, (Tensor Cos, Tensor Sin)> _byDevice = [];
    readonly Lock _gate = new();

    /// <summary>cos and signed sin [context, headDim] (fp32) on <paramref name="device"/>.</summary>
    public (Tensor Cos, Tensor Sin) On(Device device)
    {
        lock (_gate)
        {
            var key = device.ToString();
            if (_byDevice.TryGetValue(key, out var tables)) return tables;
            using (torch.no_grad())
            using (torch.NewDisposeScope())
            {
                var (cos, sin) = Compute(torch.arange(context, ScalarType.Int64, device).unsqueeze(0));
                tables = (cos.view(context, headDim).DetachFromDisposeScope(), sin.view(context, headDim).DetachFromDisposeScope());
            }
            _byDevice[key] = tables;
            return tables;
        }
    }

    /// <summary>The rows for a forward pass, broadcastable against [.., B, H, T, headDim]: the first
    /// <paramref name="length"/> rows when <paramref name="positions"/> is null, else the rows of positions [B, T]
    /// as [B, 1, T, headDim].</summary>
    public (Tensor Cos, Tensor Sin) Slice(Device device, Tensor? positions, long length)
    {
        var (cos, sin) = On(device);
        if (positions is null)
        {
            if (length > context) throw new ArgumentException($"{length} positions exceed the {context} of the RoPE tables");
            return (cos.narrow(0, 0, length), sin.narrow(0, 0, length));
        }
        var rows = positions.reshape(-1);
        long b = positions.shape[0], t = positions.shape[1];
        return (cos.index_select(0, rows).view(b, 1, t, headDim), sin.index_select(0, rows).view(b, 1, t, headDim));
    }

    /// <summary>cos and signed sin for arbitrary positions [B, T] as [B, 1, T, headDim] (the tables are its rows for
    /// 0..context−1): incremental decoding, where a finished row of a batch may run past the context.</summary>
    public (Tensor Cos, Tensor Sin) Compute(Tensor positions)
    {
        long b = positions.shape[0], t = positions.shape[1];
        var inverseFrequency = torch.pow(theta, -torch.arange(0, headDim, 2, ScalarType.Float64, positions.device) / headDim);
        var angles = positions.to_type(ScalarType.Float64).unsqueeze(-1) * inverseFrequency;   // [B, T, headDim/2]
        var cos = angles.cos().to_type(ScalarType.Float32);
        var sin = angles.sin().to_type(ScalarType.Float32);
        return (torch.cat([cos, cos], -1).view(b, 1, t, headDim), torch.cat([-sin, sin], -1).view(b, 1, t, headDim));
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var (cos, sin) in _byDevice.Values) { cos.Dispose(); sin.Dispose(); }
            _byDevice.Clear();
        }
    }
}
