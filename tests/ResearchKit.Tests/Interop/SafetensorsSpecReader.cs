using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace ResearchKit.Tests.Interop;

/// <summary>A reader written from the safetensors specification alone (not through PyBridge or the kit's wrapper):
/// u64 LE header size N; N bytes of UTF-8 JSON starting with '{' (trailing spaces allowed); {name: {dtype, shape,
/// data_offsets: [begin, end]}} relative to the byte buffer after the header, which the tensors must cover exactly,
/// without holes or overlaps; optional "__metadata__" of string to string.</summary>
sealed class SafetensorsSpecReader
{
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
    public required IReadOnlyDictionary<string, (string DType, long[] Shape, byte[] Bytes)> Tensors { get; init; }
    public required IReadOnlyList<string> Order { get; init; }
    public required long HeaderSize { get; init; }

    public float[] Floats(string name)
    {
        var (dtype, _, bytes) = Tensors[name];
        Assert.Equal("F32", dtype);
        var values = new float[bytes.Length / 4];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(4 * i));
        return values;
    }

    public static SafetensorsSpecReader Read(string path)
    {
        var file = File.ReadAllBytes(path);
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        var headerText = Encoding.UTF8.GetString(file, 8, (int)n);
        Assert.StartsWith("{", headerText);
        using var header = JsonDocument.Parse(headerText.TrimEnd(' '));
        long dataStart = 8 + n, dataLength = file.Length - dataStart;
        var tensors = new Dictionary<string, (string, long[], byte[])>();
        var order = new List<string>();
        var metadata = new Dictionary<string, string>();
        var spans = new List<(long Begin, long End)>();
        foreach (var p in header.RootElement.EnumerateObject())
        {
            if (p.Name == "__metadata__") { foreach (var m in p.Value.EnumerateObject()) metadata[m.Name] = m.Value.GetString()!; continue; }
            var dtype = p.Value.GetProperty("dtype").GetString()!;
            var shape = p.Value.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            var offsets = p.Value.GetProperty("data_offsets").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            int size = dtype switch { "F32" => 4, "BF16" or "F16" => 2, "F64" or "I64" => 8, _ => throw new InvalidDataException(dtype) };
            Assert.Equal(shape.Aggregate(1L, (a, b) => a * b) * size, offsets[1] - offsets[0]);
            spans.Add((offsets[0], offsets[1]));
            tensors.Add(p.Name, (dtype, shape, file.AsSpan((int)(dataStart + offsets[0]), (int)(offsets[1] - offsets[0])).ToArray()));
            order.Add(p.Name);
        }
        long at = 0;
        foreach (var (begin, end) in spans.OrderBy(s => s.Begin)) { Assert.Equal(at, begin); at = end; }
        Assert.Equal(dataLength, at);
        return new SafetensorsSpecReader { Metadata = metadata, Tensors = tensors, Order = order, HeaderSize = n };
    }
}
