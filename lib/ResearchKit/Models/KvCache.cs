using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Models;

/// <summary>
/// Keys and values of every attention layer for the tokens a model has already seen, so that incremental decoding
/// runs each new token through the model once instead of recomputing the whole prefix. Storage is allocated on the
/// first append at the full capacity (prompt + new tokens) and filled in place, so appending never copies the past.
/// </summary>
public sealed class KvCache : IDisposable
{
    readonly Layer[] _layers;

    /// <param name="layers">Attention layers of the model.</param>
    /// <param name="capacity">Most positions the cache will hold (longest padded prompt + new tokens).</param>
    public KvCache(int layers, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
        _layers = Enumerable.Range(0, layers).Select(_ => new Layer(capacity)).ToArray();
    }

    public int Capacity { get; }
    /// <summary>Positions held (the same in every layer once a forward pass has finished).</summary>
    public int Length => _layers[0].Length;
    public IReadOnlyList<Layer> Layers => _layers;

    public void Dispose()
    {
        foreach (var layer in _layers) layer.Dispose();
    }

    /// <summary>One layer's keys and values, [B, kv heads, positions, head dim].</summary>
    public sealed class Layer : IDisposable
    {
        readonly int _capacity;
        Tensor? _keys, _values;

        internal Layer(int capacity) => _capacity = capacity;

        public int Length { get; private set; }

        /// <summary>Stores the new positions' keys and values [B, H, T, hd] after those already held and returns all
        /// of them (views of the storage, [B, H, Length, hd]).</summary>
        public (Tensor Keys, Tensor Values) Append(Tensor keys, Tensor values)
        {
            long t = keys.shape[2];
            if (Length + t > _capacity)
                throw new InvalidOperationException($"the key/value cache holds {_capacity} positions; {Length} are used and {t} more were appended");
            if (_keys is null)
            {
                long[] shape = [keys.shape[0], keys.shape[1], _capacity, keys.shape[3]];
                // Allocated inside a model's forward pass: kept out of its dispose scope, freed by Dispose.
                _keys = torch.empty(shape, keys.dtype, keys.device).DetachFromDisposeScope();
                _values = torch.empty(shape, values.dtype, values.device).DetachFromDisposeScope();
            }
            using (var _ = torch.no_grad())
            {
                using var keySlot = _keys.narrow(2, Length, t);
                using var valueSlot = _values!.narrow(2, Length, t);
                keySlot.copy_(keys);
                valueSlot.copy_(values);
            }
            Length += (int)t;
            return (_keys.narrow(2, 0, Length), _values!.narrow(2, 0, Length));
        }

        public void Dispose()
        {
            _keys?.Dispose();
            _values?.Dispose();
        }
    }
}
