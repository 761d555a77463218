using System.Buffers.Binary;
using ResearchKit.Tokenization;

namespace ResearchKit.Interop;

/// <summary>
/// Token data as llm.c shards (dev/data/data_common.py write_datafile, read by llmc/dataloader.h and modded-nanogpt):
/// a header of 256 little-endian int32 (magic, version, token count, zeros) and the tokens. The convention follows
/// the vocabulary: with at most 65536 ids, llm.c's GPT-2 layout (magic 20240520, version 1, uint16 tokens); with more
/// (cl100k_base, o200k_base), its LLaMA-3 layout (magic 20240801, version 7, uint32 tokens). As in llm.c's
/// fineweb.py, the end-of-text id comes before every document, and a file is cut at <c>tokensPerFile</c> (mid-document
/// if need be): files are named prefix_000000.bin, prefix_000001.bin, ...
/// </summary>
public static class LlmcTokenFile
{
    public const int HeaderInts = 256;
    public const int MagicUInt16 = 20240520, VersionUInt16 = 1;
    public const int MagicUInt32 = 20240801, VersionUInt32 = 7;
    public const long DefaultTokensPerFile = 100_000_000;

    public static TokenExportSummary Write(ITokenDataset data, string prefix, TokenExportOptions? options = null,
                                           long tokensPerFile = DefaultTokensPerFile, IProgress<WorkProgress>? progress = null)
    {
        options ??= new();
        if (tokensPerFile is < 1 or >= int.MaxValue) throw new ArgumentOutOfRangeException(nameof(tokensPerFile), "llm.c counts a file's tokens in an int32");
        bool wide = data.VocabSize > 65536;
        int width = wide ? 4 : 2;
        var files = new List<string>();
        long total = 0;
        var pending = new List<int>((int)Math.Min(tokensPerFile, 1 << 22));
        var scratch = new List<int>();

        void Flush()
        {
            var path = $"{prefix}_{files.Count:D6}.bin";
            AtomicFile.Write(path, (Stream s) =>
            {
                var header = new byte[HeaderInts * 4];
                BinaryPrimitives.WriteInt32LittleEndian(header, wide ? MagicUInt32 : MagicUInt16);
                BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), wide ? VersionUInt32 : VersionUInt16);
                BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), pending.Count);
                s.Write(header);
                var body = new byte[pending.Count * width];
                for (int i = 0; i < pending.Count; i++)
                    if (wide) BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(4 * i), (uint)pending[i]);
                    else BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(2 * i), (ushort)pending[i]);
                s.Write(body);
            });
            files.Add(path);
            total += pending.Count;
            pending.Clear();
        }

        for (int d = 0; d < data.DocumentCount; d++)
        {
            if (options.EndOfText) { pending.Add(data.EndOfText); if (pending.Count == tokensPerFile) Flush(); }
            foreach (var t in TokenExport.Content(data, d, options, scratch))
            {
                pending.Add(t);
                if (pending.Count == tokensPerFile) Flush();
            }
            if ((d + 1) % 10_000 == 0) progress?.Report(new WorkProgress("llm.c", d + 1, data.DocumentCount));
        }
        if (pending.Count > 0 || files.Count == 0) Flush();
        return new TokenExportSummary(files, data.DocumentCount, total, width);
    }
}
