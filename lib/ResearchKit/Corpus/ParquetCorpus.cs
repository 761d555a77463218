using System.Globalization;
using System.Text;
using System.Text.Json;
using Parquet;
using Parquet.Schema;

namespace ResearchKit.Corpus;

/// <summary>
/// Parquet shards, read one row group at a time; records numbered by row (from 1, across row groups).
/// Our own schema: id, text, domain (required strings), url, source (optional strings) and meta (optional string
/// holding a JSON object of strings, so any metadata keys fit one flat schema), zstd-compressed. The text column is
/// written as raw UTF-8 bytes (BYTE_ARRAY without the string annotation): Parquet.Net 6.1 writes min/max statistics for
/// every string column, eight copies of the largest value, so one 50 MB document made a 400 MB file; binary columns get
/// none. Readers take text columns of either kind (pyarrow: <c>table["text"].cast(pa.string())</c>).
/// </summary>
static class ParquetCorpus
{
    const int RowGroupDocuments = 8192;
    // 2^20 characters: peak memory of rk corpus import 92 -> 115 MB from 17 to 296 MiB (4 M: 118 -> 192 MB), file 0.8% larger.
    const long RowGroupChars = 1L << 20;
    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <param name="onlyRowGroup">Read just this row group (a shard's work unit); records keep their file-wide numbers.</param>
    public static IEnumerable<Document> Read(string file, ColumnMapping m, int? onlyRowGroup = null)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        if (stream.Length == 0) throw new DataFormatException(file, null, null, "no documents (empty file)");
        ParquetReader reader;
        try { reader = ParquetReader.CreateAsync(stream).GetAwaiter().GetResult(); }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or ArgumentException or FormatException)
        {
            throw new DataFormatException(file, null, null, $"not a readable Parquet file: {e.Message}", e);
        }
        try
        {
            var fields = reader.Schema.Fields.OfType<DataField>().Where(f => !f.IsArray).ToDictionary(f => f.Name);
            DataField? Field(string? name, bool required)
            {
                if (name is null) return null;
                if (!fields.TryGetValue(name, out var f))
                    return required ? throw new DataFormatException(file, null, name, $"no column '{name}' (columns: {string.Join(", ", fields.Keys)})") : null;
                if (!IsString(f)) throw new DataFormatException(file, null, name, $"column '{name}' holds {f.ClrType.Name}, expected strings");
                return f;
            }
            var text = Field(m.Text, required: true)!;
            var id = Field(m.Id, required: false);
            var domain = Field(m.Domain, required: false);
            var url = Field(m.Url, required: false);
            var source = Field(m.Source, required: false);
            var metaObject = Field(m.MetaObject, required: false);
            var metaColumns = (m.MetaColumns ?? fields.Keys.Where(k => !m.IsMapped(k)).ToList())
                .Where(fields.ContainsKey).Select(c => fields[c]).ToArray();

            long row = 0;
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var rg = reader.OpenRowGroupReader(g);
                int n = checked((int)rg.RowCount);
                if (onlyRowGroup is { } only && g != only) { row += n; continue; }
                string?[]? Strings(DataField? f) => f is null ? null : ReadStrings(file, row, rg, f, n);
                var texts = Strings(text)!;
                var ids = Strings(id);
                var domains = Strings(domain);
                var urls = Strings(url);
                var sources = Strings(source);
                var metaJson = Strings(metaObject);
                var extras = metaColumns.Select(f => (f.Name, Values: ReadAsStrings(file, row, rg, f, n))).ToArray();
                for (int i = 0; i < n; i++)
                {
                    long record = row + i + 1;
                    var t = texts[i] ?? throw new DataFormatException(file, record, m.Text, "missing text");
                    var meta = metaJson?[i] is { } js ? ParseMeta(file, record, m.MetaObject!, js) : null;
                    foreach (var (name, values) in extras)
                        if (values[i] is { } v) (meta ??= [])[name] = v;
                    yield return m.ToDocument(file, record, t, ids?[i], domains?[i], urls?[i], sources?[i], meta);
                }
                row += n;
            }
            if (row == 0 && onlyRowGroup is null) throw new DataFormatException(file, null, null, "no documents (no rows)");
        }
        finally { reader.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
    }

    /// <summary>Rows per row group, from the footer (no column is read).</summary>
    public static long[] RowGroupSizes(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        if (stream.Length == 0) throw new DataFormatException(file, null, null, "no documents (empty file)");
        ParquetReader reader;
        try { reader = ParquetReader.CreateAsync(stream).GetAwaiter().GetResult(); }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or ArgumentException or FormatException)
        {
            throw new DataFormatException(file, null, null, $"not a readable Parquet file: {e.Message}", e);
        }
        try
        {
            var sizes = new long[reader.RowGroupCount];
            for (int g = 0; g < sizes.Length; g++) { using var rg = reader.OpenRowGroupReader(g); sizes[g] = rg.RowCount; }
            return sizes;
        }
        finally { reader.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
    }

    /// <summary>Parquet.Net 6 reports UTF-8 columns as string or (untyped) ReadOnlyMemory&lt;char&gt;; binary columns (the kit's
    /// own text column) are read as strict UTF-8 too.</summary>
    static bool IsString(DataField f) => f.ClrType == typeof(string) || f.ClrType == typeof(ReadOnlyMemory<char>) || f.ClrType == typeof(byte[]) || f.ClrType == typeof(ReadOnlyMemory<byte>);

    /// <summary>Strings decoded strictly: Parquet.Net would substitute U+FFFD for invalid UTF-8, so read raw bytes.</summary>
    static string?[] ReadStrings(string file, long firstRow, ParquetRowGroupReader rg, DataField f, int n)
    {
        // The same column seen as raw bytes: a field of our own, attached to a one-column schema of that name.
        var bytesField = new DataField<byte[]>(f.Name, f.IsNullable);
        _ = new ParquetSchema(bytesField);
        var raw = new ReadOnlyMemory<byte>[n];
        var levels = new int[n];
        rg.ReadRawAsync<ReadOnlyMemory<byte>>(bytesField, raw, levels, null).GetAwaiter().GetResult();
        var strings = new string?[n];
        for (int i = 0, v = 0; i < n; i++)
        {
            if (levels[i] < bytesField.MaxDefinitionLevel) continue;   // null: non-null values are packed in front
            try { strings[i] = StrictUtf8.GetString(raw[v++].Span); }
            catch (DecoderFallbackException e) { throw new DataFormatException(file, firstRow + i + 1, f.Name, $"invalid UTF-8 at byte {e.Index}", e); }
        }
        return strings;
    }

    static string?[] ReadAsStrings(string file, long firstRow, ParquetRowGroupReader rg, DataField f, int n)
    {
        var t = f.ClrType;
        if (IsString(f)) return ReadStrings(file, firstRow, rg, f, n);
        if (t == typeof(long)) return Values<long>(rg, f, n);
        if (t == typeof(int)) return Values<int>(rg, f, n);
        if (t == typeof(short)) return Values<short>(rg, f, n);
        if (t == typeof(double)) return Values<double>(rg, f, n);
        if (t == typeof(float)) return Values<float>(rg, f, n);
        if (t == typeof(bool)) return Values<bool>(rg, f, n);
        if (t == typeof(DateTime)) return Values<DateTime>(rg, f, n);
        if (t == typeof(decimal)) return Values<decimal>(rg, f, n);
        throw new DataFormatException(file, null, f.Name, $"meta column of type {t.Name} is not supported (leave it out of MetaColumns)");
    }

    static string?[] Values<T>(ParquetRowGroupReader rg, DataField f, int n) where T : struct
    {
        if (f.IsNullable)
        {
            var values = new T?[n];
            rg.ReadAsync(f, values.AsMemory()).GetAwaiter().GetResult();
            return values.Select(v => v is { } x ? Invariant(x) : null).ToArray();
        }
        var required = new T[n];
        rg.ReadAsync(f, required.AsMemory()).GetAwaiter().GetResult();
        return required.Select(x => (string?)Invariant(x)).ToArray();
    }

    static string Invariant<T>(T value) where T : struct =>
        value is DateTime d ? d.ToString("O", CultureInfo.InvariantCulture) : Convert.ToString(value, CultureInfo.InvariantCulture)!;

    static Dictionary<string, string>? ParseMeta(string file, long record, string field, string json)
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(json);
        }
        catch (JsonException e) { throw new DataFormatException(file, record, field, $"expected a JSON object of strings: {e.Message}", e); }
    }

    static readonly DataField<string> IdField = new("id", false), DomainField = new("domain", false),
        UrlField = new("url", true), SourceField = new("source", true), MetaField = new("meta", true);
    static readonly DataField<byte[]> TextField = new("text", false);

    public static long Write(Stream output, IEnumerable<Document> docs, IProgress<WorkProgress>? progress)
    {
        var schema = new ParquetSchema(IdField, TextField, DomainField, UrlField, SourceField, MetaField);
        // Fastest zstd: the default level made writing ~50x slower than reading on real text.
        var options = new ParquetOptions { CompressionMethod = CompressionMethod.Zstd, CompressionLevel = System.IO.Compression.CompressionLevel.Fastest, MaximumLargePoolFreeBytes = 16 << 20, MaximumSmallPoolFreeBytes = 4 << 20 };
        var writer = ParquetWriter.CreateAsync(schema, output, options).GetAwaiter().GetResult();
        long count = 0;
        var batch = new List<Document>(RowGroupDocuments);
        long chars = 0;
        try
        {
            foreach (var d in docs)
            {
                batch.Add(d);
                chars += d.Text.Length;
                count++;
                if (batch.Count == RowGroupDocuments || chars >= RowGroupChars)
                {
                    WriteRowGroup(writer, batch);
                    batch.Clear(); chars = 0;
                    progress?.Report(new WorkProgress("write", count));
                }
            }
            if (batch.Count > 0 || count == 0) WriteRowGroup(writer, batch);
        }
        finally
        {
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        progress?.Report(new WorkProgress("write", count, count));
        return count;
    }

    static void WriteRowGroup(ParquetWriter writer, List<Document> batch)
    {
        using var rg = writer.CreateRowGroup();
        void Column(DataField<string> f, Func<Document, string?> value) =>
            rg.WriteAsync(f, batch.Select(value).ToArray()).GetAwaiter().GetResult();
        Column(IdField, d => d.Id);
        rg.WriteAsync(TextField, batch.Select(d => Encoding.UTF8.GetBytes(d.Text)).ToArray()).GetAwaiter().GetResult();
        Column(DomainField, d => d.Domain);
        Column(UrlField, d => d.Url);
        Column(SourceField, d => d.Source);
        Column(MetaField, d => d.Meta is { Count: > 0 } meta ? JsonSerializer.Serialize(meta) : null);
        rg.CompleteValidate();
    }
}
