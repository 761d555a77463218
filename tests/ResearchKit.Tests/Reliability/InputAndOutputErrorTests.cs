using System.Text;
using ResearchKit.Corpus;
using ResearchKit.Experiments;
using ResearchKit.MeCo;
using ResearchKit.Tests.Corpus;
using ResearchKit.Tokenization;

namespace ResearchKit.Tests.Reliability;

/// <summary>Truncated and odd inputs, full disks and orphaned temporaries: each a message naming the file, nothing
/// half-written, no temporary left behind.</summary>
public sealed class InputAndOutputErrorTests
{
    static List<Document> Docs(int n = 30) =>
        Enumerable.Range(0, n).Select(i => new Document($"d{i}", $"document {i}: " + string.Concat(Enumerable.Repeat("some words here ", 40 + i)), i % 2 == 0 ? "web" : "code")).ToList();

    [Fact]
    public void AZstdFileCutMidFrameNamesTheFile()
    {
        using var dir = new TempDir();
        CorpusWriter.Write(dir["c.jsonl.zst"], Docs(200));
        var bytes = File.ReadAllBytes(dir["c.jsonl.zst"]);
        File.WriteAllBytes(dir["cut.jsonl.zst"], bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<DataFormatException>(() => CorpusReader.Read(dir["cut.jsonl.zst"]).Count());
        Assert.Equal(dir["cut.jsonl.zst"], e.File);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void AByteOrderMarkAtTheStartOfAJsonlFileIsAccepted()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir["bom.jsonl"], [.. "\uFEFF"u8.ToArray(), .. Encoding.UTF8.GetBytes("{\"id\":\"a\",\"text\":\"x\",\"domain\":\"web\"}\n{\"id\":\"b\",\"text\":\"y\",\"domain\":\"web\"}\n")]);
        Assert.Equal(["a", "b"], CorpusReader.Read(dir["bom.jsonl"]).Select(d => d.Id));
        // Only at the start of the file: inside a line it is still an error.
        File.WriteAllBytes(dir["mid.jsonl"], [.. Encoding.UTF8.GetBytes("{\"id\":\"a\",\"text\":\"x\",\"domain\":\"web\"}\n"), .. "\uFEFF"u8.ToArray(), .. Encoding.UTF8.GetBytes("{\"id\":\"b\",\"text\":\"y\",\"domain\":\"web\"}\n")]);
        Assert.Equal(2, Assert.Throws<DataFormatException>(() => CorpusReader.Read(dir["mid.jsonl"]).Count()).Record);
    }

    [Fact]
    public void SubfoldersOfAnInputFolderAreReported()
    {
        using var dir = new TempDir();
        CorpusWriter.Write(dir["a.jsonl"], Docs(3));
        Directory.CreateDirectory(dir["more"]);
        CorpusWriter.Write(Path.Combine(dir["more"], "b.jsonl"), Docs(3));
        var warnings = new List<string>();
        using (KitWarnings.Capture(warnings.Add)) Assert.Equal(3, CorpusReader.Read(dir.Path).Count());
        Assert.Contains(warnings, w => w.Contains(dir["more"]) && w.Contains("subfolder not read (1 corpus file"));
        File.Delete(dir["a.jsonl"]);
        Assert.Contains("subfolders are not read", Assert.Throws<FileNotFoundException>(() => CorpusReader.Files(dir.Path)).Message);
    }

    [Fact]
    public void DuplicateIdsAreRefusedByTheSplitAndReportedElsewhere()
    {
        var docs = Docs(20).Select((d, i) => i == 7 ? d with { Id = "d3" } : d).ToList();
        var e = Assert.Throws<DataFormatException>(() => TokenSplit.FromDocuments(docs, ByteTokenizer.Instance, 0.2, corpus: "x.parquet"));
        Assert.Equal(("x.parquet", "id"), (e.File, e.Field));
        Assert.Contains("'d3'", e.Message);
        var warnings = new List<string>();
        using (KitWarnings.Capture(warnings.Add)) Assert.Equal(20, DocumentIds.WarnOnDuplicates(docs, "x.parquet").Count());
        Assert.Equal(["x.parquet: 1 document id(s) repeat (e.g. 'd3')"], warnings.Select(w => w[..w.IndexOf(';')]));
        warnings.Clear();
        using (KitWarnings.Capture(warnings.Add)) DocumentIds.WarnOnDuplicates(Docs(20), "x").Count();
        Assert.Empty(warnings);
    }

    [Fact]
    public void AHugeDocumentMakesAParquetFileAboutTheSizeOfItsText()
    {
        using var dir = new TempDir();
        var rng = new Random(1);
        var words = File.ReadAllText(Path.Combine(TestCorpus.RepoRoot, "README.md")).Split(' ', '\n');
        var text = new StringBuilder();
        while (text.Length < 8_000_000) text.Append(words[rng.Next(words.Length)]).Append(' ');
        CorpusWriter.Write(dir["big.parquet"], [new Document("a", text.ToString(), "web"), new Document("b", "small", "web")]);
        CorpusWriter.Write(dir["big.jsonl.zst"], [new Document("a", text.ToString(), "web"), new Document("b", "small", "web")]);
        // String statistics stored 8 copies of the largest value (~64 MB here); the binary text column stores none.
        Assert.InRange(new FileInfo(dir["big.parquet"]).Length, 0, 2 * new FileInfo(dir["big.jsonl.zst"]).Length + 100_000);
        Assert.Equal(text.ToString(), CorpusReader.Read(dir["big.parquet"]).First().Text);
    }

    [Fact]
    public void ATopicArmOnACorpusWithoutTopicsFailsAndPartialCoverageWarns()
    {
        var topic = new MetadataSpec(MetadataKind.Topic) { TopicKeys = ["topic", "genre"] };
        var e = Assert.Throws<ArgumentException>(() => TokenizeStage.RequirePrefixes(topic, new TokenizeSummary(10, 100, 0, 100, 2, PrefixedDocuments: 0), "c.parquet"));
        Assert.Contains("c.parquet: no document has topic metadata (keys topic, genre)", e.Message);
        Assert.Contains("standard", e.Message);
        var warnings = new List<string>();
        using (KitWarnings.Capture(warnings.Add)) TokenizeStage.RequirePrefixes(topic, new TokenizeSummary(10, 100, 30, 100, 2, PrefixedDocuments: 4), "c.parquet");
        Assert.Equal(["c.parquet: only 4 of 10 documents (40.0%) have topic metadata (keys topic, genre); the others train without a prefix"], warnings);
    }

    [Fact]
    public void ATopicArmOnACorpusWithoutTopicsIsRefusedInsideTheStage()
    {
        using var dir = new TempDir();
        var corpus = dir["c.parquet"];
        CorpusWriter.Write(corpus, Docs(12));
        var stage = new TokenizeStage(new CorpusStage(new DataSpec { Corpus = corpus, ValidationFraction = 0.25 }, CorpusPart.Train), "bytes",
                                      new MetadataSpec(MetadataKind.Topic));
        using var runner = new ResearchKit.Pipeline.StageRunner(new ResearchKit.Pipeline.ArtifactStore(dir["stages"]));
        Assert.Contains("no document has topic metadata", Assert.Throws<ArgumentException>(() => { runner.Run(stage); }).Message);
    }

    /// <summary>A stream that takes <paramref name="capacity"/> bytes and then fails as a full disk does (ENOSPC).</summary>
    sealed class FullDisk(Stream inner, long capacity) : Stream
    {
        long _written;
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_written + buffer.Length > capacity) throw new IOException($"No space left on device : '{(inner as FileStream)?.Name}'", 28);
            _written += buffer.Length;
            inner.Write(buffer);
        }
        public override bool CanRead => false;
        public override bool CanSeek => inner.CanSeek;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
        public override void SetLength(long value) => inner.SetLength(value);
        protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); base.Dispose(disposing); }
    }

    [Fact]
    public void AFullDiskIsOneMessageNamingTheTargetAndLeavesNoTemporary()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["out.bin"], "the old file");
        var e = Assert.Throws<DiskFullException>(() => AtomicFile.Write(dir["out.bin"], tmp =>
        {
            using var s = new FullDisk(File.Create(tmp), 1000);
            s.Write(new byte[4096]);
        }));
        Assert.Equal(dir["out.bin"], e.File);
        Assert.StartsWith($"{dir["out.bin"]}: the disk is full", e.Message);
        Assert.Equal(["out.bin"], dir.Files());
        Assert.Equal("the old file", File.ReadAllText(dir["out.bin"]));
    }

    [SkippableFact]
    public void AFullTmpfsDuringATokenizeIsOneMessageAndNoTemporary()
    {
        using var dir = new TempDir();
        var mount = dir["small"];
        Directory.CreateDirectory(mount);
        var (code, output) = Cli.Rk.Shell($"mount -t tmpfs -o size=256k tmpfs '{mount}'", dir.Path);
        Skip.If(code != 0, $"cannot mount a tmpfs here ({output.Trim()}); the size-capped stream test covers the same path");
        try
        {
            var docs = Docs(400);
            var e = Assert.Throws<DiskFullException>(() => TokenShard.Tokenize(docs, ByteTokenizer.Instance, Path.Combine(mount, "tokens.rkt")));
            Assert.Equal(Path.Combine(mount, "tokens.rkt"), e.File);
            Assert.Empty(Directory.GetFileSystemEntries(mount));
        }
        finally { Cli.Rk.Shell($"umount '{mount}'", dir.Path); }
    }

    [Fact]
    public void OrphanTemporariesOfDeadProcessesAreRemovedByTheNextWriterLiveOnesKept()
    {
        using var dir = new TempDir();
        using var live = System.Diagnostics.Process.Start("sleep", "30");
        int dead = DeadPid();
        var orphan = dir[$"out.bin.tmp-{dead}-{Guid.NewGuid():N}"];
        var inProgress = dir[$"out.bin.tmp-{live.Id}-{Guid.NewGuid():N}"];
        var other = dir[$"other.bin.tmp-{dead}-{Guid.NewGuid():N}"];
        foreach (var f in new[] { orphan, inProgress, other }) File.WriteAllText(f, "half");
        AtomicFile.WriteAllText(dir["out.bin"], "whole");
        Assert.False(File.Exists(orphan));
        Assert.True(File.Exists(inProgress));   // another process is still writing it
        Assert.True(File.Exists(other));        // not this output's
        live.Kill();
    }

    [Fact]
    public void AnAblationRemovesAKilledRunsHalfBuiltResultsFolder()
    {
        using var dir = new TempDir();
        var orphan = dir[$".tmp-demo-{DeadPid()}-{Guid.NewGuid():N}"];
        Directory.CreateDirectory(orphan);
        File.WriteAllText(Path.Combine(orphan, "results.parquet"), "half");
        OrphanTemporaries.RemoveFolders(dir.Path, "demo");
        Assert.False(Directory.Exists(orphan));
    }

    [Fact]
    public void ATruncatedResultsTableNamesTheFile()
    {
        using var dir = new TempDir();
        var frame = new Microsoft.Data.Analysis.DataFrame(new Microsoft.Data.Analysis.StringDataFrameColumn("arm", ["a", "b"]),
                                                          new Microsoft.Data.Analysis.DoubleDataFrameColumn("val_loss", [1.0, 2.0]));
        DataFrameParquet.Write(frame, dir["results.parquet"]);
        var bytes = File.ReadAllBytes(dir["results.parquet"]);
        foreach (var cut in new[] { bytes.Length - 5, bytes.Length / 2, 10 })
        {
            File.WriteAllBytes(dir["results.parquet"], bytes[..cut]);
            var e = Assert.Throws<DataFormatException>(() => DataFrameParquet.Read(dir["results.parquet"]));
            Assert.Equal(dir["results.parquet"], e.File);
            Assert.Contains("truncated or damaged", e.Message);
        }
    }

    /// <summary>A process id that is not running: a finished child's.</summary>
    internal static int DeadPid()
    {
        using var p = System.Diagnostics.Process.Start("true")!;
        p.WaitForExit();
        return p.Id;
    }
}
