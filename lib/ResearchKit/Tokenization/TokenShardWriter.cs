using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using ResearchKit.Integrity;

namespace ResearchKit.Tokenization;

/// <summary>Streams documents into the <see cref="TokenShard"/> layout (version 2): tokens as they come, in the narrowest
/// type the vocabulary allows, each block of the token section checksummed as it fills; the tables, the info block, the
/// checksums and the header at the end (the stream must be seekable). Domain ids are given in name order once all are known.</summary>
sealed class TokenShardWriter
{
    readonly Stream _out;
    readonly TextTokenizer _tokenizer;
    readonly List<(long Start, int Prefix, int Body)> _docs = [];
    readonly List<int> _firstSeenDomain = [];
    readonly Dictionary<string, int> _domainIndex = new(StringComparer.Ordinal);
    readonly int _width;
    readonly long _blockBytes;
    readonly XxHash3 _block = new();
    readonly List<ulong> _blockChecksums = [];
    long _blockFill;
    byte[] _scratch = new byte[1 << 16];

    /// <param name="blockBytes">Bytes of the token section per checksum (lazy verification reads and checks whole blocks).</param>
    public TokenShardWriter(Stream output, TextTokenizer tokenizer, long blockBytes = TokenShard.DefaultBlockBytes)
    {
        if (blockBytes <= 0 || blockBytes % 4 != 0) throw new ArgumentOutOfRangeException(nameof(blockBytes), "a positive multiple of 4 bytes");
        _out = output;
        _tokenizer = tokenizer;
        _width = TokenShard.WidthFor(tokenizer.VocabSize, tokenizer.EndOfText);
        _blockBytes = blockBytes;
        _out.Write(new byte[TokenShard.HeaderSize]);
    }

    public long Documents => _docs.Count;
    public long Tokens { get; private set; }
    public long PrefixTokens { get; private set; }
    /// <summary>Documents stored with a non-empty prefix.</summary>
    public long PrefixedDocuments { get; private set; }
    public int DomainCount => _domainIndex.Count;

    public void Add(string domain, ReadOnlySpan<int> prefix, ReadOnlySpan<int> body)
    {
        if (!_domainIndex.TryGetValue(domain, out var d)) _domainIndex[domain] = d = _domainIndex.Count;
        _docs.Add((Tokens, prefix.Length, body.Length));
        _firstSeenDomain.Add(d);
        WriteTokens(prefix);
        WriteTokens(body);
        PrefixTokens += prefix.Length;
        if (prefix.Length > 0) PrefixedDocuments++;
    }

    void WriteTokens(ReadOnlySpan<int> ids)
    {
        int storable = TokenShard.MaxStorableId(_width);
        foreach (var id in ids)
        {
            if ((uint)id >= (uint)_tokenizer.VocabSize) throw new ArgumentOutOfRangeException(nameof(ids), $"token id {id} is outside the vocabulary of {_tokenizer.Name} ({_tokenizer.VocabSize})");
            if (id > storable)
                throw new ArgumentOutOfRangeException(nameof(ids), $"token id {id} (end-of-text) inside a document: a {TokenShard.TypeName(_width)} shard of {_tokenizer.Name} " +
                                                                   "stores documents without end-of-text, which packers add");
        }
        ReadOnlySpan<byte> bytes;
        if (_width == 4) bytes = MemoryMarshal.AsBytes(ids);   // little-endian machines only: readers map these bytes as ints
        else
        {
            if (_scratch.Length < ids.Length * _width) _scratch = new byte[ids.Length * _width];
            if (_width == 1) for (int i = 0; i < ids.Length; i++) _scratch[i] = (byte)ids[i];
            else
            {
                var wide = MemoryMarshal.Cast<byte, ushort>(_scratch.AsSpan(0, ids.Length * 2));
                for (int i = 0; i < ids.Length; i++) wide[i] = (ushort)ids[i];
            }
            bytes = _scratch.AsSpan(0, ids.Length * _width);
        }
        _out.Write(bytes);
        while (bytes.Length > 0)
        {
            int take = (int)Math.Min(bytes.Length, _blockBytes - _blockFill);
            _block.Append(bytes[..take]);
            _blockFill += take;
            bytes = bytes[take..];
            if (_blockFill == _blockBytes) EndBlock();
        }
        Tokens += ids.Length;
    }

    void EndBlock()
    {
        _blockChecksums.Add(_block.GetCurrentHashAsUInt64());
        _block.Reset();
        _blockFill = 0;
    }

    public void Finish()
    {
        if (_blockFill > 0) EndBlock();
        long tokenEnd = TokenShard.HeaderSize + (long)_width * Tokens;
        long tableOffset = Align8(tokenEnd);
        _out.Write(new byte[tableOffset - tokenEnd]);
        var tables = new XxHash3();
        var entry = new byte[16];
        foreach (var (start, prefix, body) in _docs)
        {
            BinaryPrimitives.WriteInt64LittleEndian(entry, start);
            BinaryPrimitives.WriteInt32LittleEndian(entry.AsSpan(8), prefix);
            BinaryPrimitives.WriteInt32LittleEndian(entry.AsSpan(12), body);
            _out.Write(entry);
            tables.Append(entry);
        }
        long domainOffset = tableOffset + 16L * _docs.Count;
        var names = _domainIndex.Keys.Order(StringComparer.Ordinal).ToArray();
        var sortedId = new int[names.Length];
        for (int i = 0; i < names.Length; i++) sortedId[_domainIndex[names[i]]] = i;
        var id = new byte[4];
        foreach (var d in _firstSeenDomain)
        {
            BinaryPrimitives.WriteInt32LittleEndian(id, sortedId[d]);
            _out.Write(id);
            tables.Append(id);
        }
        long infoOffset = domainOffset + 4L * _docs.Count;
        var info = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["domains"] = new JsonArray(names.Select(n => (JsonNode)n).ToArray()),
            ["tokenizer"] = JsonNode.Parse(TextTokenizers.Describe(_tokenizer)),
        }.ToJsonString());
        _out.Write(info);
        long infoEnd = infoOffset + info.Length;
        long checksumOffset = Align8(infoEnd);
        var padded = new byte[checksumOffset - infoOffset];   // the info and its zero padding: the whole section is checked
        info.CopyTo(padded, 0);
        _out.Write(padded.AsSpan(info.Length));
        var sums = new byte[8 * (2 + _blockChecksums.Count)];
        BinaryPrimitives.WriteUInt64LittleEndian(sums, tables.GetCurrentHashAsUInt64());
        BinaryPrimitives.WriteUInt64LittleEndian(sums.AsSpan(8), Checksum.Of(padded));
        for (int b = 0; b < _blockChecksums.Count; b++) BinaryPrimitives.WriteUInt64LittleEndian(sums.AsSpan(16 + 8 * b), _blockChecksums[b]);
        _out.Write(sums);

        var header = new byte[TokenShard.HeaderSize];
        TokenShard.Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), TokenShard.Version);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), _width);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(16), _docs.Count);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(24), Tokens);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(32), _tokenizer.VocabSize);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(36), _tokenizer.EndOfText);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(40), tableOffset);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(48), domainOffset);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(56), infoOffset);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(64), checksumOffset);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(72), _blockBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(TokenShard.HeaderChecksumAt), Checksum.Of(header.AsSpan(0, TokenShard.HeaderChecksumAt)));
        _out.Flush();
        _out.Seek(0, SeekOrigin.Begin);
        _out.Write(header);
        _out.Flush();
    }

    internal static long Align8(long x) => (x + 7) & ~7L;
}
