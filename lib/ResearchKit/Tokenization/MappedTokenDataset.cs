using System.Buffers.Binary;
using System.IO.Hashing;
using System.IO.MemoryMappedFiles;
using System.Text.Json;
using ResearchKit.Integrity;

namespace ResearchKit.Tokenization;

/// <summary>A <see cref="TokenShard"/> file mapped into memory, so a shard larger than RAM works. Int32 shards give
/// Body and Prefix as spans straight over the mapping; narrower shards widen a document on read (the last few dozen are
/// kept, so a packer reading one document window by window widens it once). Verified as <see cref="TokenShard.Open"/>
/// says. Dispose to unmap.</summary>
public sealed unsafe class MappedTokenDataset : ITokenDataset, IDisposable
{
    readonly MemoryMappedFile _file;
    readonly MemoryMappedViewAccessor _view;
    readonly byte* _base;
    readonly byte* _tokens;
    readonly byte* _table;
    readonly int* _domainIds;
    readonly string[] _domains;
    readonly int _width;
    readonly long _blockBytes;
    readonly ulong[]? _blockChecksums;
    readonly int[] _verifiedBlocks;   // 1 = checked (checksum when stored, and token range)
    readonly Widened?[] _widened = new Widened?[64];
    bool _disposed;

    sealed record Widened(long Start, int[] Tokens);

    public string Path { get; }
    public int DocumentCount { get; }
    public long TokenCount { get; }
    public IReadOnlyList<string> Domains => _domains;
    public int VocabSize { get; }
    public int EndOfText { get; }
    /// <summary>The shard's format version (1 or 2).</summary>
    public int FormatVersion { get; }
    /// <summary>Bytes per stored token: 1 (uint8), 2 (uint16) or 4 (int32).</summary>
    public int TokenWidth => _width;
    /// <summary>The tokenizer description stored in the shard (<see cref="TextTokenizers.Describe"/>).</summary>
    public string TokenizerDescription { get; }
    public string TokenizerName { get; }

    /// <summary>Rebuilds the tokenizer that made this shard (e.g. to decode samples).</summary>
    public TextTokenizer CreateTokenizer() => TextTokenizers.FromDescription(TokenizerDescription);

    MappedTokenDataset(string path, MemoryMappedFile file, MemoryMappedViewAccessor view, byte* basePtr, long length, ShardVerification verify)
    {
        Path = path; _file = file; _view = view; _base = basePtr;
        DataFormatException Bad(string problem, long? record = null, string? field = null) => new(path, record, field, problem);
        if (length < TokenShard.Version1HeaderSize) throw Bad($"truncated: {length} bytes, shorter than the header");
        var header = new ReadOnlySpan<byte>(basePtr, TokenShard.Version1HeaderSize);
        if (!header[..8].SequenceEqual(TokenShard.Magic)) throw Bad("not a ResearchKit token shard (wrong magic)", null, "magic");
        FormatVersion = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        if (FormatVersion is not (1 or 2)) throw Bad($"unsupported version {FormatVersion} (this build reads 1 and {TokenShard.Version})", null, "version");
        int headerSize = FormatVersion == 1 ? TokenShard.Version1HeaderSize : TokenShard.HeaderSize;
        if (length < headerSize) throw Bad($"truncated: {length} bytes, shorter than the {headerSize}-byte header");
        header = new ReadOnlySpan<byte>(basePtr, headerSize);
        long checksumOffset = 0;
        if (FormatVersion >= 2)
        {
            Checksum.Verify(path, "header", BinaryPrimitives.ReadUInt64LittleEndian(header[TokenShard.HeaderChecksumAt..]), Checksum.Of(header[..TokenShard.HeaderChecksumAt]));
            _width = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
            checksumOffset = BinaryPrimitives.ReadInt64LittleEndian(header[64..]);
            _blockBytes = BinaryPrimitives.ReadInt64LittleEndian(header[72..]);
            if (_width is not (1 or 2 or 4)) throw Bad($"token width {_width} (1, 2 or 4 expected)", null, "header");
            if (_blockBytes <= 0) throw Bad($"checksum block of {_blockBytes} bytes", null, "header");
        }
        else { _width = 4; _blockBytes = TokenShard.DefaultBlockBytes; }
        long docs = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
        TokenCount = BinaryPrimitives.ReadInt64LittleEndian(header[24..]);
        VocabSize = BinaryPrimitives.ReadInt32LittleEndian(header[32..]);
        EndOfText = BinaryPrimitives.ReadInt32LittleEndian(header[36..]);
        long tableOffset = BinaryPrimitives.ReadInt64LittleEndian(header[40..]);
        long domainOffset = BinaryPrimitives.ReadInt64LittleEndian(header[48..]);
        long infoOffset = BinaryPrimitives.ReadInt64LittleEndian(header[56..]);
        if (docs is < 0 or > int.MaxValue || TokenCount is < 0 or > long.MaxValue / 8 || tableOffset != TokenShardWriter.Align8(headerSize + _width * TokenCount)
            || domainOffset != tableOffset + 16 * docs || infoOffset != domainOffset + 4 * docs || (FormatVersion >= 2 && checksumOffset < infoOffset))
            throw Bad("inconsistent header (section offsets do not match the counts)", null, "header");
        if (VocabSize <= 0 || (uint)EndOfText >= (uint)VocabSize) throw Bad($"end-of-text {EndOfText} outside vocabulary {VocabSize}", null, "header");
        if (FormatVersion >= 2 && _width != TokenShard.WidthFor(VocabSize, EndOfText) && _width != 4)
            throw Bad($"token width {_width} does not fit the vocabulary of {VocabSize}", null, "header");
        long infoEnd = FormatVersion >= 2 ? checksumOffset : length;
        long blocks = FormatVersion >= 2 ? (_width * TokenCount + _blockBytes - 1) / _blockBytes : 0;
        long expectedLength = FormatVersion >= 2 ? checksumOffset + 8 * (2 + blocks) : infoOffset + 1;
        if (length < expectedLength) throw Bad($"truncated: {length} bytes, the header promises {expectedLength}");
        DocumentCount = (int)docs;
        _tokens = basePtr + headerSize;
        _table = basePtr + tableOffset;
        _domainIds = (int*)(basePtr + domainOffset);

        if (FormatVersion >= 2)
        {
            var sums = new ReadOnlySpan<byte>(basePtr + checksumOffset, checked((int)(8 * (2 + blocks))));
            Checksum.Verify(path, "tables", BinaryPrimitives.ReadUInt64LittleEndian(sums), Checksum.Of(new ReadOnlySpan<byte>(_table, checked((int)(20 * docs)))));
            Checksum.Verify(path, "info", BinaryPrimitives.ReadUInt64LittleEndian(sums[8..]), Checksum.Of(new ReadOnlySpan<byte>(basePtr + infoOffset, checked((int)(infoEnd - infoOffset)))));
            _blockChecksums = new ulong[blocks];
            for (int b = 0; b < blocks; b++) _blockChecksums[b] = BinaryPrimitives.ReadUInt64LittleEndian(sums[(16 + 8 * b)..]);
        }
        _verifiedBlocks = new int[(_width * TokenCount + _blockBytes - 1) / _blockBytes];

        (_domains, TokenizerDescription, TokenizerName) = ReadInfo(path, new ReadOnlySpan<byte>(basePtr + infoOffset, checked((int)(infoEnd - infoOffset))));
        for (int d = 0; d < DocumentCount; d++)
        {
            var (start, prefix, body) = Entry(d);
            if (start < 0 || prefix < 0 || body < 0 || start + prefix + body > TokenCount) throw Bad("document outside the token section", d, "documents");
            if ((uint)_domainIds[d] >= (uint)_domains.Length) throw Bad($"domain id {_domainIds[d]} outside the {_domains.Length} domains", d, "domain");
        }
        if (verify == ShardVerification.Full)
            for (int b = 0; b < _verifiedBlocks.Length; b++) VerifyBlock(b);
    }

    /// <summary>The info block's fields, each missing or mistyped one named (a renamed key is not a KeyNotFoundException).</summary>
    static (string[] Domains, string Tokenizer, string TokenizerName) ReadInfo(string path, ReadOnlySpan<byte> bytes)
    {
        JsonElement info;
        try { info = JsonDocument.Parse(bytes.TrimEnd((byte)0).ToArray()).RootElement; }   // version 2 pads the info with zeros
        catch (JsonException e) { throw new DataFormatException(path, null, "info", $"unreadable info block (truncated?): {e.Message}"); }
        if (info.ValueKind != JsonValueKind.Object) throw new DataFormatException(path, null, "info", $"expected a JSON object, found {info.ValueKind}");
        if (!info.TryGetProperty("domains", out var domains) || domains.ValueKind != JsonValueKind.Array)
            throw new DataFormatException(path, null, "info.domains", "missing, or not an array of domain names");
        var names = domains.EnumerateArray().Select(d => d.ValueKind == JsonValueKind.String ? d.GetString()! : throw new DataFormatException(path, null, "info.domains", $"expected domain names, found {d.ValueKind}")).ToArray();
        if (!info.TryGetProperty("tokenizer", out var tokenizer) || tokenizer.ValueKind != JsonValueKind.Object)
            throw new DataFormatException(path, null, "info.tokenizer", "missing, or not a tokenizer description object");
        if (!tokenizer.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
            throw new DataFormatException(path, null, "info.tokenizer.name", "missing, or not a string");
        return (names, tokenizer.GetRawText(), name.GetString()!);
    }

    public static MappedTokenDataset Open(string path, ShardVerification verify = ShardVerification.Full)
    {
        long length = new FileInfo(path).Length;   // throws FileNotFoundException for a missing file
        if (length == 0) throw new DataFormatException(path, null, null, "truncated: empty file");
        var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        var view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* p = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        try { return new MappedTokenDataset(path, file, view, p + view.PointerOffset, length, verify); }
        catch
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
            view.Dispose(); file.Dispose();
            throw;
        }
    }

    /// <summary>Checks block <paramref name="b"/> of the token section once: its checksum (version 2) and that every id lies inside the vocabulary.</summary>
    void VerifyBlock(long b)
    {
        if (Volatile.Read(ref _verifiedBlocks[b]) != 0) return;
        long from = b * _blockBytes, to = Math.Min(from + _blockBytes, _width * TokenCount);
        var bytes = new ReadOnlySpan<byte>(_tokens + from, checked((int)(to - from)));
        if (_blockChecksums is not null && XxHash3.HashToUInt64(bytes) != _blockChecksums[b])
            throw Checksum.Mismatch(Path, $"tokens (block {b} of {_blockChecksums.Length}, bytes {from:N0}-{to:N0} of the token section)", _blockChecksums[b], XxHash3.HashToUInt64(bytes));
        int bad = _width switch
        {
            1 => VocabSize > byte.MaxValue ? -1 : bytes.IndexOfAnyExceptInRange((byte)0, (byte)(VocabSize - 1)),
            2 => VocabSize > ushort.MaxValue ? -1 : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(bytes).IndexOfAnyExceptInRange((ushort)0, (ushort)(VocabSize - 1)),
            _ => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(bytes).IndexOfAnyExceptInRange(0, VocabSize - 1),
        };
        if (bad >= 0)
        {
            long token = from / _width + bad;
            throw new DataFormatException(Path, null, "tokens", $"token {token:N0} has id {ReadToken(token)}, outside the vocabulary of {VocabSize} " +
                                                                  $"(tokenizer {TokenizerName}): the shard is damaged or mislabelled; tokenize the corpus again");
        }
        Volatile.Write(ref _verifiedBlocks[b], 1);
    }

    long ReadToken(long i) => _width switch { 1 => _tokens[i], 2 => ((ushort*)_tokens)[i], _ => ((int*)_tokens)[i] };

    (long Start, int Prefix, int Body) Entry(int document)
    {
        var e = new ReadOnlySpan<byte>(_table + 16L * document, 16);
        return (BinaryPrimitives.ReadInt64LittleEndian(e), BinaryPrimitives.ReadInt32LittleEndian(e[8..]), BinaryPrimitives.ReadInt32LittleEndian(e[12..]));
    }

    public int DomainOf(int document) { Check(document); return _domainIds[document]; }

    public int BodyLength(int document) { Check(document); return Entry(document).Body; }
    public int PrefixLength(int document) { Check(document); return Entry(document).Prefix; }

    public ReadOnlySpan<int> Body(int document)
    {
        Check(document);
        var (start, prefix, body) = Entry(document);
        return Tokens(start + prefix, body);
    }

    public ReadOnlySpan<int> Prefix(int document)
    {
        Check(document);
        var (start, prefix, _) = Entry(document);
        return Tokens(start, prefix);
    }

    ReadOnlySpan<int> Tokens(long start, int count)
    {
        if (count == 0) return [];
        for (long b = start * _width / _blockBytes, last = ((start + count) * _width - 1) / _blockBytes; b <= last; b++) VerifyBlock(b);
        if (_width == 4) return new ReadOnlySpan<int>((int*)_tokens + start, count);
        // A span must stay valid while the caller holds it: each widened run is a fresh array, never reused.
        var slot = (int)((ulong)start * 0x9E3779B97F4A7C15UL >> 58);
        if (Volatile.Read(ref _widened[slot]) is { } hit && hit.Start == start && hit.Tokens.Length == count) return hit.Tokens;
        var tokens = new int[count];
        if (_width == 1) for (int i = 0; i < count; i++) tokens[i] = _tokens[start + i];
        else { var wide = (ushort*)_tokens + start; for (int i = 0; i < count; i++) tokens[i] = wide[i]; }
        Volatile.Write(ref _widened[slot], new Widened(start, tokens));
        return tokens;
    }

    void Check(int document)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if ((uint)document >= (uint)DocumentCount) throw new ArgumentOutOfRangeException(nameof(document));
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
