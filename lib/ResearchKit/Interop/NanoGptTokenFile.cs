using System.Buffers.Binary;
using ResearchKit.Tokenization;

namespace ResearchKit.Interop;

/// <summary>
/// Token data as nanoGPT's data/*/prepare.py writes it and train.py reads it (np.memmap(path, dtype=np.uint16)):
/// raw little-endian uint16 tokens, no header, each document followed by end-of-text. Only vocabularies of at most
/// 65536 ids fit; use the llm.c format (uint32 with a header) for larger ones.
/// </summary>
public static class NanoGptTokenFile
{
    public static TokenExportSummary Write(ITokenDataset data, string path, TokenExportOptions? options = null, IProgress<WorkProgress>? progress = null)
    {
        options ??= new();
        if (data.VocabSize > 65536)
            throw new ArgumentException($"nanoGPT token files hold uint16 ids; this dataset's vocabulary has {data.VocabSize:N0} (use --format llmc, which switches to uint32)");
        long tokens = 0;
        AtomicFile.Write(path, (Stream s) =>
        {
            using var buffered = new BufferedStream(s, 1 << 20);
            Span<byte> two = stackalloc byte[2];
            var scratch = new List<int>();
            for (int d = 0; d < data.DocumentCount; d++)
            {
                foreach (var t in TokenExport.Content(data, d, options, scratch)) { BinaryPrimitives.WriteUInt16LittleEndian(two, (ushort)t); buffered.Write(two); tokens++; }
                if (options.EndOfText) { BinaryPrimitives.WriteUInt16LittleEndian(two, (ushort)data.EndOfText); buffered.Write(two); tokens++; }
                if ((d + 1) % 10_000 == 0) progress?.Report(new WorkProgress("nanogpt", d + 1, data.DocumentCount));
            }
        });
        return new TokenExportSummary([path], data.DocumentCount, tokens, 2);
    }
}
