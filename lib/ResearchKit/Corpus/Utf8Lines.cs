namespace ResearchKit.Corpus;

/// <summary>Splits a byte stream into lines without decoding it, so each line can be parsed (and its UTF-8
/// checked) on its own. A yielded line is valid until the next one is requested.</summary>
static class Utf8Lines
{
    /// <remarks>A UTF-8 byte-order mark at the very start of the file (as Windows editors write) is skipped.</remarks>
    public static IEnumerable<(long Line, ReadOnlyMemory<byte> Bytes)> Read(Stream stream, string file)
    {
        var buffer = new byte[1 << 20];
        int start = 0, end = 0;
        long line = 0;
        bool atFileStart = !stream.CanSeek || stream.Position == 0;
        while (true)
        {
            if (atFileStart && end - start >= 3)
            {
                if (buffer.AsSpan(start, 3).SequenceEqual("\uFEFF"u8)) start += 3;
                atFileStart = false;
            }
            int newline = buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                yield return (++line, buffer.AsMemory(start, newline));
                start += newline + 1;
                continue;
            }
            // No full line left in the buffer: keep the tail, grow only when one line outgrows the buffer.
            if (start > 0) { buffer.AsSpan(start, end - start).CopyTo(buffer); end -= start; start = 0; }
            if (end == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
            int n;
            try { n = stream.Read(buffer, end, buffer.Length - end); }
            catch (ZstdSharp.ZstdException e)
            {
                throw new DataFormatException(file, line + 1, null, $"cannot decompress: {e.Message}", e);
            }
            catch (EndOfStreamException e)
            {
                throw new DataFormatException(file, line + 1, null, "the compressed data ends in the middle of a zstd frame (a truncated file: an " +
                                                                  "interrupted download or copy); fetch or write the file again", e);
            }
            if (n == 0)
            {
                if (end > 0) yield return (++line, buffer.AsMemory(0, end));
                yield break;
            }
            end += n;
        }
    }
}
