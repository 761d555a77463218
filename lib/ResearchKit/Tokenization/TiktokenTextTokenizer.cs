using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace ResearchKit.Tokenization;

/// <summary>
/// OpenAI's tiktoken encodings (cl100k_base, o200k_base) through Microsoft.ML.Tokenizers, with the encoding's
/// real &lt;|endoftext|&gt; id. Document text is encoded as ordinary text: a special-token string inside a document
/// (e.g. a web page quoting "&lt;|endoftext|&gt;") never becomes a special id; it is split after its first two
/// characters and encoded as plain text (like tiktoken's encode_ordinary, though the pieces' boundaries may differ
/// from it where punctuation touches the marker).
/// Encoding is thread-safe and scales with threads: each thread that encodes gets its own encoder (about 21 MB for
/// cl100k_base), because the library's encoders share one pre-tokenizing Regex, whose single cached runner makes every
/// concurrent match allocate a new one (two threads allocated 7x as much as one for the same text and gained 1.3x).
/// </summary>
public sealed class TiktokenTextTokenizer : TextTokenizer
{
    public const string EndOfTextToken = "<|endoftext|>";
    static readonly ConcurrentDictionary<string, Lazy<TiktokenTextTokenizer>> Cache = new();

    readonly TiktokenTokenizer _tokenizer;
    readonly string[] _specials;
    readonly ThreadLocal<TiktokenTokenizer> _encoders;
    TiktokenTokenizer? _unclaimed;

    TiktokenTextTokenizer(string encoding)
    {
        _tokenizer = TiktokenTokenizer.CreateForEncoding(encoding);
        _unclaimed = _tokenizer;
        // Not trackAllValues: that would keep the encoders of threads that have exited (21 MB each) for the process's life.
        _encoders = new ThreadLocal<TiktokenTokenizer>(() => Interlocked.Exchange(ref _unclaimed, null) ?? AnotherEncoder());
        Name = encoding;
        var specials = _tokenizer.SpecialTokens ?? throw new InvalidOperationException($"{encoding} has no special tokens");
        _specials = specials.Keys.ToArray();
        EndOfText = specials[EndOfTextToken];
        // tiktoken numbers its special tokens after every ordinary rank (cl100k: 100277 ids, o200k: 200019).
        VocabSize = specials.Values.Max() + 1;
        _byteLengths = new Lazy<int[]>(ReadByteLengths);
    }

    /// <summary>The tokenizer for an encoding ("cl100k_base", "o200k_base"); loaded once per process.</summary>
    public static TiktokenTextTokenizer ForEncoding(string encoding) =>
        Cache.GetOrAdd(encoding, e => new Lazy<TiktokenTextTokenizer>(() => new TiktokenTextTokenizer(e))).Value;

    public override string Name { get; }
    public override int VocabSize { get; }
    public override int EndOfText { get; }

    /// <summary>Encoders built beside the first (one per further thread that has encoded, unless the library's layout
    /// changed and they share it).</summary>
    internal int EncodersBuilt => _built;
    int _built;

    /// <summary>An encoder of the same encoding with a Regex instance of its own (the generated pre-tokenizing type,
    /// instantiated again), so threads never share a runner. Ids are the same: a test compares them with the library's.</summary>
    TiktokenTokenizer AnotherEncoder()
    {
        if (_tokenizer.PreTokenizer is not { } pre || pre.GetType().GetField("_regex", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)?.GetValue(pre) is not Regex shared)
            return _tokenizer;   // another library version: share the encoder (correct, only slower on many threads)
        var regex = (Regex)Activator.CreateInstance(shared.GetType(), nonPublic: true)!;
        Interlocked.Increment(ref _built);
        using var ranks = RankTable();
        return TiktokenTokenizer.Create(ranks, new RegexPreTokenizer(regex, null), normalizer: null, _tokenizer.SpecialTokens);
    }

    Stream RankTable()
    {
        var package = Name switch { "cl100k_base" => "Cl100kBase", "o200k_base" => "O200kBase", _ => throw new InvalidOperationException($"no rank file known for {Name}") };
        var assembly = System.Reflection.Assembly.Load($"Microsoft.ML.Tokenizers.Data.{package}");
        var resource = assembly.GetManifestResourceStream($"{Name}.tiktoken.deflate")
            ?? throw new InvalidOperationException($"Microsoft.ML.Tokenizers.Data.{package} has no {Name}.tiktoken.deflate resource");
        return new System.IO.Compression.DeflateStream(resource, System.IO.Compression.CompressionMode.Decompress);
    }

    /// <summary>From the encoding's rank table shipped inside the Microsoft.ML.Tokenizers.Data package, since the
    /// tokenizer keeps its byte table private. Special tokens count 0 bytes.</summary>
    public override int[] TokenByteLengths() => (int[])_byteLengths.Value.Clone();

    readonly Lazy<int[]> _byteLengths;

    int[] ReadByteLengths()
    {
        using var reader = new StreamReader(RankTable());
        // The packaged table: a "Capacity: N" line, then one base64 token per line whose id is its line number
        // (the plain .tiktoken layout, "token id" per line, is read too).
        var lengths = new int[VocabSize];
        int rank = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal)) continue;
            int space = line.IndexOf(' ');
            int id = space > 0 ? int.Parse(line.AsSpan(space + 1), System.Globalization.CultureInfo.InvariantCulture) : rank;
            lengths[id] = Convert.FromBase64String(space > 0 ? line[..space] : line).Length;
            rank++;
        }
        return lengths;   // special ids were never in the rank file: 0
    }

    public override int[] Encode(string text)
    {
        var encoder = _encoders.Value!;
        if (!text.Contains("<|", StringComparison.Ordinal)) return [.. encoder.EncodeToIds(text)];
        var ids = new List<int>();
        int start = 0;
        while (NextSpecial(text, start) is (int at, int length))
        {
            ids.AddRange(encoder.EncodeToIds(text[start..(at + 2)]));
            start = at + 2;
            if (length > 2) { ids.AddRange(encoder.EncodeToIds(text[start..(at + length)])); start = at + length; }
        }
        ids.AddRange(encoder.EncodeToIds(text[start..]));
        return [.. ids];
    }

    (int At, int Length)? NextSpecial(string text, int from)
    {
        (int At, int Length)? first = null;
        foreach (var s in _specials)
        {
            int at = text.IndexOf(s, from, StringComparison.Ordinal);
            if (at >= 0 && (first is null || at < first.Value.At)) first = (at, s.Length);
        }
        return first;
    }

    public override string Decode(ReadOnlySpan<int> ids) => _tokenizer.Decode(ids.ToArray());
}
