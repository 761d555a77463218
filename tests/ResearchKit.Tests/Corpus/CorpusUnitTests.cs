using System.Text;
using Parquet;
using Parquet.Schema;
using ResearchKit.Corpus;

namespace ResearchKit.Tests.Corpus;

/// <summary>Work units of one file: every record read exactly once, in order, with its file-wide record number.</summary>
public class CorpusUnitTests
{
    // Lines of varied length (multi-byte UTF-8, a CRLF line, blank lines) with no ids: the DCLM mapping derives
    // "file:line", so a unit that numbered its lines from its own start would give different ids.
    static readonly string[] Lines =
    [
        """{"text":"erste Zeile — Grüße","url":"https://a.example/1"}""",
        "",
        """{"text":"zwei","url":"https://b.example/2"}""" + "\r",
        """{"text":"drei 🎉🎉🎉 und noch etwas mehr Text","url":"https://a.example/3"}""",
        "   ",
        """{"text":"vier","url":"https://c.example/4"}""",
        """{"text":"fünf","url":"https://a.example/5"}""",
    ];

    static string Jsonl(TempDir dir, bool trailingNewline)
    {
        var path = dir["one.jsonl"];
        File.WriteAllText(path, string.Join('\n', Lines) + (trailingNewline ? "\n" : ""), new UTF8Encoding(false));
        return path;
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, false)]
    [InlineData(7, true)]
    [InlineData(23, false)]
    [InlineData(60, true)]
    [InlineData(100_000, true)]
    public void JsonlRangesGiveEveryLineOnceWithItsFileWideNumber(long unitBytes, bool trailingNewline)
    {
        using var dir = new TempDir();
        var path = Jsonl(dir, trailingNewline);
        var whole = CorpusReader.Read(path, ColumnMapping.Dclm).ToList();
        var units = CorpusUnit.Plan([path], unitBytes);

        Assert.Equal((long)Math.Ceiling(new FileInfo(path).Length / (double)unitBytes), units.Count);
        Assert.Equal(Enumerable.Range(0, units.Count), units.Select(u => u.Index));
        var pieced = units.SelectMany(u => u.Read(ColumnMapping.Dclm)).ToList();
        Assert.Equal(whole, pieced, DocumentComparer.Instance);
        Assert.Equal(["one.jsonl:1", "one.jsonl:3", "one.jsonl:4", "one.jsonl:6", "one.jsonl:7"], pieced.Select(d => d.Id));
    }

    [Fact]
    public void ARangeReportsBadRecordsByTheirFileWideLine()
    {
        using var dir = new TempDir();
        var path = dir["bad.jsonl"];
        File.WriteAllText(path, "{\"id\":\"1\",\"text\":\"a\",\"domain\":\"d\"}\n{\"id\":\"2\",\"text\":\"b\",\"domain\":\"d\"}\n{\"id\":\"3\",\"text\":5,\"domain\":\"d\"}\n");
        // Lines start at bytes 0, 36 and 72: the second unit [40, 80) holds only line 3, the third none.
        var units = CorpusUnit.Plan([path], 40);
        Assert.Equal(["1", "2"], units[0].Read(ColumnMapping.Native).Select(d => d.Id));
        Assert.Empty(units[2].Read(ColumnMapping.Native));
        var e = Assert.Throws<DataFormatException>(() => units[1].Read(ColumnMapping.Native).ToList());
        Assert.Equal((path, 3L, "text"), (e.File, e.Record, e.Field));
    }

    [Fact]
    public async Task ParquetUnitsAreRowGroupsNumberedAcrossTheFile()
    {
        using var dir = new TempDir();
        var path = dir["groups.parquet"];
        var id = new DataField<string>("id"); var text = new DataField<string>("text"); var domain = new DataField<string>("domain");
        await using (var stream = File.Create(path))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(id, text, domain), stream))
        {
            int next = 0;
            foreach (int rows in new[] { 3, 1, 4 })
            {
                using var rg = writer.CreateRowGroup();
                var ids = Enumerable.Range(next, rows).Select(i => $"doc{i}").ToArray();
                await rg.WriteAsync(id, ids);
                await rg.WriteAsync(text, ids.Select(i => $"text of {i}").ToArray());
                await rg.WriteAsync(domain, ids.Select(i => i == "doc6" ? null : "web").ToArray());
                next += rows;
            }
        }
        var units = CorpusUnit.Plan([path]);
        Assert.Equal([0, 1, 2], units.Select(u => u.RowGroup));
        Assert.Equal(["doc0", "doc1", "doc2"], units[0].Read(ColumnMapping.Native).Select(d => d.Id));
        Assert.Equal(["doc3"], units[1].Read(ColumnMapping.Native).Select(d => d.Id));
        // doc6 has no domain: the error names row 7 of the file, not row 3 of its group.
        var e = Assert.Throws<DataFormatException>(() => units[2].Read(ColumnMapping.Native).ToList());
        Assert.Equal((path, 7L, "domain"), (e.File, e.Record, e.Field));
    }

    [Fact]
    public void CompressedJsonlIsOneUnitAndEmptyFilesAreRefused()
    {
        using var dir = new TempDir();
        CorpusWriter.Write(dir["a.jsonl.zst"], [new Document("1", "x", "d"), new Document("2", "y", "d")]);
        File.WriteAllText(dir["b.jsonl"], "");
        var units = CorpusUnit.Plan([dir["a.jsonl.zst"]], unitBytes: 1);
        Assert.Equal(["1", "2"], Assert.Single(units).Read(ColumnMapping.Native).Select(d => d.Id));
        var e = Assert.Throws<DataFormatException>(() => CorpusUnit.Plan([dir["a.jsonl.zst"], dir["b.jsonl"]]));
        Assert.Equal(dir["b.jsonl"], e.File);
    }
}

/// <summary>Documents equal field by field (Meta by content).</summary>
sealed class DocumentComparer : IEqualityComparer<Document>
{
    public static DocumentComparer Instance { get; } = new();
    public bool Equals(Document? a, Document? b) =>
        a is not null && b is not null && (a.Id, a.Text, a.Domain, a.Url, a.Source) == (b.Id, b.Text, b.Domain, b.Url, b.Source)
        && (a.Meta ?? new Dictionary<string, string>()).OrderBy(p => p.Key).SequenceEqual((b.Meta ?? new Dictionary<string, string>()).OrderBy(p => p.Key));
    public int GetHashCode(Document d) => d.Id.GetHashCode();
}
