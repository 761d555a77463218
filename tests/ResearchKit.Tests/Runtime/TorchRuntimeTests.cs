using System.Buffers.Binary;
using ResearchKit.Runtime;
using TorchSharp;

namespace ResearchKit.Tests.Runtime;

public class TorchRuntimeTests
{
    [Fact]
    public void InitialisesOnCpuAndComputes()
    {
        var info = TorchRuntime.Initialize("cpu");
        Assert.Equal("cpu", info.Device);
        using var a = torch.tensor(new float[] { 1, 2, 3 });
        using var b = torch.tensor(new float[] { 4, 5, 6 });
        Assert.Equal(32f, (a * b).sum().item<float>());
    }

    [Fact]
    public void BridgeOnThisSystemHasNoUnmetRequirementAfterPatching()
    {
        var info = TorchRuntime.Initialize("cpu");
        if (!OperatingSystem.IsLinux()) return;
        var bytes = File.ReadAllBytes(info.Bridge);
        // Whatever was weakened must now carry the weak flag: re-patching finds the same names.
        var again = ElfVersionPatcher.MarkWeak(bytes, "libstdc++.so.6", info.WeakenedVersions.ToHashSet());
        Assert.Equal(info.WeakenedVersions.OrderBy(x => x), again.OrderBy(x => x));
        Assert.Contains("GLIBCXX_3.4.9", ElfVersionPatcher.RequiredVersions(bytes, "libstdc++.so.6"));
    }

    [Fact]
    public void MarkWeakSetsOnlyTheNamedRequirement()
    {
        var elf = TinyElf.WithVersionNeeds("libstdc++.so.6", "GLIBCXX_3.4.30", "GLIBCXX_3.4.32");
        var patched = ElfVersionPatcher.MarkWeak(elf, "libstdc++.so.6", new HashSet<string> { "GLIBCXX_3.4.32" });
        Assert.Equal(["GLIBCXX_3.4.32"], patched);
        Assert.Equal(0, TinyElf.Flags(elf, 0));
        Assert.Equal(2, TinyElf.Flags(elf, 1));
        Assert.Empty(ElfVersionPatcher.MarkWeak(elf, "libm.so.6", new HashSet<string> { "GLIBCXX_3.4.32" }));
    }

    [Fact]
    public void RejectsNonElfInput() =>
        Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.RequiredVersions("not an elf at all, just text....................................."u8.ToArray(), "x"));

    /// <summary>Builds the smallest ELF64 image with one .gnu.version_r section and its string table.</summary>
    static class TinyElf
    {
        const int AuxStart = 0x200 + 16;

        public static byte[] WithVersionNeeds(string file, params string[] versions)
        {
            var elf = new byte[0x400];
            "\u007fELF"u8.CopyTo(elf); elf[4] = 2; elf[5] = 1;
            const int shoff = 0x40, shentsize = 64;
            BinaryPrimitives.WriteUInt64LittleEndian(elf.AsSpan(0x28), shoff);
            BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x3A), shentsize);
            BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x3C), 3);
            // section 1: verneed at 0x200, linked to section 2 (strings at 0x300)
            var s1 = elf.AsSpan(shoff + shentsize);
            BinaryPrimitives.WriteUInt32LittleEndian(s1[4..], 0x6ffffffe);
            BinaryPrimitives.WriteUInt64LittleEndian(s1[24..], 0x200);
            BinaryPrimitives.WriteUInt32LittleEndian(s1[40..], 2);
            BinaryPrimitives.WriteUInt64LittleEndian(elf.AsSpan(shoff + 2 * shentsize + 24), 0x300);
            var strings = new List<byte> { 0 };
            int Add(string s) { int at = strings.Count; strings.AddRange(System.Text.Encoding.ASCII.GetBytes(s)); strings.Add(0); return at; }
            var vn = elf.AsSpan(0x200);
            BinaryPrimitives.WriteUInt16LittleEndian(vn, 1);
            BinaryPrimitives.WriteUInt16LittleEndian(vn[2..], (ushort)versions.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(vn[4..], (uint)Add(file));
            BinaryPrimitives.WriteUInt32LittleEndian(vn[8..], 16);
            for (int i = 0; i < versions.Length; i++)
            {
                var aux = elf.AsSpan(AuxStart + 16 * i);
                BinaryPrimitives.WriteUInt32LittleEndian(aux[8..], (uint)Add(versions[i]));
                BinaryPrimitives.WriteUInt32LittleEndian(aux[12..], i == versions.Length - 1 ? 0u : 16u);
            }
            strings.ToArray().CopyTo(elf, 0x300);
            return elf;
        }

        public static int Flags(byte[] elf, int aux) => BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(AuxStart + 16 * aux + 4));
    }
}
