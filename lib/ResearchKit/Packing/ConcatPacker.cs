using System.Text.Json;
using System.Text.Json.Nodes;
using ResearchKit.Tokenization;

namespace ResearchKit.Packing;

/// <summary>
/// Concatenation packing: each epoch takes the documents in order (shuffled with a seed per epoch, or as given: an
/// upstream order such as ICLM's traversal), lays them end to end as [prefix][body][EOS] and cuts the stream into
/// windows of T+1 tokens, recording where documents start. Prefix tokens are never prediction targets; with
/// <see cref="PackerOptions.RepeatPrefix"/> a document that continues into the next window gets its prefix again at
/// that window's start. Documents with an empty body are skipped (a dropped document is not an EOS).
/// </summary>
public sealed class ConcatPacker : IPacker
{
    /// <summary>Where the packer is: the epoch (which shuffle), the document cursor in that epoch's order, and how
    /// many body tokens (EOS included) and prefix tokens of the current document are already emitted.</summary>
    public readonly record struct Position(int Epoch, int Cursor, int Body, int Prefix);

    readonly ITokenDataset _data;
    readonly int[] _documents;
    readonly int _window;
    readonly ulong _seed;
    readonly bool _shuffle;
    readonly PackerOptions _options;
    int[] _order = [];
    Position _at = new(-1, 0, 0, 0);

    /// <param name="documents">Document indices in the order to use (a domain's stream, an ICLM order); null = all, in dataset order.</param>
    /// <param name="windowLength">T+1 tokens per window.</param>
    /// <param name="shuffle">Shuffle the documents each epoch; false keeps <paramref name="documents"/>' order (evaluation, ICLM, clusters).</param>
    public ConcatPacker(ITokenDataset data, int windowLength, ulong seed, PackerOptions? options = null, IEnumerable<int>? documents = null, bool shuffle = true)
    {
        if (windowLength < 2) throw new ArgumentOutOfRangeException(nameof(windowLength), "a window needs at least one input and one target");
        _data = data;
        _window = windowLength;
        _seed = seed;
        _shuffle = shuffle;
        _options = options ?? new PackerOptions();
        IncludePrefixes = _options.IncludePrefixes;
        _documents = (documents ?? Enumerable.Range(0, data.DocumentCount)).Where(d => data.BodyLength(d) > 0).ToArray();
        if (_documents.Length == 0) throw new ArgumentException("the packer has no documents with tokens", nameof(data));
        Restore(new Position(0, 0, 0, 0));
    }

    public bool IncludePrefixes { get; set; }
    public int DocumentCount => _documents.Length;
    public PackerStats Stats { get; } = new();
    public Position At => _at;
    public JsonNode State => JsonSerializer.SerializeToNode(_at)!;
    public void Restore(JsonNode state) => Restore(state.Deserialize<Position>());

    public void Restore(Position at)
    {
        if (at.Epoch != _at.Epoch) _order = OrderOf(at.Epoch);
        if (at.Cursor < 0 || at.Cursor > _order.Length || at.Body < 0 || at.Prefix < 0)
            throw new ArgumentOutOfRangeException(nameof(at), $"packer position {at} does not fit {_order.Length} documents");
        _at = at;
    }

    int[] OrderOf(int epoch)
    {
        var order = (int[])_documents.Clone();
        if (_shuffle) new SeededRandom(SeededRandom.Derive(_seed, (ulong)epoch)).Shuffle(order.AsSpan());
        return order;
    }

    public PackedWindow Next() => Fill(wrap: true)!;

    /// <summary>What goes before a document's body: the start token when asked, then its metadata prefix.</summary>
    ReadOnlySpan<int> Lead(ReadOnlySpan<int> metadata) => _options.DocumentStart ? (int[])[_data.EndOfText, .. metadata] : metadata;

    public PackedWindow? NextInEpoch() => _at.Cursor >= _order.Length ? null : Fill(wrap: false);

    PackedWindow? Fill(bool wrap)
    {
        var w = new PackedWindow(_window);
        int filled = 0, segment = -1;
        var (epoch, cursor, body, prefixDone) = _at;
        while (filled < _window)
        {
            if (cursor >= _order.Length)
            {
                if (!wrap) break;
                Restore(new Position(epoch + 1, 0, 0, 0));
                (epoch, cursor, body, prefixDone) = _at;
            }
            int doc = _order[cursor];
            var metadata = IncludePrefixes ? _data.Prefix(doc) : [];
            var prefix = Lead(metadata);
            var tokens = _data.Body(doc);
            bool continuing = body > 0 || prefixDone > 0;
            // The prefix (start token and metadata) goes before the body: at the document's start (possibly finishing
            // a prefix cut by the last window), or again at the start of a continuation window when asked to repeat it.
            bool repeat = filled == 0 && continuing && _options.RepeatPrefix && prefix.Length > 0;
            if (repeat)
            {
                if (prefix.Length + 2 > _window)
                    throw new ArgumentException($"document {doc}: a prefix of {prefix.Length} tokens leaves no room to repeat it in windows of {_window} tokens");
                prefixDone = 0;
            }
            else if (body > 0) prefixDone = prefix.Length;
            if (!continuing) Stats.Documents++;
            segment++;
            int domain = _data.DomainOf(doc);
            bool prefixInView = metadata.Length > 0 && prefixDone == 0;
            for (; prefixDone < prefix.Length && filled < _window; prefixDone++, filled++)
                w.Set(filled, prefix[prefixDone], trainable: false, segment, domain, prefixInView: false);
            prefixInView &= prefixDone == prefix.Length;
            for (; body <= tokens.Length && filled < _window; body++, filled++)
            {
                bool eos = body == tokens.Length;
                w.Set(filled, eos ? _data.EndOfText : tokens[body], trainable: !eos || _options.TrainEndOfText, segment, domain, prefixInView);
            }
            if (body > tokens.Length) { cursor++; body = 0; prefixDone = 0; }
            else if (!continuing) Stats.DocumentsCut++;   // the window is full and this document goes on
        }
        _at = new Position(epoch, cursor, body, prefixDone);
        for (int slot = filled; slot < _window; slot++) w.Set(slot, _data.EndOfText, trainable: false, segment + 1, 0, prefixInView: false);
        Stats.Windows++;
        Stats.Tokens += _window;
        Stats.PaddingTokens += _window - filled;
        return w;
    }
}
