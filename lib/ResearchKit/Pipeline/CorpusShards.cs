using System.Text.Json;
using System.Text.Json.Nodes;
using ResearchKit.Corpus;

namespace ResearchKit.Pipeline;

/// <summary>
/// Sharded corpus stages: documents in (any corpus the readers take), optionally through a <see cref="DocumentPipeline"/>
/// (rule filters, ProX refinement), a corpus out. <c>rk corpus import --shard i/n</c> is the stage without steps;
/// a transform stage adopts the mechanism by calling <see cref="Run"/> with its pipeline and its own stage name and
/// config. Shard i reads the work units i, i+n, ... of the input (<see cref="CorpusUnit"/>), writes
/// <c>&lt;output&gt;.shards/parts/part-i-of-n.&lt;ext&gt;</c>, and <see cref="Merge"/> writes <c>&lt;output&gt;</c>
/// byte for byte as a single process would have (the transforms must act per document, deterministically).
/// </summary>
public static class CorpusShards
{
    public const string ImportStage = "corpus-import";
    internal const string Kind = "corpus";

    /// <summary>Where the shards of <paramref name="output"/> go: "&lt;output&gt;.shards".</summary>
    public static ShardDirectory DirectoryOf(string output) => new(Path.GetFullPath(output) + ".shards");

    /// <summary>Runs (or skips, when finished) one shard.</summary>
    /// <param name="stage">The stage's name: <see cref="ImportStage"/>, or the transform stage's own.</param>
    /// <param name="stageConfig">Whatever else decides the output (the pipeline's settings, model paths); part of
    /// the manifest that every shard must share.</param>
    public static ShardOutcome Run(string stage, string input, ColumnMapping mapping, string output, ShardSpec shard,
                                   DocumentPipeline? pipeline = null, JsonObject? stageConfig = null,
                                   long unitBytes = CorpusUnit.DefaultUnitBytes, IProgress<WorkProgress>? progress = null)
    {
        var extension = Extension(output);
        var files = CorpusReader.Files(input);
        var config = new JsonObject
        {
            ["kind"] = Kind,
            ["input"] = CorpusUnit.Describe(files, unitBytes),
            ["mapping"] = JsonSerializer.SerializeToNode(mapping),
            ["output_format"] = extension,
            ["stage_config"] = stageConfig?.DeepClone(),
        };
        return ShardRunner.Run(DirectoryOf(output), stage, shard, config, work =>
        {
            var units = CorpusUnit.Plan(files, unitBytes).Where(u => shard.Owns(u.Index)).ToList();
            var stats = pipeline is null ? null : new TransformStats();
            var written = new List<(int Unit, long Items)>();
            var perFile = new DocumentsPerFile(files);
            IEnumerable<Document> Documents()
            {
                for (int k = 0; k < units.Count; k++)
                {
                    var unit = units[k];
                    long read = 0, wrote = 0;
                    var docs = unit.Read(mapping).Select(d => { read++; return d; });
                    foreach (var d in pipeline is null ? docs : pipeline.Apply(docs, stats!)) { wrote++; yield return d; }
                    written.Add((unit.Index, wrote));
                    perFile.Add(unit.File, read);
                    progress?.Report(new WorkProgress($"shard {shard}", k + 1, units.Count, $"{written.Sum(w => w.Items):N0} documents"));
                }
            }
            long count = CorpusWriter.Write(work.PartPath(extension), Documents());
            var result = new JsonObject
            {
                ["kind"] = Kind,
                ["documents_read"] = perFile.Total,
                ["documents"] = count,
                ["units"] = ShardUnits.ToJson(written),
            };
            perFile.AddTo(result);
            if (stats is not null) result["transform"] = stats.ToJson();
            return result;
        }, progress);
    }

    /// <summary>Joins the parts of every shard into <paramref name="output"/> (atomically), in input order.</summary>
    /// <exception cref="InvalidOperationException">A shard is missing, or the parts are of another shard count.</exception>
    /// <exception cref="DataFormatException">An input file had no documents, or a part disagrees with its stats.</exception>
    public static CorpusMerge Merge(string output, IProgress<WorkProgress>? progress = null)
    {
        var directory = DirectoryOf(output);
        var stats = directory.RequireComplete(null);
        var manifest = directory.ReadManifest()!;
        if (manifest.Config["kind"]?.GetValue<string>() != Kind)
            throw new InvalidOperationException($"{directory.Root} holds shards of '{manifest.Stage}', which do not make a corpus");
        var extension = manifest.Config["output_format"]!.GetValue<string>();
        if (extension != Extension(output))
            throw new InvalidOperationException($"the shards of {directory.Root} are {extension} files; merge them into a {extension} output");

        DocumentsPerFile.RequireEveryFile(manifest.Config, stats);

        var order = ShardUnits.InOrder(stats);
        int n = stats.Count;
        var parts = Enumerable.Range(0, n).Select(i => directory.PartPath(new ShardSpec(i, n), extension)).ToArray();
        var readers = parts.Select((p, i) => stats[i]["documents"]!.GetValue<long>() > 0
            ? CorpusReader.Read(p, ColumnMapping.Native).GetEnumerator() : Enumerable.Empty<Document>().GetEnumerator()).ToArray();
        try
        {
            long count = CorpusWriter.Write(output, ShardUnits.Interleave(readers, order, i => parts[i]), progress);
            for (int i = 0; i < n; i++)
                if (stats[i]["documents"]!.GetValue<long>() > 0 && readers[i].MoveNext())
                    throw new DataFormatException(parts[i], null, null, "holds more documents than its shard's stats say");
            TransformStats? transform = null;
            foreach (var s in stats.Where(s => s["transform"] is JsonObject))
                (transform ??= new TransformStats()).Merge(TransformStats.FromJson(s["transform"]!.AsObject()));
            return new CorpusMerge(output, count, n, transform);
        }
        finally { foreach (var r in readers) r.Dispose(); }
    }

    static string Extension(string output) => CorpusFormats.FromPath(output) switch
    {
        CorpusFormat.Parquet => ".parquet",
        CorpusFormat.Jsonl => ".jsonl",
        _ => ".jsonl.zst",
    };
}

/// <summary>What <see cref="CorpusShards.Merge"/> wrote; <see cref="Transform"/> sums the shards' step statistics
/// (null for a stage without steps).</summary>
public sealed record CorpusMerge(string Output, long Documents, int Shards, TransformStats? Transform);
