using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Text;
using System.Text.Json;

namespace ResearchKit.Tokenization;

/// <summary>A <see cref="TokenShard"/> file mapped into memory: Body and Prefix are spans straight over the
/// mapping (no copies), so a shard larger than RAM works. Dispose to unmap.</summary>
public sealed unsafe class MappedTokenDataset : ITokenDataset, IDisposable
{
    readonly MemoryMappedFile _file;
    readonly MemoryMappedViewAccessor _view;
    readonly byte* _base;
    readonly int* _tokens;
    readonly byte* _table;
    readonly int* _domainIds;
    readonly string[] _domains;
    bool _disposed;

    public string Path { get; }
    public int DocumentCount { get; }
    public long TokenCount { get; }
    public IReadOnlyList<string> Domains => _domains;
    public int VocabSize { get; }
    public int EndOfText { get; }
    /// <summary>The tokenizer description stored in the shard (<see cref="TextTokenizers.Describe"/>).</summary>
    public string TokenizerDescription { get; }
    public string TokenizerName { get; }

    /// <summary>Rebuilds the tokenizer that made this shard (e.g. to decode samples).</summary>
    public TextTokenizer CreateTokenizer() => TextTokenizers.FromDescription(TokenizerDescription);

    MappedTokenDataset(string path, MemoryMappedFile file, MemoryMappedViewAccessor view, byte* basePtr, long length)
    {
        Path = path; _file = file; _view = view; _base = basePtr;
        DataFormatException Bad(string problem, long? record = null, string? field = null) => new(path, record, field, problem);
        if (length < TokenShard.HeaderSize) throw Bad($"truncated: {length} bytes, shorter than the {TokenShard.HeaderSize}-byte header");
        var header = new ReadOnlySpan<byte>(basePtr, TokenShard.HeaderSize);
        if (!header[..8].SequenceEqual(TokenShard.Magic)) throw Bad("not a ResearchKit token shard (wrong magic)", null, "magic");
        int version = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        if (version != TokenShard.Version) throw Bad($"unsupported version {version} (this build reads {TokenShard.Version})", null, "version");
        long docs = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
        TokenCount = BinaryPrimitives.ReadInt64LittleEndian(header[24..]);
        VocabSize = BinaryPrimitives.ReadInt32LittleEndian(header[32..]);
        EndOfText = BinaryPrimitives.ReadInt32LittleEndian(header[36..]);
        long tableOffset = BinaryPrimitives.ReadInt64LittleEndian(header[40..]);
        long domainOffset = BinaryPrimitives.ReadInt64LittleEndian(header[48..]);
        long infoOffset = BinaryPrimitives.ReadInt64LittleEndian(header[56..]);
        if (docs is < 0 or > int.MaxValue || TokenCount < 0 || tableOffset != TokenShardWriter.Align8(TokenShard.HeaderSize + 4 * TokenCount)
            || domainOffset != tableOffset + 16 * docs || infoOffset != domainOffset + 4 * docs)
            throw Bad("inconsistent header (section offsets do not match the counts)", null, "header");
        if (length <= infoOffset) throw Bad($"truncated: {length} bytes, the header promises more than {infoOffset}");
        DocumentCount = (int)docs;
        _tokens = (int*)(basePtr + TokenShard.HeaderSize);
        _table = basePtr + tableOffset;
        _domainIds = (int*)(basePtr + domainOffset);

        JsonElement info;
        try { info = JsonDocument.Parse(new ReadOnlyMemory<byte>(new ReadOnlySpan<byte>(basePtr + infoOffset, checked((int)(length - infoOffset))).ToArray())).RootElement; }
        catch (JsonException e) { throw Bad($"unreadable info block (truncated?): {e.Message}", null, "info"); }
        _domains = info.GetProperty("domains").EnumerateArray().Select(d => d.GetString()!).ToArray();
        var tokenizer = info.GetProperty("tokenizer");
        TokenizerDescription = tokenizer.GetRawText();
        TokenizerName = tokenizer.GetProperty("name").GetString()!;
        if (VocabSize <= 0 || (uint)EndOfText >= (uint)VocabSize) throw Bad($"end-of-text {EndOfText} outside vocabulary {VocabSize}", null, "header");
        for (int d = 0; d < DocumentCount; d++)
        {
            var (start, prefix, body) = Entry(d);
            if (start < 0 || prefix < 0 || body < 0 || start + prefix + body > TokenCount) throw Bad("document outside the token section", d, "documents");
            if ((uint)_domainIds[d] >= (uint)_domains.Length) throw Bad($"domain id {_domainIds[d]} outside the {_domains.Length} domains", d, "domain");
        }
    }

    public static MappedTokenDataset Open(string path)
    {
        long length = new FileInfo(path).Length;   // throws FileNotFoundException for a missing file
        if (length == 0) throw new DataFormatException(path, null, null, "truncated: empty file");
        var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        var view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* p = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        try { return new MappedTokenDataset(path, file, view, p + view.PointerOffset, length); }
        catch
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
            view.Dispose(); file.Dispose();
            throw;
        }
    }

    (long Start, int Prefix, int Body) Entry(int document)
    {
        var e = new ReadOnlySpan<byte>(_table + 16L * document, 16);
        return (BinaryPrimitives.ReadInt64LittleEndian(e), BinaryPrimitives.ReadInt32LittleEndian(e[8..]), BinaryPrimitives.ReadInt32LittleEndian(e[12..]));
    }

    public int DomainOf(int document) { Check(document); return _domainIds[document]; }

    public ReadOnlySpan<int> Body(int document)
    {
        Check(document);
        var (start, prefix, body) = Entry(document);
        return new ReadOnlySpan<int>(_tokens + start + prefix, body);
    }

    public ReadOnlySpan<int> Prefix(int document)
    {
        Check(document);
        var (start, prefix, _) = Entry(document);
        return new ReadOnlySpan<int>(_tokens + start, prefix);
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
