using System.Text;
using ResearchKit.Integrity;
using ResearchKit.Tests.Corpus;
using ResearchKit.Training;

namespace ResearchKit.Tests.Reliability;

/// <summary>Checkpoint v3: every section checksummed; a flipped bit is named with its file and section, never resumed
/// silently and never reported as divergence; a malformed header is a file/field message.</summary>
public sealed class CheckpointIntegrityTests
{
    static TrainConfig Micro(string dir) => new()
    {
        Model = GptConfig.Micro(),
        BatchSize = 2,
        Steps = 4,
        Seed = 9,
        OutputDirectory = dir,
        CheckpointEvery = 2,
        StopAfterStep = 2,
    };

    /// <summary>Byte ranges of the sections in a v3 checkpoint: header JSON, then each tensor's bytes (checksums follow each).</summary>
    internal static Dictionary<string, (long Start, long Length)> Sections(byte[] file)
    {
        using var r = new BinaryReader(new MemoryStream(file));
        r.ReadString();
        long headerStart = r.BaseStream.Position;
        var json = r.ReadString();
        var sections = new Dictionary<string, (long, long)> { ["header"] = (r.BaseStream.Position - Encoding.UTF8.GetByteCount(json), Encoding.UTF8.GetByteCount(json)) };
        r.ReadUInt64();
        foreach (var name in new[] { "parameters", "exp_avg", "exp_avg_sq" })
        {
            long n = r.ReadInt64();
            sections[name] = (r.BaseStream.Position, n);
            r.BaseStream.Position += n;
            r.ReadUInt64();
        }
        Assert.True(headerStart > 0);
        return sections;
    }

    static readonly ResearchKit.Tokenization.InMemoryTokenDataset Data = TestCorpus.Bytes("Packing");

    [Theory]
    [InlineData("header", 7, 0)]
    [InlineData("parameters", 4000, 3)]
    [InlineData("exp_avg", 123, 6)]
    [InlineData("exp_avg_sq", 999, 1)]
    public void AOneBitFlipInAnySectionIsNamed(string section, int offset, int bit)
    {
        using var dir = new TempDir();
        Trainer.Run(Micro(dir.Path), Data).Model.Dispose();
        var path = dir[Checkpoint.FileName];
        var bytes = File.ReadAllBytes(path);
        var (start, _) = Sections(bytes)[section];
        bytes[start + offset] ^= (byte)(1 << bit);
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<DataFormatException>(() => Trainer.Run(Micro(dir.Path) with { StopAfterStep = null }, Data));
        Assert.Equal(path, e.File);
        Assert.Equal(section, e.Field);
        Assert.Contains("checksum mismatch", e.Message);
        if (section == "parameters")
            Assert.Equal("parameters", Assert.Throws<DataFormatException>(() => Checkpoint.LoadModel(path, TorchSharp.torch.CPU).Dispose()).Field);
    }

    [Fact]
    public void AnExponentFlipIsACorruptFileNotDivergence()
    {
        using var dir = new TempDir();
        Trainer.Run(Micro(dir.Path), Data).Model.Dispose();
        var path = dir[Checkpoint.FileName];
        var bytes = File.ReadAllBytes(path);
        var (start, _) = Sections(bytes)["parameters"];
        bytes[start + 4 * 10 + 3] ^= 0x40;   // the top exponent bit of float 10: its magnitude becomes ~1e38
        File.WriteAllBytes(path, bytes);
        var e = Record.Exception(() => Trainer.Run(Micro(dir.Path) with { StopAfterStep = null }, Data));
        Assert.IsNotType<TrainingDivergedException>(e);
        Assert.Contains("checksum mismatch", Assert.IsType<DataFormatException>(e).Message);
        Assert.DoesNotContain("learning rate", e.Message);
    }

    [Fact]
    public void NonFiniteValuesSavedWithAValidChecksumAreNamedAsSuch()
    {
        using var dir = new TempDir();
        Trainer.Run(Micro(dir.Path), Data).Model.Dispose();
        var path = dir[Checkpoint.FileName];
        var bytes = File.ReadAllBytes(path);
        var (start, length) = Sections(bytes)["parameters"];
        BitConverter.GetBytes(float.NaN).CopyTo(bytes, start + 8);
        BitConverter.GetBytes(Checksum.Of(bytes.AsSpan((int)start, (int)length))).CopyTo(bytes, start + length);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<DataFormatException>(() => Trainer.Run(Micro(dir.Path) with { StopAfterStep = null }, Data));
        Assert.Equal("parameters", e.Field);
        Assert.Contains("NaN", e.Message);
    }

    [Theory]
    [InlineData("\"Layout\"", "\"Layuot\"", "Layuot")]
    [InlineData("\"TorchRngState\"", "\"RngState\"", "RngState")]
    [InlineData("\"Step\"", "\"Steps\"", "Steps")]
    public void ARenamedHeaderKeyNamesTheFileAndField(string key, string renamed, string field)
    {
        using var dir = new TempDir();
        Trainer.Run(Micro(dir.Path), Data).Model.Dispose();
        var path = dir[Checkpoint.FileName];
        var bytes = File.ReadAllBytes(path);
        using var r = new BinaryReader(new MemoryStream(bytes));
        var magic = r.ReadString();
        var json = r.ReadString();
        r.ReadUInt64();
        var rest = bytes[(int)r.BaseStream.Position..];
        int at = json.IndexOf(key, StringComparison.Ordinal);
        json = json[..at] + renamed + json[(at + key.Length)..];
        using (var w = new BinaryWriter(File.Create(path)))
        {
            w.Write(magic);
            w.Write(json);
            w.Write(Checksum.Of(Encoding.UTF8.GetBytes(json)));   // a well-formed file with a foreign header
            w.Write(rest);
        }
        var e = Assert.Throws<DataFormatException>(() => Checkpoint.ReadMetrics(path));
        Assert.Equal(path, e.File);
        Assert.Contains(field, e.Message);
    }

    [Fact]
    public void ATruncatedCheckpointSaysSo()
    {
        using var dir = new TempDir();
        Trainer.Run(Micro(dir.Path), Data).Model.Dispose();
        var path = dir[Checkpoint.FileName];
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<DataFormatException>(() => Checkpoint.LoadModel(path, TorchSharp.torch.CPU).Dispose());
        Assert.Contains("truncated", e.Message);
        File.WriteAllBytes(path, bytes[..20]);
        Assert.Equal("header", Assert.Throws<DataFormatException>(() => Checkpoint.ReadMetrics(path)).Field);
    }
}
