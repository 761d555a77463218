using System.Text.Json;
using System.Text.Json.Nodes;

namespace ResearchKit.Packing;

/// <summary>
/// Emits an inner packer's windows a block at a time, each block in a seeded random order. Resumable with a small
/// state: the inner packer's position at the block's start, the block number and the position inside it (the block is
/// rebuilt from there).
/// </summary>
public sealed class BlockShuffledPacker : IPacker
{
    sealed record Position(JsonNode BlockStart, long Block, int Index);

    readonly IPacker _inner;
    readonly int _size;
    readonly ulong _seed;
    readonly List<PackedWindow> _block = [];
    int[] _permutation = [];
    JsonNode _blockStart;
    long _blockNumber = -1;
    int _index;

    public BlockShuffledPacker(IPacker inner, int blockWindows, ulong seed)
    {
        if (blockWindows < 1) throw new ArgumentOutOfRangeException(nameof(blockWindows));
        _inner = inner;
        _size = blockWindows;
        _seed = seed;
        _blockStart = inner.State;
    }

    public bool IncludePrefixes { get => _inner.IncludePrefixes; set => _inner.IncludePrefixes = value; }
    public PackerStats Stats => _inner.Stats;

    public JsonNode State => JsonSerializer.SerializeToNode(new Position(_blockStart.DeepClone(), _blockNumber, _index))!;

    public void Restore(JsonNode state)
    {
        var p = state.Deserialize<Position>() ?? throw new ArgumentException("empty block-shuffle state");
        _inner.Restore(p.BlockStart);
        _blockStart = p.BlockStart.DeepClone();
        _blockNumber = p.Block;
        _block.Clear();
        if (_blockNumber >= 0) Fill(wrap: true);
        _index = p.Index;
    }

    public PackedWindow Next()
    {
        if (_index >= _block.Count) StartBlock(wrap: true);
        return _block[_permutation[_index++]];
    }

    public PackedWindow? NextInEpoch()
    {
        if (_index >= _block.Count && !StartBlock(wrap: false)) return null;
        return _block[_permutation[_index++]];
    }

    bool StartBlock(bool wrap)
    {
        _blockStart = _inner.State;
        _blockNumber++;
        _block.Clear();
        Fill(wrap);
        _index = 0;
        return _block.Count > 0;
    }

    void Fill(bool wrap)
    {
        while (_block.Count < _size && (wrap ? _inner.Next() : _inner.NextInEpoch()) is { } w) _block.Add(w);
        _permutation = Enumerable.Range(0, _block.Count).ToArray();
        new SeededRandom(SeededRandom.Derive(_seed, (ulong)_blockNumber)).Shuffle(_permutation.AsSpan());
    }
}
