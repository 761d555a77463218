using System.IO.Hashing;

namespace ResearchKit.Integrity;

/// <summary>
/// XXH3-64 checksums of file sections (System.IO.Hashing): checkpoints and token shards store one per section and
/// verify it on load, so a flipped bit is named (file and section) instead of silently changing a run.
/// </summary>
public static class Checksum
{
    public static ulong Of(ReadOnlySpan<byte> bytes) => XxHash3.HashToUInt64(bytes);

    public static string Hex(ulong value) => value.ToString("x16");

    /// <summary>Throws a <see cref="DataFormatException"/> naming <paramref name="file"/> and <paramref name="section"/>
    /// when the stored and computed checksums differ.</summary>
    public static void Verify(string file, string section, ulong stored, ulong computed, long? record = null)
    {
        if (stored != computed) throw Mismatch(file, section, stored, computed, record);
    }

    public static DataFormatException Mismatch(string file, string section, ulong stored, ulong computed, long? record = null) =>
        new(file, record, section, $"checksum mismatch (stored {Hex(stored)}, computed {Hex(computed)}): the {section} bytes changed after the file " +
                                   "was written (a damaged disk, copy or download); restore the file from a good copy or recompute it");
}
