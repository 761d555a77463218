using System.Text.Json.Nodes;
using ResearchKit.Corpus;
using ResearchKit.Pipeline;
using ResearchKit.Tests.Corpus;
using ResearchKit.Tokenization;

namespace ResearchKit.Tests.Pipeline;

/// <summary>Sharded corpus and tokenize stages in one process: n shards merged give the bytes one process writes,
/// finished shards are skipped, and every way of mixing up shards is refused before anything is written.</summary>
public sealed class ShardedStageTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    /// <summary>300 real documents (data-samples) as two inputs: a JSONL file cut into ~14 byte-range units, and a
    /// Parquet file (one row group).</summary>
    string Inputs()
    {
        var input = _dir["in"];
        Directory.CreateDirectory(input);
        var docs = CorpusSample.Take(CorpusReader.Read(Path.Combine(TestCorpus.RepoRoot, "data-samples", "sample.parquet")), 300, seed: 5).ToList();
        CorpusWriter.Write(Path.Combine(input, "a.jsonl"), docs.Take(200));
        CorpusWriter.Write(Path.Combine(input, "b.parquet"), docs.Skip(200));
        return input;
    }

    const long Unit = 48 << 10;

    [Theory]
    [InlineData("out.parquet", 1)]
    [InlineData("out.parquet", 3)]
    [InlineData("out.jsonl.zst", 4)]
    [InlineData("out.jsonl", 40)]   // more shards than units: some shards write empty parts
    public void ShardsMergedAreByteIdenticalToOneProcess(string name, int shards)
    {
        var input = Inputs();
        var single = _dir["single-" + name];
        CorpusWriter.Write(single, CorpusReader.Read(input));
        Assert.True(CorpusUnit.Plan(CorpusReader.Files(input), Unit).Count is > 10 and < 40);

        var output = _dir[name];
        foreach (int i in Enumerable.Range(0, shards).Reverse())   // order of completion does not matter
            Assert.False(CorpusShards.Run(CorpusShards.ImportStage, input, ColumnMapping.Native, output, new ShardSpec(i, shards), unitBytes: Unit).Skipped);
        var merged = CorpusShards.Merge(output);
        Assert.Equal(300, merged.Documents);
        Assert.Equal(File.ReadAllBytes(single), File.ReadAllBytes(output));
    }

    [Fact]
    public void AFileWithoutDocumentsIsRefusedAtTheMergeAsAWholeReadRefusesIt()
    {
        // c.jsonl holds only blank lines: no shard can tell (its lines may sit in another shard's unit), the merge can.
        var input = Inputs();
        File.WriteAllText(Path.Combine(input, "c.jsonl"), "\n  \n\t\n");
        var whole = Assert.Throws<DataFormatException>(() => CorpusReader.Read(input).Count());
        Assert.EndsWith("c.jsonl", whole.File);

        for (int i = 0; i < 2; i++) CorpusShards.Run(CorpusShards.ImportStage, input, ColumnMapping.Native, _dir["out.parquet"], new ShardSpec(i, 2), unitBytes: Unit);
        var corpus = Assert.Throws<DataFormatException>(() => CorpusShards.Merge(_dir["out.parquet"]));
        Assert.EndsWith("c.jsonl", corpus.File);
        Assert.Contains("no documents", corpus.Message);
        Assert.False(File.Exists(_dir["out.parquet"]));

        var tokenizer = TextTokenizers.Create("bytes");
        for (int i = 0; i < 2; i++) TokenShards.Run(input, ColumnMapping.Native, tokenizer, _dir["tokens"], new ShardSpec(i, 2), unitBytes: Unit);
        var tokens = Assert.Throws<DataFormatException>(() => TokenShards.Merge(_dir["tokens"]));
        Assert.EndsWith("c.jsonl", tokens.File);
        Assert.False(File.Exists(Path.Combine(_dir["tokens"], TokenShards.FileName)));
    }

    sealed class ShortFilter : DocumentFilter
    {
        public override string Name => "short";
        public override string? DropReason(Document d) => d.Text.Length < 2000 ? "under_2000_chars" : null;
    }

    [Fact]
    public void ATransformStageMergesToTheSingleRunsOutputAndStatistics()
    {
        var input = Inputs();
        var pipeline = new DocumentPipeline([new ShortFilter()]);
        var singleStats = new TransformStats();
        CorpusWriter.Write(_dir["single.parquet"], pipeline.Apply(CorpusReader.Read(input), singleStats));

        var config = new JsonObject { ["min_chars"] = 2000 };
        for (int i = 0; i < 3; i++)
            CorpusShards.Run("rule-filter", input, ColumnMapping.Native, _dir["filtered.parquet"], new ShardSpec(i, 3), pipeline, config, Unit);
        var merged = CorpusShards.Merge(_dir["filtered.parquet"]);

        Assert.Equal(File.ReadAllBytes(_dir["single.parquet"]), File.ReadAllBytes(_dir["filtered.parquet"]));
        var a = singleStats.Reasons(); var b = merged.Transform!.Reasons();
        Assert.Equal(a["documents"].Cast<long>(), b["documents"].Cast<long>());
        Assert.Equal(a["characters"].Cast<long>(), b["characters"].Cast<long>());
        Assert.Equal(singleStats.Steps()["documents_out"].Cast<long>(), merged.Transform.Steps()["documents_out"].Cast<long>());
        Assert.InRange(merged.Documents, 1, 299);   // the filter dropped some and kept some
    }

    [Fact]
    public void AFinishedShardIsSkippedAndKeepsItsPart()
    {
        var input = Inputs();
        var output = _dir["out.parquet"];
        var first = CorpusShards.Run(CorpusShards.ImportStage, input, ColumnMapping.Native, output, new ShardSpec(1, 2), unitBytes: Unit);
        var part = CorpusShards.DirectoryOf(output).PartPath(new ShardSpec(1, 2), ".parquet");
        var written = File.GetLastWriteTimeUtc(part);
        Thread.Sleep(20);
        var again = CorpusShards.Run(CorpusShards.ImportStage, input, ColumnMapping.Native, output, new ShardSpec(1, 2), unitBytes: Unit);
        Assert.False(first.Skipped);
        Assert.True(again.Skipped);
        Assert.Equal(first.Stats["documents"]!.GetValue<long>(), again.Stats["documents"]!.GetValue<long>());
        Assert.Equal(written, File.GetLastWriteTimeUtc(part));
    }

    [Fact]
    public void MismatchedCountsAndConfigsAreRefusedBeforeAnythingIsWritten()
    {
        var input = Inputs();
        var output = _dir["out.parquet"];
        CorpusShards.Run(CorpusShards.ImportStage, input, ColumnMapping.Native, output, new ShardSpec(0, 4), unitBytes: Unit);
        var directory = CorpusShards.DirectoryOf(output);

        var count = Assert.Throws<InvalidOperationException>(() =>
            CorpusShards.Run(CorpusShards.ImportStage, input, ColumnMapping.Native, output, new ShardSpec(1, 3), unitBytes: Unit));
        Assert.Contains("was started with 4 shards; this run says 1/3", count.Message);
        var config = Assert.Throws<InvalidOperationException>(() =>
            CorpusShards.Run(CorpusShards.ImportStage, input, ColumnMapping.FineWeb, output, new ShardSpec(1, 4), unitBytes: Unit));
        Assert.Contains("'mapping' was", config.Message);
        Assert.Equal([0], directory.Completed(4));
        Assert.False(File.Exists(directory.PartPath(new ShardSpec(1, 3), ".parquet")));
        Assert.False(File.Exists(directory.PartPath(new ShardSpec(1, 4), ".parquet")));

        // An input edited after shard 0 read it would mix old and new documents.
        File.AppendAllText(Path.Combine(input, "a.jsonl"), "\n");
        var edited = Assert.Throws<InvalidOperationException>(() =>
            CorpusShards.Run(CorpusShards.ImportStage, input, ColumnMapping.Native, output, new ShardSpec(2, 4), unitBytes: Unit));
        Assert.Contains("'input' was", edited.Message);
    }

    [Fact]
    public void AMergeRefusesWhileShardsAreMissingOrPartsComeFromAnotherCount()
    {
        var input = Inputs();
        var output = _dir["out.parquet"];
        foreach (int i in new[] { 0, 2 })
            CorpusShards.Run(CorpusShards.ImportStage, input, ColumnMapping.Native, output, new ShardSpec(i, 5), unitBytes: Unit);
        var missing = Assert.Throws<InvalidOperationException>(() => CorpusShards.Merge(output));
        Assert.Contains("3 of 5 shards are not complete (shards 1, 3-4)", missing.Message);
        Assert.False(File.Exists(output));

        foreach (int i in new[] { 1, 3, 4 })
            CorpusShards.Run(CorpusShards.ImportStage, input, ColumnMapping.Native, output, new ShardSpec(i, 5), unitBytes: Unit);
        var directory = CorpusShards.DirectoryOf(output);
        File.Copy(directory.PartPath(new ShardSpec(0, 5), ".parquet"), directory.PartPath(new ShardSpec(0, 2), ".parquet"));
        var foreign = Assert.Throws<InvalidOperationException>(() => CorpusShards.Merge(output));
        Assert.Contains("parts of another shard count than its manifest's 5: part-00000-of-00002.parquet", foreign.Message);
        Assert.False(File.Exists(output));

        File.Delete(directory.PartPath(new ShardSpec(0, 2), ".parquet"));
        Assert.Equal(300, CorpusShards.Merge(output).Documents);
    }

    [Fact]
    public void ASecondWriterOfAShardRefusesWhileTheFirstHoldsItsLock()
    {
        var input = Inputs();
        var output = _dir["out.parquet"];
        var directory = CorpusShards.DirectoryOf(output);
        CorpusShards.Run(CorpusShards.ImportStage, input, ColumnMapping.Native, output, new ShardSpec(0, 2), unitBytes: Unit);

        // Stand in for a live writer of shard 1: hold its lock as ShardRunner does.
        using (new FileStream(directory.LockPath(1), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var busy = Assert.Throws<ShardBusyException>(() =>
                CorpusShards.Run(CorpusShards.ImportStage, input, ColumnMapping.Native, output, new ShardSpec(1, 2), unitBytes: Unit));
            Assert.Contains("shard 1/2 of", busy.Message);
            Assert.Contains("not starting a second writer", busy.Message);
            Assert.False(File.Exists(directory.PartPath(new ShardSpec(1, 2), ".parquet")));
            Assert.False(File.Exists(directory.DonePath(1)));
        }
        // Released (as when the writer exits or is killed): the shard runs.
        Assert.False(CorpusShards.Run(CorpusShards.ImportStage, input, ColumnMapping.Native, output, new ShardSpec(1, 2), unitBytes: Unit).Skipped);
    }

    [Fact]
    public void AnInputFileWithoutDocumentsFailsTheMergeAsItFailsAWholeRead()
    {
        var input = Inputs();
        File.WriteAllText(Path.Combine(input, "c.jsonl"), "\n   \n\n");
        Assert.Throws<DataFormatException>(() => CorpusReader.Read(input).ToList());
        var output = _dir["out.parquet"];
        for (int i = 0; i < 2; i++)
            CorpusShards.Run(CorpusShards.ImportStage, input, ColumnMapping.Native, output, new ShardSpec(i, 2), unitBytes: Unit);
        var e = Assert.Throws<DataFormatException>(() => CorpusShards.Merge(output));
        Assert.Equal(Path.Combine(input, "c.jsonl"), e.File);
        Assert.False(File.Exists(output));
    }

    [Theory]
    [InlineData("bytes", false, 3)]
    [InlineData("cl100k_base", true, 4)]
    public void TokenizeShardsMergeToTheSingleProcessTokenFile(string tokenizerName, bool compact, int shards)
    {
        var input = Inputs();
        var tokenizer = TextTokenizers.Create(tokenizerName);
        var docs = CorpusReader.Read(input);
        var single = _dir["single.rkt"];
        TokenShard.Tokenize(docs, compact ? CompactTokenizer.Build(tokenizer, docs.Select(d => d.Text)) : tokenizer, single);

        var output = _dir["tokens"];
        for (int i = 0; i < shards; i++) TokenShards.Run(input, ColumnMapping.Native, tokenizer, output, new ShardSpec(i, shards), compact, Unit);
        var summary = TokenShards.Merge(output);
        Assert.Equal(300, summary.Documents);
        Assert.Equal(File.ReadAllBytes(single), File.ReadAllBytes(Path.Combine(output, TokenShards.FileName)));
    }
}
