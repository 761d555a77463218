using System.Buffers.Binary;
using System.Text;

namespace ResearchKit.Runtime;

/// <summary>
/// Marks symbol-version requirements of an ELF64 shared library as weak (VER_FLG_WEAK in
/// <c>.gnu.version_r</c>). TorchSharp 0.107's native bridge asks for <c>GLIBCXX_3.4.32</c> for one
/// symbol that older libstdc++ (Debian 12, Ubuntu 22.04) lacks; a weak requirement lets the loader
/// accept the library while every other symbol still binds normally.
/// </summary>
public static class ElfVersionPatcher
{
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlagWeak = 0x2;

    /// <summary>Version names (e.g. GLIBCXX_3.4.32) that <paramref name="elf"/> requires from <paramref name="library"/>.</summary>
    public static IReadOnlyList<string> RequiredVersions(byte[] elf, string library) =>
        Walk(elf, library, patch: null);

    /// <summary>Sets the weak flag on each requirement whose name is in <paramref name="versions"/>; returns the names patched.</summary>
    public static IReadOnlyList<string> MarkWeak(byte[] elf, string library, IReadOnlySet<string> versions) =>
        Walk(elf, library, versions);

    static List<string> Walk(byte[] elf, string library, IReadOnlySet<string>? patch)
    {
        var span = elf.AsSpan();
        if (elf.Length < 64 || span[0] != 0x7f || span[1] != (byte)'E' || span[2] != (byte)'L' || span[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (span[4] != 2 || span[5] != 1) throw new InvalidDataException("only little-endian ELF64 is supported");

        ulong shoff = BinaryPrimitives.ReadUInt64LittleEndian(span[0x28..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3A..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3C..]);
        var found = new List<string>();
        for (int i = 0; i < shnum; i++)
        {
            var sh = span[checked((int)shoff + i * shentsize)..];
            if (BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]) != ShtGnuVerneed) continue;
            long sectionOffset = (long)BinaryPrimitives.ReadUInt64LittleEndian(sh[24..]);
            int strIndex = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[40..]);
            long strOffset = (long)BinaryPrimitives.ReadUInt64LittleEndian(span[checked((int)shoff + strIndex * shentsize + 24)..]);

            long need = sectionOffset;
            while (true)
            {
                var vn = span[(int)need..];
                int count = BinaryPrimitives.ReadUInt16LittleEndian(vn[2..]);
                string file = CString(span, strOffset + BinaryPrimitives.ReadUInt32LittleEndian(vn[4..]));
                long aux = need + BinaryPrimitives.ReadUInt32LittleEndian(vn[8..]);
                uint next = BinaryPrimitives.ReadUInt32LittleEndian(vn[12..]);
                for (int k = 0; k < count; k++)
                {
                    var va = span[(int)aux..];
                    string name = CString(span, strOffset + BinaryPrimitives.ReadUInt32LittleEndian(va[8..]));
                    if (file == library)
                    {
                        if (patch is null) found.Add(name);
                        else if (patch.Contains(name))
                        {
                            ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(va[4..]);
                            BinaryPrimitives.WriteUInt16LittleEndian(span[((int)aux + 4)..], (ushort)(flags | VerFlagWeak));
                            found.Add(name);
                        }
                    }
                    aux += BinaryPrimitives.ReadUInt32LittleEndian(va[12..]);
                }
                if (next == 0) break;
                need += next;
            }
        }
        return found;
    }

    static string CString(ReadOnlySpan<byte> data, long offset)
    {
        var s = data[(int)offset..];
        int end = s.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? s : s[..end]);
    }
}
