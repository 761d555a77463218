using System.Buffers.Binary;

namespace ResearchKit.Packing;

/// <summary>
/// A document order on disk: which documents of a token dataset to pack, in which order (an ICLM traversal, clusters
/// laid end to end; a subset after deduplication). Layout: magic <c>RKORDER1</c>, count (int64), then that many
/// int32 document indices, little-endian.
/// </summary>
public static class DocumentOrder
{
    public const string FileName = "order.bin";
    static ReadOnlySpan<byte> Magic => "RKORDER1"u8;

    public static void Write(string path, IReadOnlyList<int> order) => AtomicFile.Write(path, (Stream s) =>
    {
        s.Write(Magic);
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(buffer, order.Count);
        s.Write(buffer);
        foreach (var d in order)
        {
            if (d < 0) throw new ArgumentOutOfRangeException(nameof(order), $"document index {d} is negative");
            BinaryPrimitives.WriteInt32LittleEndian(buffer, d);
            s.Write(buffer[..4]);
        }
    });

    /// <summary>Reads an order and checks every index against <paramref name="documentCount"/> (when given) and for repeats.</summary>
    public static int[] Read(string path, int? documentCount = null)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 16 || !bytes.AsSpan(0, 8).SequenceEqual(Magic)) throw new DataFormatException(path, null, "magic", "not a ResearchKit document order");
        long count = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8));
        if (count < 0 || bytes.Length != 16 + 4 * count) throw new DataFormatException(path, null, "count", $"{count} indices declared, {(bytes.Length - 16) / 4.0} stored");
        var order = new int[count];
        var seen = new HashSet<int>();
        for (int i = 0; i < count; i++)
        {
            order[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(16 + 4 * i));
            if (order[i] < 0 || documentCount is { } n && order[i] >= n)
                throw new DataFormatException(path, i, "document", $"index {order[i]} is outside the dataset's {documentCount} documents");
            if (!seen.Add(order[i])) throw new DataFormatException(path, i, "document", $"index {order[i]} appears twice");
        }
        return order;
    }
}
