using System.Text;

namespace ResearchKit.Tokenization;

/// <summary>Byte-level tokenizer for tiny models: ids 0..255 are the UTF-8 bytes, 256 is end-of-text. Any text
/// round-trips exactly.</summary>
public sealed class ByteTokenizer : TextTokenizer
{
    public static ByteTokenizer Instance { get; } = new();

    public override string Name => "bytes";
    public override int VocabSize => 257;
    public override int EndOfText => 256;

    public override int[] TokenByteLengths() => [.. Enumerable.Repeat(1, 256), 0];

    public override int[] Encode(string text)
    {
        var ids = new int[Encoding.UTF8.GetByteCount(text)];
        Span<byte> bytes = ids.Length <= 1024 ? stackalloc byte[ids.Length] : new byte[ids.Length];
        Encoding.UTF8.GetBytes(text, bytes);
        for (int i = 0; i < bytes.Length; i++) ids[i] = bytes[i];
        return ids;
    }

    /// <summary>End-of-text decodes to "&lt;|endoftext|&gt;"; invalid byte sequences (possible in model output)
    /// become U+FFFD.</summary>
    public override string Decode(ReadOnlySpan<int> ids)
    {
        var text = new StringBuilder();
        var bytes = new List<byte>(ids.Length);
        foreach (var id in ids)
        {
            if ((uint)id > 256) throw new ArgumentOutOfRangeException(nameof(ids), $"token id {id} is outside the byte vocabulary");
            if (id < 256) { bytes.Add((byte)id); continue; }
            text.Append(Encoding.UTF8.GetString(bytes.ToArray())).Append(TiktokenTextTokenizer.EndOfTextToken);
            bytes.Clear();
        }
        return text.Append(Encoding.UTF8.GetString(bytes.ToArray())).ToString();
    }
}
