using System.Buffers.Binary;
using ResearchKit.Tokenization;

namespace ResearchKit.Interop;

/// <summary>
/// Token data as a Megatron-LM / NeMo indexed dataset (megatron/core/datasets/indexed_dataset.py): a prefix.bin of
/// raw tokens and a prefix.idx, both little-endian. One sequence per document (its tokens, then end-of-text, as
/// tools/preprocess_data.py --append-eod writes them). The index:
/// <code>
///   "MMIDIDX\0\0"             9 bytes
///   version                   u64 = 1
///   dtype code                u8  (uint16 = 8 when the vocabulary has fewer than 65500 ids, else int32 = 4: DType.optimal_dtype)
///   sequence count            u64
///   document count            u64 = documents + 1 (the document_indices array below, with its leading 0)
///   sequence lengths          i32[sequences], in tokens
///   sequence pointers         i64[sequences], byte offsets into .bin
///   document indices          i64[documents + 1] = 0, 1, ..., documents (sequence index where each document ends)
/// </code>
/// Use the path prefix (without .bin/.idx) in Megatron's --data-path.
/// </summary>
public static class MegatronIndexedDataset
{
    internal static ReadOnlySpan<byte> Header => "MMIDIDX\0\0"u8;
    internal const byte CodeUInt16 = 8, CodeInt32 = 4;

    /// <summary>Megatron's choice of token type for a vocabulary (DType.optimal_dtype): uint16 below 65500 ids.</summary>
    public static byte DTypeCode(int vocabSize) => vocabSize < 65500 ? CodeUInt16 : CodeInt32;

    /// <summary>Writes <paramref name="prefix"/>.bin then <paramref name="prefix"/>.idx, each atomically (the index,
    /// which readers open first, appears last).</summary>
    /// <param name="documents">Which documents, in order (null: all); e.g. one domain's for a per-domain blend.</param>
    public static TokenExportSummary Write(ITokenDataset data, string prefix, TokenExportOptions? options = null,
                                           IReadOnlyList<int>? documents = null, IProgress<WorkProgress>? progress = null)
    {
        options ??= new();
        byte code = DTypeCode(data.VocabSize);
        int width = code == CodeUInt16 ? 2 : 4;
        var order = documents ?? Enumerable.Range(0, data.DocumentCount).ToArray();
        var lengths = new int[order.Count];
        long tokens = 0;
        AtomicFile.Write(prefix + ".bin", (Stream s) =>
        {
            using var buffered = new BufferedStream(s, 1 << 20);
            var scratch = new List<int>();
            Span<byte> one = stackalloc byte[4];
            for (int i = 0; i < order.Count; i++)
            {
                var content = TokenExport.Content(data, order[i], options, scratch);
                foreach (var t in content) Put(buffered, t, width, one);
                if (options.EndOfText) Put(buffered, data.EndOfText, width, one);
                lengths[i] = content.Length + (options.EndOfText ? 1 : 0);
                tokens += lengths[i];
                if ((i + 1) % 10_000 == 0) progress?.Report(new WorkProgress("megatron", i + 1, order.Count));
            }
        });
        AtomicFile.Write(prefix + ".idx", (Stream s) =>
        {
            using var w = new BinaryWriter(new BufferedStream(s, 1 << 20));
            w.Write(Header);
            w.Write(1UL);
            w.Write(code);
            w.Write((ulong)lengths.Length);
            w.Write((ulong)lengths.Length + 1);
            foreach (var l in lengths) w.Write(l);
            long pointer = 0;
            foreach (var l in lengths) { w.Write(pointer); pointer += (long)l * width; }
            for (long d = 0; d <= lengths.Length; d++) w.Write(d);
        });
        progress?.Report(new WorkProgress("megatron", order.Count, order.Count));
        return new TokenExportSummary([prefix + ".bin", prefix + ".idx"], order.Count, tokens, width);
    }

    static void Put(Stream s, int token, int width, Span<byte> buffer)
    {
        if (width == 2) BinaryPrimitives.WriteUInt16LittleEndian(buffer, checked((ushort)token));
        else BinaryPrimitives.WriteInt32LittleEndian(buffer, token);
        s.Write(buffer[..width]);
    }
}
