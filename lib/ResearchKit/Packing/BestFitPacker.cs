using System.Text.Json;
using System.Text.Json.Nodes;
using ResearchKit.Tokenization;

namespace ResearchKit.Packing;

/// <summary>What to do with a document longer than a window under complete-document packing.</summary>
public enum LongDocuments
{
    /// <summary>Cut it into window-sized pieces (the last, shorter piece is bin-packed with other documents): no token is lost.</summary>
    Split,
    /// <summary>Keep its first window's worth of tokens and drop the rest (the reference's pack-complete behaviour).</summary>
    Truncate,
}

/// <summary>
/// Complete-document packing ("Fewer Truncations", best-fit decreasing): each epoch takes the documents in a seeded
/// shuffle, a buffer at a time; every document that fits a window stays whole, and the pieces are placed largest
/// first into the open window with the least room left that still fits them, so documents are only cut when they
/// are longer than a window. Windows are then emitted in a seeded shuffle, padded with untrainable end-of-text.
/// Memory is bounded by one buffer's plan; the position is (epoch, buffer, window), and a resumed packer rebuilds
/// the same plan from the seed.
/// </summary>
public sealed class BestFitPacker : IPacker
{
    public readonly record struct Position(int Epoch, int Buffer, int Window);

    readonly record struct Piece(int Document, int BodyStart, int BodyEnd, bool WithPrefix, bool First, bool Cut, int Dropped)
    {
        public int Length(int prefix) => (WithPrefix ? prefix : 0) + BodyEnd - BodyStart;
    }

    readonly ITokenDataset _data;
    readonly int[] _documents;
    readonly int _window, _bufferDocuments;
    readonly ulong _seed;
    readonly bool _shuffle;
    readonly PackerOptions _options;
    readonly LongDocuments _long;
    int[] _order = [];
    List<List<Piece>> _bins = [];
    Position _at = new(-1, -1, 0);

    public BestFitPacker(ITokenDataset data, int windowLength, ulong seed, PackerOptions? options = null, IEnumerable<int>? documents = null,
        bool shuffle = true, LongDocuments longDocuments = LongDocuments.Split, int bufferDocuments = 10_000)
    {
        if (windowLength < 2) throw new ArgumentOutOfRangeException(nameof(windowLength), "a window needs at least one input and one target");
        if (bufferDocuments < 1) throw new ArgumentOutOfRangeException(nameof(bufferDocuments), "a buffer holds at least one document");
        _data = data;
        _window = windowLength;
        _seed = seed;
        _shuffle = shuffle;
        _options = options ?? new PackerOptions();
        _long = longDocuments;
        _bufferDocuments = bufferDocuments;
        IncludePrefixes = _options.IncludePrefixes;
        _documents = (documents ?? Enumerable.Range(0, data.DocumentCount)).Where(d => data.BodyLength(d) > 0).ToArray();
        if (_documents.Length == 0) throw new ArgumentException("the packer has no documents with tokens", nameof(data));
        Restore(new Position(0, 0, 0));
    }

    public bool IncludePrefixes { get; set; }
    public PackerStats Stats { get; } = new();
    public Position At => _at;
    public JsonNode State => JsonSerializer.SerializeToNode(_at)!;
    public void Restore(JsonNode state) => Restore(state.Deserialize<Position>());

    int BufferCount => (_documents.Length + _bufferDocuments - 1) / _bufferDocuments;

    public void Restore(Position at)
    {
        if (at.Buffer < 0 || at.Buffer >= BufferCount || at.Window < 0)
            throw new ArgumentOutOfRangeException(nameof(at), $"packer position {at} does not fit {BufferCount} buffers");
        if (at.Epoch != _at.Epoch)
        {
            _order = (int[])_documents.Clone();
            if (_shuffle) new SeededRandom(SeededRandom.Derive(_seed, (ulong)at.Epoch)).Shuffle(_order.AsSpan());
        }
        if (at.Epoch != _at.Epoch || at.Buffer != _at.Buffer) _bins = Plan(at.Epoch, at.Buffer);
        if (at.Window > _bins.Count) throw new ArgumentOutOfRangeException(nameof(at), $"packer position {at}: buffer {at.Buffer} has {_bins.Count} windows");
        _at = at;
    }

    List<List<Piece>> Plan(int epoch, int buffer)
    {
        var pieces = new List<Piece>();
        foreach (var doc in _order.AsSpan(buffer * _bufferDocuments, Math.Min(_bufferDocuments, _order.Length - buffer * _bufferDocuments)))
        {
            int prefix = LeadLength(doc);
            int body = _data.BodyLength(doc) + 1;   // with its end-of-text
            if (prefix + body <= _window) { pieces.Add(new(doc, 0, body, prefix > 0, First: true, Cut: false, Dropped: 0)); continue; }
            if (prefix + 2 > _window) throw new ArgumentException($"document {doc}: a prefix of {prefix} tokens leaves no room in windows of {_window} tokens");
            if (_long == LongDocuments.Truncate) { pieces.Add(new(doc, 0, _window - prefix, prefix > 0, true, false, body - (_window - prefix))); continue; }
            for (int start = 0; start < body;)
            {
                bool first = start == 0, withPrefix = prefix > 0 && (first || _options.RepeatPrefix);
                int end = Math.Min(body, start + _window - (withPrefix ? prefix : 0));
                pieces.Add(new(doc, start, end, withPrefix, first, Cut: true, Dropped: 0));
                start = end;
            }
        }
        // Best-fit decreasing: largest first (stable), each into the fullest window that still has room.
        int prefixLength(Piece p) => p.WithPrefix ? LeadLength(p.Document) : 0;
        var sorted = pieces.Select((p, i) => (Piece: p, Index: i, Length: p.Length(prefixLength(p))))
            .OrderByDescending(p => p.Length).ThenBy(p => p.Index).ToList();
        var bins = new List<List<Piece>>();
        var room = new SortedSet<(int Room, int Bin)>();
        foreach (var (piece, _, length) in sorted)
        {
            var fit = room.GetViewBetween((length, int.MinValue), (int.MaxValue, int.MaxValue));
            if (fit.Count == 0) { bins.Add([piece]); room.Add((_window - length, bins.Count - 1)); continue; }
            var best = fit.Min;
            room.Remove(best);
            bins[best.Bin].Add(piece);
            room.Add((best.Room - length, best.Bin));
        }
        new SeededRandom(SeededRandom.Derive(SeededRandom.Derive(_seed, (ulong)epoch), 0xB1 + (ulong)buffer)).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bins));
        return bins;
    }

    /// <summary>Tokens before a document's body: the start token when asked, then its metadata prefix when included.</summary>
    int LeadLength(int doc) => (_options.DocumentStart ? 1 : 0) + (IncludePrefixes ? _data.PrefixLength(doc) : 0);

    public PackedWindow Next()
    {
        while (true)
        {
            if (NextInEpoch() is { } w) return w;
            Restore(new Position(_at.Epoch + 1, 0, 0));
        }
    }

    public PackedWindow? NextInEpoch()
    {
        while (_at.Window >= _bins.Count)
        {
            if (_at.Buffer + 1 >= BufferCount) return null;
            Restore(new Position(_at.Epoch, _at.Buffer + 1, 0));
        }
        var bin = _bins[_at.Window];
        _at = _at with { Window = _at.Window + 1 };
        return Emit(bin);
    }

    PackedWindow Emit(List<Piece> bin)
    {
        var w = new PackedWindow(_window);
        int filled = 0;
        for (int segment = 0; segment < bin.Count && filled < _window; segment++)
        {
            var p = bin[segment];
            var metadata = IncludePrefixes && p.WithPrefix ? _data.Prefix(p.Document) : [];
            ReadOnlySpan<int> prefix = p.WithPrefix && _options.DocumentStart ? (int[])[_data.EndOfText, .. metadata] : metadata;
            var body = _data.Body(p.Document);
            int domain = _data.DomainOf(p.Document);
            if (p.First) Stats.Documents++;
            if (p.First && p.Cut) Stats.DocumentsCut++;
            if (p.Dropped > 0) { Stats.DocumentsTruncated++; Stats.DroppedTokens += p.Dropped; }
            foreach (var t in prefix)
            {
                if (filled == _window) break;
                w.Set(filled++, t, false, segment, domain, false);
            }
            bool inView = metadata.Length > 0 && filled <= _window;
            for (int i = p.BodyStart; i < p.BodyEnd && filled < _window; i++)
            {
                bool eos = i == body.Length;
                w.Set(filled++, eos ? _data.EndOfText : body[i], !eos || _options.TrainEndOfText, segment, domain, inView);
            }
        }
        for (int slot = filled; slot < _window; slot++) w.Set(slot, _data.EndOfText, false, bin.Count, 0, false);
        Stats.Windows++;
        Stats.Tokens += _window;
        Stats.PaddingTokens += _window - filled;
        return w;
    }
}
