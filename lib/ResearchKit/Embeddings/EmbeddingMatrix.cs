using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace ResearchKit.Embeddings;

/// <summary>
/// One embedding per document, row-major float32, with the name of the embedder that made it and a fingerprint of
/// the texts it was made from (so a cached file is never used for another model or another corpus).
/// An all-zero row means "nothing to embed" (an empty or whitespace-only text, see <see cref="ITextEmbedder"/>).
/// <para>File layout (little-endian), version 1:</para>
/// <code>
///   0  magic "RKEMBEDS"   8  version u32 (1)   12  dimension i32
///  16  rows i64          24  text fingerprint u64 (0 = unknown)
///  32  model name length i32 (UTF-8 bytes)   36  reserved u32 (0)
///  40  model name bytes, then rows × dimension float32, to the end of the file
/// </code>
/// </summary>
public sealed class EmbeddingMatrix
{
    internal static ReadOnlySpan<byte> Magic => "RKEMBEDS"u8;
    internal const int Version = 1;
    internal const int HeaderSize = 40;
    const int MaxNameBytes = 4096;
    const int MaxDimension = 1 << 16;

    /// <summary>Number of documents.</summary>
    public int Rows { get; }
    /// <summary>Floats per document.</summary>
    public int Dimension { get; }
    /// <summary>Row-major values, <see cref="Rows"/> × <see cref="Dimension"/>.</summary>
    public float[] Data { get; }
    /// <summary>The embedder's <see cref="ITextEmbedder.Name"/> (model and settings).</summary>
    public string Model { get; }
    /// <summary><see cref="FingerprintOf"/> of the embedded texts, or 0 when not known (e.g. hand-built matrices).</summary>
    public ulong TextFingerprint { get; }

    public EmbeddingMatrix(int rows, int dimension, float[] data, string model = "", ulong textFingerprint = 0)
    {
        if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), rows, "rows must be >= 0");
        if (dimension <= 0 || dimension > MaxDimension) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, $"dimension must be in 1..{MaxDimension}");
        if (data.LongLength != (long)rows * dimension)
            throw new ArgumentException($"{data.LongLength} values do not make {rows} rows of {dimension}", nameof(data));
        if (Encoding.UTF8.GetByteCount(model) > MaxNameBytes) throw new ArgumentException($"model name longer than {MaxNameBytes} bytes", nameof(model));
        Rows = rows; Dimension = dimension; Data = data; Model = model; TextFingerprint = textFingerprint;
    }

    /// <summary>Builds a matrix from literal rows (tests, small examples); all rows must have one length.</summary>
    public static EmbeddingMatrix FromRows(IReadOnlyList<float[]> rows, string model = "")
    {
        if (rows.Count == 0) throw new ArgumentException("no rows: the dimension is unknown", nameof(rows));
        int d = rows[0].Length;
        var data = new float[(long)rows.Count * d];
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != d) throw new ArgumentException($"row {i} has {rows[i].Length} values, row 0 has {d}", nameof(rows));
            rows[i].CopyTo(data, (long)i * d);
        }
        return new EmbeddingMatrix(rows.Count, d, data, model);
    }

    public ReadOnlySpan<float> Row(int i) => Data.AsSpan(checked(i * Dimension), Dimension);

    /// <summary>True when row <paramref name="i"/> is all zeros (the document had nothing to embed).</summary>
    public bool IsZeroRow(int i) => !Row(i).ContainsAnyExcept(0f);

    /// <summary>Rows that are all zeros (<see cref="IsZeroRow"/>): the documents with nothing to embed.</summary>
    public int ZeroRowCount()
    {
        int zero = 0;
        for (int i = 0; i < Rows; i++) if (IsZeroRow(i)) zero++;
        return zero;
    }

    /// <summary>A copy with every row scaled to unit L2 norm (norms in double); all-zero rows stay zero.</summary>
    /// <exception cref="ArgumentException">A value is NaN or infinite (names the row).</exception>
    public EmbeddingMatrix Normalized()
    {
        var data = new float[Data.LongLength];
        int firstBad = int.MaxValue;
        Parallel.For(0, Rows, i =>
        {
            var src = Row(i);
            double sum = 0;
            foreach (var v in src) sum += (double)v * v;
            if (!double.IsFinite(sum)) { InterlockedMin(ref firstBad, i); return; }
            if (sum == 0) return;
            float scale = (float)(1 / Math.Sqrt(sum));
            var dst = data.AsSpan(i * Dimension, Dimension);
            for (int c = 0; c < src.Length; c++) dst[c] = src[c] * scale;
        });
        if (firstBad != int.MaxValue)
            throw new ArgumentException($"embedding row {firstBad} has a non-finite value ({Row(firstBad).ToArray().First(v => !float.IsFinite(v))})");
        return new EmbeddingMatrix(Rows, Dimension, data, Model, TextFingerprint);
    }

    static void InterlockedMin(ref int target, int value)
    {
        int seen;
        while (value < (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    /// <summary>The rows listed, in that order (e.g. the documents left after dedup or with text).</summary>
    public EmbeddingMatrix Select(IReadOnlyList<int> rows)
    {
        var data = new float[(long)rows.Count * Dimension];
        for (int i = 0; i < rows.Count; i++) Row(rows[i]).CopyTo(data.AsSpan(i * Dimension, Dimension));
        return new EmbeddingMatrix(rows.Count, Dimension, data, Model);
    }

    /// <summary>SHA-256 (first 8 bytes) over the texts, each prefixed by its UTF-8 length: equal iff the same texts in
    /// the same order (up to hash collisions).</summary>
    public static ulong FingerprintOf(IEnumerable<string> texts)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[8];
        byte[] buffer = [];
        foreach (var text in texts)
        {
            int n = Encoding.UTF8.GetByteCount(text);
            if (buffer.Length < n) buffer = new byte[Math.Max(n, buffer.Length * 2)];
            Encoding.UTF8.GetBytes(text, buffer);
            BinaryPrimitives.WriteInt64LittleEndian(length, n);
            hash.AppendData(length);
            hash.AppendData(buffer, 0, n);
        }
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return BinaryPrimitives.ReadUInt64LittleEndian(digest);
    }

    /// <summary>Writes the matrix atomically (readers see the old file or the whole new one).</summary>
    public void Write(string path)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("embedding files are little-endian");
        var name = Encoding.UTF8.GetBytes(Model);
        AtomicFile.Write(path, (Stream s) =>
        {
            Span<byte> header = stackalloc byte[HeaderSize];
            Magic.CopyTo(header);
            BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Version);
            BinaryPrimitives.WriteInt32LittleEndian(header[12..], Dimension);
            BinaryPrimitives.WriteInt64LittleEndian(header[16..], Rows);
            BinaryPrimitives.WriteUInt64LittleEndian(header[24..], TextFingerprint);
            BinaryPrimitives.WriteInt32LittleEndian(header[32..], name.Length);
            s.Write(header);
            s.Write(name);
            const int chunk = 1 << 20;   // floats per write: spans over 2 GB of bytes are not allowed
            for (long at = 0; at < Data.LongLength; at += chunk)
                s.Write(MemoryMarshal.AsBytes(Data.AsSpan((int)at, (int)Math.Min(chunk, Data.LongLength - at))));
        });
    }

    /// <summary>Reads a file written by <see cref="Write"/>.</summary>
    /// <exception cref="DataFormatException">Wrong magic or version, an impossible header, a file shorter or longer than its
    /// header says, or a NaN/infinite value (names the row).</exception>
    public static EmbeddingMatrix Read(string path)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("embedding files are little-endian");
        using var s = File.OpenRead(path);
        Span<byte> header = stackalloc byte[HeaderSize];
        if (s.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false) < HeaderSize)
            throw new DataFormatException(path, null, "header", $"file is {s.Length} bytes, shorter than the {HeaderSize}-byte header");
        if (!header[..8].SequenceEqual(Magic)) throw new DataFormatException(path, null, "magic", "not an embedding file (expected \"RKEMBEDS\")");
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        if (version != Version) throw new DataFormatException(path, null, "version", $"version {version}; this build reads version {Version}");
        int dimension = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        if (dimension <= 0 || dimension > MaxDimension) throw new DataFormatException(path, null, "dimension", $"{dimension} is not in 1..{MaxDimension}");
        long rows = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
        if (rows < 0 || rows > int.MaxValue || rows * dimension > Array.MaxLength)
            throw new DataFormatException(path, null, "rows", $"{rows} rows of {dimension} cannot be held in one matrix");
        ulong fingerprint = BinaryPrimitives.ReadUInt64LittleEndian(header[24..]);
        int nameBytes = BinaryPrimitives.ReadInt32LittleEndian(header[32..]);
        if (nameBytes < 0 || nameBytes > MaxNameBytes) throw new DataFormatException(path, null, "model name length", $"{nameBytes} is not in 0..{MaxNameBytes}");
        long expected = HeaderSize + nameBytes + rows * dimension * 4L;
        if (s.Length != expected)
            throw new DataFormatException(path, null, "rows", $"file is {s.Length} bytes; a header of {rows} rows × {dimension} floats needs exactly {expected} (truncated or corrupt)");
        var name = new byte[nameBytes];
        s.ReadExactly(name);
        var data = new float[rows * dimension];
        const int chunk = 1 << 20;
        for (long at = 0; at < data.LongLength; at += chunk)
            s.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan((int)at, (int)Math.Min(chunk, data.LongLength - at))));
        for (long i = 0; i < data.LongLength; i++)
            if (!float.IsFinite(data[i]))
                throw new DataFormatException(path, i / dimension, "embedding", $"value {data[i]} at column {i % dimension} is not finite");
        string model;
        try { model = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(name); }
        catch (DecoderFallbackException e) { throw new DataFormatException(path, null, "model name", "not valid UTF-8", e); }
        return new EmbeddingMatrix((int)rows, dimension, data, model, fingerprint);
    }

    /// <summary>Reads a cached file and checks that it was made by <paramref name="model"/> from texts with
    /// <paramref name="textFingerprint"/>; null when the file does not exist.</summary>
    /// <exception cref="DataFormatException">The file is corrupt, or was made by another embedder or from other texts.</exception>
    public static EmbeddingMatrix? ReadCache(string path, string model, ulong textFingerprint)
    {
        if (!File.Exists(path)) return null;
        var m = Read(path);
        if (m.Model != model) throw new DataFormatException(path, null, "model name", $"made by '{m.Model}', expected '{model}'");
        if (m.TextFingerprint != textFingerprint)
            throw new DataFormatException(path, null, "text fingerprint", $"made from other texts ({m.TextFingerprint:x16}, these are {textFingerprint:x16}); delete it to re-embed");
        return m;
    }
}
