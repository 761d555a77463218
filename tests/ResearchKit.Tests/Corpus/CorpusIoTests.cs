using System.Text;
using Parquet;
using Parquet.Schema;
using ResearchKit.Corpus;

namespace ResearchKit.Tests.Corpus;

public class CorpusIoTests
{
    static readonly Document[] Docs =
    [
        new("a1", "Grüße aus Köln.\nZweite Zeile — mit Gedankenstrich.", "news", "https://www.example.de/a?x=1", null,
            new Dictionary<string, string> { ["topic"] = "travel", ["licence"] = "cc-by" }),
        new("b2", "def f(x):\n    return x * 2  # 日本語のコメント\n", "code", null, "pypi:demo"),
        new("c3", "Emoji 🎉 and \"quotes\" and \\ backslashes\ttabs", "forum", "http://forum.example.org/t/3"),
    ];

    [Theory]
    [InlineData("out.parquet")]
    [InlineData("out.jsonl")]
    [InlineData("out.jsonl.zst")]
    [InlineData("out.json.zst")]
    public void RoundTripsEveryFieldThroughEachFormat(string name)
    {
        using var dir = new TempDir();
        Assert.Equal(3, CorpusWriter.Write(dir[name], Docs));
        var back = CorpusReader.Read(dir[name]).ToArray();
        Assert.Equal(Docs.Length, back.Length);
        for (int i = 0; i < Docs.Length; i++)
        {
            Assert.Equal(Docs[i] with { Meta = null }, back[i] with { Meta = null });
            Assert.Equal(Docs[i].Meta?.OrderBy(p => p.Key), back[i].Meta?.OrderBy(p => p.Key));
        }
        Assert.Equal([name], dir.Files());
    }

    [Fact]
    public void ParquetRowGroupsCloseAtAMillionCharactersSoWritingMemoryStaysBounded()
    {
        // 25 documents of 100,000 characters: a row group closes once it holds 2^20 characters (the 11th document).
        using var dir = new TempDir();
        var line = "Grüße aus Köln, zweite Zeile. ";
        var text = string.Concat(Enumerable.Repeat(line, 100_000 / line.Length + 1))[..100_000];
        CorpusWriter.Write(dir["big.parquet"], Enumerable.Range(0, 25).Select(i => new Document($"d{i}", text, "web")));
        Assert.Equal([11L, 11, 3], ParquetCorpus.RowGroupSizes(dir["big.parquet"]));
        Assert.Equal(25, CorpusReader.Read(dir["big.parquet"]).Count(d => d.Text == text));
    }

    [Fact]
    public async Task ParquetOutputIsZstdCompressedWithOurSchema()
    {
        using var dir = new TempDir();
        CorpusWriter.Write(dir["c.parquet"], Docs);
        await using var reader = await ParquetReader.CreateAsync(dir["c.parquet"]);
        Assert.Equal(["id", "text", "domain", "url", "source", "meta"], reader.Schema.GetDataFields().Select(f => f.Name));
        Assert.All(reader.RowGroups.SelectMany(g => g.RowGroup.Columns), c => Assert.Equal(Parquet.Meta.CompressionCodec.ZSTD, c.MetaData!.Codec));
    }

    [Fact]
    public void ImportsTheNativeJsonlLayoutWithAMetaObject()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["in.jsonl"],
            """{"id":"arxiv-1","text":"We prove a theorem.","domain":"science","url":"https://arxiv.org/abs/1","source":"arXiv","meta":{"licence":"cc-by","year":"2020"}}""" + "\n" +
            """{"id":"rfc-2","text":"The protocol.","domain":"standards","source":"IETF RFC 2","meta":{}}""" + "\n\n");
        var docs = CorpusReader.Read(dir["in.jsonl"]).ToArray();
        Assert.Equal(2, docs.Length);
        Assert.Equal(new Document("arxiv-1", "We prove a theorem.", "science", "https://arxiv.org/abs/1", "arXiv"), docs[0] with { Meta = null });
        Assert.Equal("cc-by", docs[0].Meta!["licence"]);
        Assert.Equal("2020", docs[0].Meta!["year"]);
        Assert.Equal(new Document("rfc-2", "The protocol.", "standards", null, "IETF RFC 2"), docs[1]);
    }

    [Fact]
    public void DclmMappingDerivesIdsFromFileAndLineAndUsesTheFallbackDomain()
    {
        using var dir = new TempDir();
        WriteZstd(dir["shard_00.jsonl.zst"],
            """{"text":"first","url":"https://a.example.com/x","fasttext_openhermes_reddit_eli5_vs_rw_v2_bigram_200k_train_prob":0.25,"warcinfo":"long"}""" + "\n" +
            """{"text":"second","url":"https://b.example.com/y"}""" + "\n");
        var docs = CorpusReader.Read(dir["shard_00.jsonl.zst"], ColumnMapping.Dclm).ToArray();
        Assert.Equal(["shard_00.jsonl.zst:1", "shard_00.jsonl.zst:2"], docs.Select(d => d.Id));
        Assert.All(docs, d => Assert.Equal("dclm", d.Domain));
        Assert.Equal("0.25", docs[0].Meta!["fasttext_openhermes_reddit_eli5_vs_rw_v2_bigram_200k_train_prob"]);
        Assert.False(docs[0].Meta!.ContainsKey("warcinfo"));
        Assert.Null(docs[1].Meta);

        var byHost = CorpusReader.Read(dir["shard_00.jsonl.zst"], ColumnMapping.Dclm with { DomainFromUrlHost = true }).ToArray();
        Assert.Equal(["a.example.com", "b.example.com"], byHost.Select(d => d.Domain));
    }

    [Fact]
    public async Task FineWebParquetMapsIdUrlAndMetaColumnsOfAnyPrimitiveType()
    {
        using var dir = new TempDir();
        var path = dir["000_00000.parquet"];
        var text = new DataField<string>("text"); var id = new DataField<string>("id"); var url = new DataField<string>("url");
        var dump = new DataField<string>("dump"); var score = new DataField<double>("language_score"); var tokens = new DataField<long>("token_count");
        using (var fs = File.Create(path))
        {
            var w = await ParquetWriter.CreateAsync(new ParquetSchema(text, id, dump, url, score, tokens), fs);
            using (var rg = w.CreateRowGroup())
            {
                await rg.WriteAsync(text, new[] { "Hello web.", "Second page." });
                await rg.WriteAsync(id, new[] { "<urn:uuid:1>", "<urn:uuid:2>" });
                await rg.WriteAsync(dump, new[] { "CC-MAIN-2024-10", "CC-MAIN-2024-18" });
                await rg.WriteAsync(url, new[] { "https://x.org/1", "https://y.org/2" });
                await rg.WriteAsync<double>(score, new double[] { 0.5, 0.75 }.AsMemory());
                await rg.WriteAsync<long>(tokens, new long[] { 3, 4 }.AsMemory());
            }
            await w.DisposeAsync();
        }
        var docs = CorpusReader.Read(path, ColumnMapping.FineWeb).ToArray();
        Assert.Equal(new Document("<urn:uuid:2>", "Second page.", "fineweb", "https://y.org/2"), docs[1] with { Meta = null });
        Assert.Equal("CC-MAIN-2024-18", docs[1].Meta!["dump"]);
        Assert.Equal("0.75", docs[1].Meta!["language_score"]);
        Assert.False(docs[1].Meta!.ContainsKey("token_count"));
        // With MetaColumns = null every unmapped column lands in Meta.
        var all = CorpusReader.Read(path, ColumnMapping.FineWeb with { MetaColumns = null }).ToArray();
        Assert.Equal("4", all[1].Meta!["token_count"]);
    }

    [Fact]
    public void ReadsADirectoryAndAGlobInNameOrder()
    {
        using var dir = new TempDir();
        CorpusWriter.Write(dir["b.jsonl"], Docs[1..]);
        CorpusWriter.Write(dir["a.parquet"], Docs[..1]);
        File.WriteAllText(dir["README.txt"], "not a shard");
        Assert.Equal(["a1", "b2", "c3"], CorpusReader.Read(dir.Path).Select(d => d.Id));
        Assert.Equal(["b2", "c3"], CorpusReader.Read(dir["*.jsonl"]).Select(d => d.Id));
    }

    // ---- malformed input: the error names file, record and field, and a writer fed by it leaves nothing behind

    static DataFormatException ImportFails(TempDir dir, string input)
    {
        var e = Assert.Throws<DataFormatException>(() => CorpusWriter.Write(dir["out.parquet"], CorpusReader.Read(dir[input])));
        Assert.Equal(dir[input], e.File);
        Assert.Contains(dir[input], e.Message);
        Assert.DoesNotContain("out.parquet", string.Join(",", dir.Files()));
        return e;
    }

    [Fact]
    public void BrokenJsonLineNamesTheLine()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["in.jsonl"], "{\"id\":\"1\",\"text\":\"ok\",\"domain\":\"d\"}\n{\"id\":\"2\",\"text\":\"cut off\n");
        var e = ImportFails(dir, "in.jsonl");
        Assert.Equal(2, e.Record);
        Assert.Contains("record 2", e.Message);
        Assert.Contains("malformed JSON", e.Message);
    }

    [Fact]
    public void InvalidUtf8NamesLineAndField()
    {
        using var dir = new TempDir();
        var bytes = new List<byte>();
        bytes.AddRange("{\"id\":\"1\",\"text\":\"ok\",\"domain\":\"d\"}\n{\"id\":\"2\",\"domain\":\"d\",\"text\":\"bad "u8.ToArray());
        bytes.AddRange(new byte[] { 0xC3, 0x28 });
        bytes.AddRange("\"}\n"u8.ToArray());
        File.WriteAllBytes(dir["in.jsonl"], bytes.ToArray());
        var e = ImportFails(dir, "in.jsonl");
        Assert.Equal((2L, "text"), (e.Record!.Value, e.Field!));
        Assert.Contains("invalid UTF-8", e.Message);
    }

    [Fact]
    public void MissingRequiredFieldsAreNamed()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["in.jsonl"], "{\"id\":\"1\",\"text\":\"ok\",\"domain\":\"d\"}\n{\"id\":\"2\",\"text\":\"no domain\"}\n");
        var e = ImportFails(dir, "in.jsonl");
        Assert.Equal((2L, "domain"), (e.Record!.Value, e.Field!));

        File.WriteAllText(dir["in.jsonl"], "{\"text\":\"no id\",\"domain\":\"d\"}\n");
        e = ImportFails(dir, "in.jsonl");
        Assert.Equal((1L, "id"), (e.Record!.Value, e.Field!));

        File.WriteAllText(dir["in.jsonl"], "{\"id\":\"1\",\"domain\":\"d\",\"text\":42}\n");
        e = ImportFails(dir, "in.jsonl");
        Assert.Equal((1L, "text"), (e.Record!.Value, e.Field!));
        Assert.Contains("expected a string", e.Message);
    }

    [Fact]
    public void EmptyFilesAreRejected()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["in.jsonl"], "\n\n");
        Assert.Contains("no documents", ImportFails(dir, "in.jsonl").Message);
        File.WriteAllBytes(dir["in.parquet"], []);
        Assert.Contains("no documents", ImportFails(dir, "in.parquet").Message);
    }

    [Fact]
    public async Task ParquetWithoutTheTextColumnNamesTheColumn()
    {
        using var dir = new TempDir();
        var body = new DataField<string>("body");
        using (var fs = File.Create(dir["in.parquet"]))
        {
            var w = await ParquetWriter.CreateAsync(new ParquetSchema(body), fs);
            using (var rg = w.CreateRowGroup()) await rg.WriteAsync(body, new[] { "x" });
            await w.DisposeAsync();
        }
        var e = ImportFails(dir, "in.parquet");
        Assert.Equal("text", e.Field);
        Assert.Contains("columns: body", e.Message);
    }

    [Fact]
    public async Task InvalidUtf8InParquetNamesRowAndField()
    {
        using var dir = new TempDir();
        var text = new DataField<string>("text"); var id = new DataField<string>("id"); var domain = new DataField<string>("domain");
        using (var fs = File.Create(dir["in.parquet"]))
        {
            var w = await ParquetWriter.CreateAsync(new ParquetSchema(id, text, domain), fs, new ParquetOptions { CompressionMethod = CompressionMethod.None });
            using (var rg = w.CreateRowGroup())
            {
                await rg.WriteAsync(id, new[] { "1", "2" });
                await rg.WriteAsync(text, new[] { "fine", "a-MARKER-b" });
                await rg.WriteAsync(domain, new[] { "d", "d" });
            }
            await w.DisposeAsync();
        }
        // Parquet.Net only writes valid UTF-8, so corrupt the stored bytes: "-MARKER-" becomes an invalid 0xFF run.
        var bytes = File.ReadAllBytes(dir["in.parquet"]);
        var marker = "-MARKER-"u8.ToArray();
        int patched = 0;
        for (int at; (at = bytes.AsSpan().IndexOf(marker)) >= 0; patched++) bytes.AsSpan(at, marker.Length).Fill(0xFF);
        Assert.True(patched > 0);
        File.WriteAllBytes(dir["in.parquet"], bytes);
        var e = ImportFails(dir, "in.parquet");
        Assert.Equal((2L, "text"), (e.Record!.Value, e.Field!));
        Assert.Contains("invalid UTF-8", e.Message);
    }

    [Fact]
    public void AFailingWriteKeepsTheOldFile()
    {
        using var dir = new TempDir();
        CorpusWriter.Write(dir["c.jsonl"], Docs);
        IEnumerable<Document> Failing() { yield return Docs[0]; throw new DataFormatException("x.jsonl", 7, "text", "boom"); }
        Assert.Throws<DataFormatException>(() => CorpusWriter.Write(dir["c.jsonl"], Failing()));
        Assert.Equal(["c.jsonl"], dir.Files());
        Assert.Equal(3, CorpusReader.Read(dir["c.jsonl"]).Count());
    }

    static void WriteZstd(string path, string text)
    {
        using var fs = File.Create(path);
        using var z = new ZstdSharp.CompressionStream(fs);
        z.Write(Encoding.UTF8.GetBytes(text));
    }
}
