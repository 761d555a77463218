using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;

namespace ResearchKit.Tokenization;

/// <summary>Streams documents into the <see cref="TokenShard"/> layout: tokens as they come, the tables and the
/// header at the end (the stream must be seekable). Domain ids are given in name order once all are known.</summary>
sealed class TokenShardWriter
{
    readonly Stream _out;
    readonly TextTokenizer _tokenizer;
    readonly List<(long Start, int Prefix, int Body)> _docs = [];
    readonly List<int> _firstSeenDomain = [];
    readonly Dictionary<string, int> _domainIndex = new(StringComparer.Ordinal);

    public TokenShardWriter(Stream output, TextTokenizer tokenizer)
    {
        _out = output;
        _tokenizer = tokenizer;
        _out.Write(new byte[TokenShard.HeaderSize]);
    }

    public long Documents => _docs.Count;
    public long Tokens { get; private set; }
    public long PrefixTokens { get; private set; }
    public int DomainCount => _domainIndex.Count;

    public void Add(string domain, ReadOnlySpan<int> prefix, ReadOnlySpan<int> body)
    {
        if (!_domainIndex.TryGetValue(domain, out var d)) _domainIndex[domain] = d = _domainIndex.Count;
        _docs.Add((Tokens, prefix.Length, body.Length));
        _firstSeenDomain.Add(d);
        WriteTokens(prefix);
        WriteTokens(body);
        PrefixTokens += prefix.Length;
    }

    void WriteTokens(ReadOnlySpan<int> ids)
    {
        foreach (var id in ids)
            if ((uint)id >= (uint)_tokenizer.VocabSize) throw new ArgumentOutOfRangeException(nameof(ids), $"token id {id} is outside the vocabulary of {_tokenizer.Name} ({_tokenizer.VocabSize})");
        _out.Write(MemoryMarshal.AsBytes(ids));   // little-endian machines only: readers map these bytes as ints
        Tokens += ids.Length;
    }

    public void Finish()
    {
        long tableOffset = Align8(TokenShard.HeaderSize + 4 * Tokens);
        _out.Write(new byte[tableOffset - (TokenShard.HeaderSize + 4 * Tokens)]);
        var entry = new byte[16];
        foreach (var (start, prefix, body) in _docs)
        {
            BinaryPrimitives.WriteInt64LittleEndian(entry, start);
            BinaryPrimitives.WriteInt32LittleEndian(entry.AsSpan(8), prefix);
            BinaryPrimitives.WriteInt32LittleEndian(entry.AsSpan(12), body);
            _out.Write(entry);
        }
        long domainOffset = tableOffset + 16L * _docs.Count;
        var names = _domainIndex.Keys.Order(StringComparer.Ordinal).ToArray();
        var sortedId = new int[names.Length];
        for (int i = 0; i < names.Length; i++) sortedId[_domainIndex[names[i]]] = i;
        var id = new byte[4];
        foreach (var d in _firstSeenDomain) { BinaryPrimitives.WriteInt32LittleEndian(id, sortedId[d]); _out.Write(id); }
        long infoOffset = domainOffset + 4L * _docs.Count;
        var info = new JsonObject
        {
            ["domains"] = new JsonArray(names.Select(n => (JsonNode)n).ToArray()),
            ["tokenizer"] = JsonNode.Parse(TextTokenizers.Describe(_tokenizer)),
        };
        _out.Write(Encoding.UTF8.GetBytes(info.ToJsonString()));

        var header = new byte[TokenShard.HeaderSize];
        TokenShard.Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), TokenShard.Version);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(16), _docs.Count);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(24), Tokens);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(32), _tokenizer.VocabSize);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(36), _tokenizer.EndOfText);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(40), tableOffset);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(48), domainOffset);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(56), infoOffset);
        _out.Flush();
        _out.Seek(0, SeekOrigin.Begin);
        _out.Write(header);
        _out.Flush();
    }

    internal static long Align8(long x) => (x + 7) & ~7L;
}
