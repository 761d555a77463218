using System.Text.Json.Nodes;

namespace ResearchKit.Corpus;

/// <summary>
/// A piece of a corpus that one shard reads on its own: a Parquet row group, a byte range of a plain JSONL file
/// (the lines that start in it), or a whole compressed JSONL file (zstd cannot be entered mid-stream). Reading the
/// units of a plan in order gives exactly the documents <see cref="CorpusReader.Read"/> gives, in the same order.
/// </summary>
/// <param name="Index">Position in the plan, from 0; shard i of n takes the units with Index mod n = i.</param>
/// <param name="RowGroup">Parquet: the row group.</param>
/// <param name="Start">Plain JSONL: first byte of the range (the whole file for zstd: 0).</param>
/// <param name="End">Plain JSONL: end of the range, exclusive.</param>
public sealed record CorpusUnit(int Index, string File, CorpusFormat Format, int RowGroup, long Start, long End)
{
    /// <summary>Default byte range of a plain JSONL unit: large enough that counting the newlines in front of a
    /// range is cheap next to parsing it, small enough to spread a multi-GB file over many shards.</summary>
    public const long DefaultUnitBytes = 32L << 20;

    public IEnumerable<Document> Read(ColumnMapping mapping) => Format switch
    {
        CorpusFormat.Parquet => ParquetCorpus.Read(File, mapping, RowGroup),
        CorpusFormat.Jsonl => JsonlCorpus.ReadRange(File, mapping, Start, End),
        _ => JsonlCorpus.Read(File, mapping, zstd: true),
    };

    /// <summary>Cuts files into units: Parquet files by row group, plain JSONL into ranges of
    /// <paramref name="unitBytes"/>, compressed JSONL whole. Empty files are refused here, as a whole read would.</summary>
    public static IReadOnlyList<CorpusUnit> Plan(IReadOnlyList<string> files, long unitBytes = DefaultUnitBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(unitBytes, 1);
        var units = new List<CorpusUnit>();
        foreach (var file in files)
        {
            var format = CorpusFormats.FromPath(file);
            long length = new FileInfo(file).Length;
            if (length == 0) throw new DataFormatException(file, null, null, "no documents (empty file)");
            switch (format)
            {
                case CorpusFormat.Parquet:
                    var groups = ParquetCorpus.RowGroupSizes(file);
                    if (groups.Sum() == 0) throw new DataFormatException(file, null, null, "no documents (no rows)");
                    for (int g = 0; g < groups.Length; g++) units.Add(new CorpusUnit(units.Count, file, format, g, 0, 0));
                    break;
                case CorpusFormat.Jsonl:
                    for (long start = 0; start < length; start += unitBytes)
                        units.Add(new CorpusUnit(units.Count, file, format, 0, start, Math.Min(length, start + unitBytes)));
                    break;
                default:
                    units.Add(new CorpusUnit(units.Count, file, format, 0, 0, length));
                    break;
            }
        }
        return units;
    }

    /// <summary>What decides a plan and its documents, for a shard manifest: each file's full path, size and
    /// modification time (an edited input must not be merged with parts read from the old one), and the unit size.</summary>
    public static JsonObject Describe(IReadOnlyList<string> files, long unitBytes) => new()
    {
        ["files"] = new JsonArray(files.Select(f =>
        {
            var info = new FileInfo(f);
            return (JsonNode)new JsonObject
            {
                ["path"] = info.FullName, ["bytes"] = info.Length,
                ["modified"] = info.LastWriteTimeUtc.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            };
        }).ToArray()),
        ["unit_bytes"] = unitBytes,
    };
}
