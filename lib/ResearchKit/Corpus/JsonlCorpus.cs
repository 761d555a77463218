using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ResearchKit.Corpus;

/// <summary>JSON-lines shards, plain or zstd-compressed: one JSON object per line, records numbered by line (from 1).</summary>
static class JsonlCorpus
{
    public static IEnumerable<Document> Read(string file, ColumnMapping mapping, bool zstd)
    {
        using var fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var stream = zstd ? new ZstdSharp.DecompressionStream(fs) : (Stream)fs;
        long documents = 0;
        foreach (var (lineNumber, line) in Utf8Lines.Read(stream, file))
        {
            if (IsBlank(line.Span)) continue;
            documents++;
            yield return Parse(file, lineNumber, line, mapping);
        }
        if (documents == 0) throw new DataFormatException(file, null, null, "no documents (empty file)");
    }

    /// <summary>
    /// The lines of a plain JSONL file that start within bytes [<paramref name="start"/>, <paramref name="end"/>): a
    /// shard's work unit of one large file. Consecutive ranges cover every line exactly once. Lines keep their
    /// file-wide numbers (counted in the bytes before the range), so errors and derived ids match a whole-file read.
    /// </summary>
    public static IEnumerable<Document> ReadRange(string file, ColumnMapping mapping, long start, long end)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        long linesBefore = 0, position = 0;
        if (start > 0)
        {
            // The first line of the range starts right after the first newline at or after byte start-1.
            var buffer = new byte[1 << 20];
            long firstLine = -1;
            while (position < stream.Length && firstLine < 0)
            {
                int n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, stream.Length - position));
                if (n == 0) break;
                var span = buffer.AsSpan(0, n);
                if (position + n >= start)
                {
                    int from = (int)Math.Max(0, start - 1 - position);
                    linesBefore += span[..from].Count((byte)'\n');
                    int newline = span[from..].IndexOf((byte)'\n');
                    if (newline >= 0) { firstLine = position + from + newline + 1; linesBefore++; }
                }
                else linesBefore += span.Count((byte)'\n');
                position += n;
            }
            if (firstLine < 0 || firstLine >= end) yield break;
            position = firstLine;
            stream.Position = firstLine;
        }
        foreach (var (lineNumber, line) in Utf8Lines.Read(stream, file))
        {
            if (position >= end) yield break;
            position += line.Length + 1;
            if (IsBlank(line.Span)) continue;
            yield return Parse(file, linesBefore + lineNumber, line, mapping);
        }
    }

    static bool IsBlank(ReadOnlySpan<byte> line) => line.Trim(" \t\r"u8).IsEmpty;

    static Document Parse(string file, long line, ReadOnlyMemory<byte> bytes, ColumnMapping m)
    {
        JsonDocument json;
        try { json = JsonDocument.Parse(bytes); }
        catch (JsonException e) { throw new DataFormatException(file, line, null, $"malformed JSON at byte {e.BytePositionInLine}: {e.Message}", e); }
        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new DataFormatException(file, line, null, $"expected a JSON object, found {root.ValueKind}");
            var text = String(file, line, root, m.Text, allowNumber: false)
                       ?? throw new DataFormatException(file, line, m.Text, "missing text");
            var id = String(file, line, root, m.Id, allowNumber: true);
            var domain = String(file, line, root, m.Domain, allowNumber: false);
            var url = String(file, line, root, m.Url, allowNumber: false);
            var source = String(file, line, root, m.Source, allowNumber: false);
            return m.ToDocument(file, line, text, id, domain, url, source, Meta(file, line, root, m));
        }
    }

    static string? String(string file, long line, JsonElement root, string? field, bool allowNumber)
    {
        if (field is null || !root.TryGetProperty(field, out var v)) return null;
        return v.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => Decode(file, line, field, v),
            JsonValueKind.Number when allowNumber => v.GetRawText(),
            _ => throw new DataFormatException(file, line, field, $"expected a string, found {v.ValueKind}"),
        };
    }

    /// <summary>Strict UTF-8: System.Text.Json refuses to transcode invalid bytes; say where.</summary>
    static string Decode(string file, long line, string field, JsonElement v)
    {
        try { return v.GetString()!; }
        catch (InvalidOperationException e) { throw new DataFormatException(file, line, field, "invalid UTF-8", e); }
    }

    static Dictionary<string, string>? Meta(string file, long line, JsonElement root, ColumnMapping m)
    {
        Dictionary<string, string>? meta = null;
        if (m.MetaObject is { } metaField && root.TryGetProperty(metaField, out var obj) && obj.ValueKind != JsonValueKind.Null)
        {
            if (obj.ValueKind != JsonValueKind.Object) throw new DataFormatException(file, line, metaField, $"expected an object of strings, found {obj.ValueKind}");
            foreach (var p in obj.EnumerateObject())
                if (AsMetaValue(file, line, $"{metaField}.{p.Name}", p.Value) is { } s) (meta ??= [])[p.Name] = s;
        }
        if (m.MetaColumns is { } columns)
        {
            foreach (var c in columns)
                if (root.TryGetProperty(c, out var v) && AsMetaValue(file, line, c, v) is { } s) (meta ??= [])[c] = s;
        }
        else
        {
            foreach (var p in root.EnumerateObject())
                if (!m.IsMapped(p.Name) && AsMetaValue(file, line, p.Name, p.Value) is { } s) (meta ??= [])[p.Name] = s;
        }
        return meta;
    }

    static string? AsMetaValue(string file, long line, string field, JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => Decode(file, line, field, v),
        _ => v.GetRawText(),
    };

    public static long Write(Stream output, IEnumerable<Document> docs, bool zstd, IProgress<WorkProgress>? progress)
    {
        using var stream = zstd ? new ZstdSharp.CompressionStream(output, level: 6, leaveOpen: true) : null;
        var target = stream ?? output;
        var buffer = new ArrayBufferWriter<byte>(1 << 16);
        using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        long count = 0;
        foreach (var d in docs)
        {
            buffer.ResetWrittenCount();
            json.Reset(buffer);
            WriteDocument(json, d);
            json.Flush();
            target.Write(buffer.WrittenSpan);
            target.WriteByte((byte)'\n');
            if (++count % 1000 == 0) progress?.Report(new WorkProgress("write", count));
        }
        progress?.Report(new WorkProgress("write", count, count));
        return count;
    }

    static void WriteDocument(Utf8JsonWriter w, Document d)
    {
        w.WriteStartObject();
        w.WriteString("id", d.Id);
        w.WriteString("text", d.Text);
        w.WriteString("domain", d.Domain);
        if (d.Url is not null) w.WriteString("url", d.Url);
        if (d.Source is not null) w.WriteString("source", d.Source);
        if (d.Meta is { Count: > 0 })
        {
            w.WriteStartObject("meta");
            foreach (var (k, v) in d.Meta) w.WriteString(k, v);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }
}
