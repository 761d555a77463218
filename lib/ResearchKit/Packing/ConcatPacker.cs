using ResearchKit.Tokenization;

namespace ResearchKit.Packing;

/// <summary>Where a packer is: the epoch (which shuffle), the document cursor in that epoch's order and the token
/// offset inside that document. The shuffle of each epoch is derived from (seed, epoch), so this is all it needs.</summary>
public readonly record struct PackerState(int Epoch, int Cursor, int Offset);

/// <summary>
/// Random concatenation packing: each epoch shuffles the documents (seeded), lays them end to end as
/// [prefix][body][EOS] and cuts the stream into windows of T+1 tokens, recording where documents start.
/// Prefix tokens (MeCo metadata) are kept only when asked, and are never prediction targets.
/// Documents with an empty body are skipped (a dropped document is not an EOS).
/// </summary>
public sealed class ConcatPacker
{
    readonly ITokenDataset _data;
    readonly int[] _documents;
    readonly int _window;
    readonly bool _prefixes;
    readonly ulong _seed;
    readonly bool _shuffle;
    int[] _order = [];
    int _epoch = -1, _cursor, _offset;

    /// <param name="windowLength">T+1 tokens per window.</param>
    /// <param name="documents">A subset of document indices (a domain's stream); null = all.</param>
    /// <param name="shuffle">False keeps dataset order (evaluation).</param>
    public ConcatPacker(ITokenDataset data, int windowLength, bool includePrefixes, ulong seed, IEnumerable<int>? documents = null, bool shuffle = true)
    {
        if (windowLength < 2) throw new ArgumentOutOfRangeException(nameof(windowLength), "a window needs at least one input and one target");
        _data = data;
        _window = windowLength;
        _prefixes = includePrefixes;
        _seed = seed;
        _shuffle = shuffle;
        _documents = (documents ?? Enumerable.Range(0, data.DocumentCount)).Where(d => data.Body(d).Length > 0).ToArray();
        if (_documents.Length == 0) throw new ArgumentException("the packer has no documents with tokens", nameof(data));
        Restore(new PackerState(0, 0, 0));
    }

    public PackerState State => new(_epoch, _cursor, _offset);
    public int DocumentCount => _documents.Length;

    public void Restore(PackerState state)
    {
        if (state.Epoch != _epoch) _order = OrderOf(state.Epoch);
        if (state.Cursor < 0 || state.Cursor > _order.Length || state.Offset < 0)
            throw new ArgumentOutOfRangeException(nameof(state), $"packer state {state} does not fit {_order.Length} documents");
        (_epoch, _cursor, _offset) = (state.Epoch, state.Cursor, state.Offset);
    }

    int[] OrderOf(int epoch)
    {
        var order = (int[])_documents.Clone();
        if (_shuffle) new SeededRandom(SeededRandom.Derive(_seed, (ulong)epoch)).Shuffle(order.AsSpan());
        return order;
    }

    /// <summary>The next window; epochs roll over forever.</summary>
    public PackedWindow Next() => Fill(wrap: true)!;

    /// <summary>The next window of the current epoch, the last one padded with untrainable EOS; null when the epoch is done.</summary>
    public PackedWindow? NextInEpoch() => _cursor >= _order.Length ? null : Fill(wrap: false);

    PackedWindow? Fill(bool wrap)
    {
        var w = new PackedWindow(new int[_window], new bool[_window], new int[_window], new int[_window]);
        int filled = 0, segment = -1;
        while (filled < _window)
        {
            if (_cursor >= _order.Length)
            {
                if (!wrap) break;
                Restore(new PackerState(_epoch + 1, 0, 0));
            }
            int doc = _order[_cursor];
            var prefix = _prefixes ? _data.Prefix(doc) : [];
            var body = _data.Body(doc);
            int length = prefix.Length + body.Length + 1;
            int take = Math.Min(length - _offset, _window - filled);
            segment++;
            int domain = _data.DomainOf(doc);
            for (int i = 0; i < take; i++)
            {
                int at = _offset + i, slot = filled + i;
                bool inPrefix = at < prefix.Length;
                w.Tokens[slot] = inPrefix ? prefix[at] : at - prefix.Length < body.Length ? body[at - prefix.Length] : _data.EndOfText;
                w.Trainable[slot] = !inPrefix;
                w.Segments[slot] = segment;
                w.Domains[slot] = domain;
            }
            filled += take;
            _offset += take;
            if (_offset == length) { _cursor++; _offset = 0; }
        }
        for (int slot = filled; slot < _window; slot++)
        {
            w.Tokens[slot] = _data.EndOfText;
            w.Segments[slot] = segment + 1;
        }
        return w;
    }
}
