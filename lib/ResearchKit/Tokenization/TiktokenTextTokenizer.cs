using System.Collections.Concurrent;
using Microsoft.ML.Tokenizers;

namespace ResearchKit.Tokenization;

/// <summary>
/// OpenAI's tiktoken encodings (cl100k_base, o200k_base) through Microsoft.ML.Tokenizers, with the encoding's
/// real &lt;|endoftext|&gt; id. Document text is encoded as ordinary text: a special-token string inside a document
/// (e.g. a web page quoting "&lt;|endoftext|&gt;") never becomes a special id; it is split after its first two
/// characters and encoded as plain text (like tiktoken's encode_ordinary, though the pieces' boundaries may differ
/// from it where punctuation touches the marker).
/// </summary>
public sealed class TiktokenTextTokenizer : TextTokenizer
{
    public const string EndOfTextToken = "<|endoftext|>";
    static readonly ConcurrentDictionary<string, Lazy<TiktokenTextTokenizer>> Cache = new();

    readonly TiktokenTokenizer _tokenizer;
    readonly string[] _specials;

    TiktokenTextTokenizer(string encoding)
    {
        _tokenizer = TiktokenTokenizer.CreateForEncoding(encoding);
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

    /// <summary>From the encoding's rank table shipped inside the Microsoft.ML.Tokenizers.Data package, since the
    /// tokenizer keeps its byte table private. Special tokens count 0 bytes.</summary>
    public override int[] TokenByteLengths() => (int[])_byteLengths.Value.Clone();

    readonly Lazy<int[]> _byteLengths;

    int[] ReadByteLengths()
    {
        var package = Name switch { "cl100k_base" => "Cl100kBase", "o200k_base" => "O200kBase", _ => throw new InvalidOperationException($"no rank file known for {Name}") };
        var assembly = System.Reflection.Assembly.Load($"Microsoft.ML.Tokenizers.Data.{package}");
        using var resource = assembly.GetManifestResourceStream($"{Name}.tiktoken.deflate")
            ?? throw new InvalidOperationException($"Microsoft.ML.Tokenizers.Data.{package} has no {Name}.tiktoken.deflate resource");
        using var reader = new StreamReader(new System.IO.Compression.DeflateStream(resource, System.IO.Compression.CompressionMode.Decompress));
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
        if (!text.Contains("<|", StringComparison.Ordinal)) return [.. _tokenizer.EncodeToIds(text)];
        var ids = new List<int>();
        int start = 0;
        while (NextSpecial(text, start) is (int at, int length))
        {
            ids.AddRange(_tokenizer.EncodeToIds(text[start..(at + 2)]));
            start = at + 2;
            if (length > 2) { ids.AddRange(_tokenizer.EncodeToIds(text[start..(at + length)])); start = at + length; }
        }
        ids.AddRange(_tokenizer.EncodeToIds(text[start..]));
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
